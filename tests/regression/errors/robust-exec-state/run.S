/* a program with no call: exec runs it to its end */
start:
	movl $5, %ebx
	movl %eax, %ecx

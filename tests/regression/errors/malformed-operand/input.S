	.globl irq_entry
irq_entry:
	movl 4(%esp, %eax
	iret

	.globl irq_entry
irq_entry:
	movl %esp, %eax
	frobl %eax
	iret

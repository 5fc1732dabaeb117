	.globl irq_entry
irq_entry:
	movl $NO_SUCH_CONSTANT, %eax
	iret

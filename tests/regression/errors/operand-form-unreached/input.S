	.globl irq_entry
irq_entry:
	movl %esp, %eax
	iret
	/* never reached, still an error: GNU as rejects it (a 32-bit register in a byte move) */
	movb %eax, %bl

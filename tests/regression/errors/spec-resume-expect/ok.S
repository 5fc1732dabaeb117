/* A minimal entry: save nothing, call the handler, return. */
	.globl	irq_entry
irq_entry:
	movl	%esp, %eax
	call	handle_irq
	iret

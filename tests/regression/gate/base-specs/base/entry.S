/* Saves the registers the C handler may clobber, calls it, restores them. */
	.globl	irq_entry
irq_entry:
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	movl	%esp, %eax
	call	handle_irq
	popl	%edx
	popl	%ecx
	popl	%eax
	iret

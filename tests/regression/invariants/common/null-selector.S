/*
 * Issue 11.2: a read through a null %fs raises #GP(0) in protected mode
 * (SDM Vol.3 5.4.1); with an exception-table entry for it, the #GP
 * handler's fixup resumes after it. And a %cs: override read (flat code
 * segment) is not cut.
 */
	.globl	irq_entry
irq_entry:
	pushl	%eax
#ifdef CS_READ
	movl	%cs:(%esp), %eax	/* the saved EAX, through the flat code segment */
#else
1:	movl	%fs:0, %eax		/* #GP(0) when %fs is null */
2:
#ifdef FIXUP
	_ASM_EXTABLE(1b, 2b)
#endif
#endif
	popl	%eax
	iret

	.globl	gp_entry
gp_entry:
	/* The frame: error code, EIP, CS, EFLAGS; regs->ip is at +4. */
	movl	%esp, %eax
	call	handle_gp_fault
	addl	$4, %esp
	iret

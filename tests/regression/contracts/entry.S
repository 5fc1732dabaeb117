/*
 * An IRQ entry from user mode whose C function does not come back the usual
 * way: it never returns, or its return value picks the exit path, or it
 * rewrites the saved frame (struct pt_regs). Each case's spec gives the
 * function's contract ("handlers": "returns", "writes") and picks a variant
 * with -D (spec "defines").
 *
 * The frame is Linux's i386 pt_regs: the CPU pushes ss, sp, flags, cs, ip
 * (TSS.sp0 is the task stack's top here: no entry stack, no PTI); the code
 * pushes orig_ax and gs, fs, es, ds, ax, bp, di, si, dx, cx, bx.
 */
	.globl	irq_entry
irq_entry:
	pushl	$-1
	pushl	%gs
	pushl	%fs
	pushl	%es
	pushl	%ds
	pushl	%eax
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%edx
	pushl	%ecx
	pushl	%ebx
	cld
	movl	$__USER_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
#ifdef CACHE_IP
	/* Keeps the saved EIP in a callee-saved register across the call. */
	movl	PT_EIP(%esp), %esi
#endif
	movl	%esp, %eax
	call	do_irq_work
#ifdef NORETURN_LOOP
	/* What follows a call that does not return: never reached. */
1:	jmp	1b
#endif
#ifdef BRANCH_ON_RESULT
	testl	%eax, %eax
	jz	2f
	/* Wrong on this path: clobbers the saved %ebx. */
	movl	$0, PT_EBX(%esp)
2:
#endif
#ifdef CACHE_IP
	/* Wrong: writes back the EIP it cached, undoing the C code's rewrite. */
	movl	%esi, PT_EIP(%esp)
#endif
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%eax
	popl	%ds
	popl	%es
	popl	%fs
	popl	%gs
	addl	$4, %esp
	iret

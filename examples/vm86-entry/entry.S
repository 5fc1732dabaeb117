/*
 * vm86-entry: interrupts and exceptions that arrive from virtual-8086 mode,
 * for a 32-bit kernel with a per-CPU entry stack. Written for entrycheck in
 * our own words, in the shape of the kernel's entry code.
 *
 * What virtual-8086 mode changes for entry code (FACTS §1, §3):
 *  - The CPU pushes four more dwords before the usual user frame: GS, FS,
 *    DS, ES (then SS, ESP, EFLAGS, CS, EIP and maybe an error code), and
 *    loads GS, FS, DS and ES with null selectors. The frame is 16 bytes
 *    bigger, and IRET to virtual-8086 mode pops those four slots again.
 *  - CS holds a real-mode segment value: its RPL bits say nothing about
 *    privilege. "From user" is EFLAGS.VM or CS.RPL = 3, the way Linux tests
 *    it: EFLAGS with the low byte of CS put in, masked to VM | RPL, compared
 *    with USER_RPL.
 *
 * The design:
 *  - User-mode and vm86 events arrive on the entry stack. The entry saves
 *    the registers there, loads the kernel's segments, and moves the whole
 *    frame (pt_regs, plus the four slots from vm86) to the top of the task
 *    stack: ESP first, copy second. Kernel-mode frames stay where they are.
 *  - The way back to user mode or vm86 copies what IRET pops (5 dwords, 9
 *    from vm86) to the top of the entry stack, reloads the interrupted
 *    segment registers from the frame on the task stack (a reload may
 *    fault; the #GP handler's exception-table fixup zeroes the saved
 *    selector and retries), restores the general registers, and moves ESP
 *    to the entry stack last, with the IRET.
 *  - A #GP from user mode or vm86 goes to its own handler; only kernel-mode
 *    faults consult the exception table.
 *
 * Variants (spec "defines"), each a bug:
 *   RPL_ONLY           "from user" is decided by CS.RPL alone
 *   FORGET_VM86_SLOTS  the frame is copied as if it were always pt_regs
 *                      (a kernel written before vm86 support)
 *
 * PT_*, PTREGS_SIZE, X86_EFLAGS_VM, SEGMENT_RPL_MASK, USER_RPL, __USER_DS
 * and __KERNEL_PERCPU come from the spec's platform; pcpu_* from its
 * constants.
 */

#define VM86_SLOTS	(4 * 4)		/* es, ds, fs, gs above pt_regs */

/* Flags as for "cmpl $USER_RPL, x": jb = from the kernel, jae = from user
 * mode or vm86. Clobbers %eax. */
.macro TEST_FROM_USER
#ifdef RPL_ONLY
	movl	PT_CS(%esp), %eax
	andl	$SEGMENT_RPL_MASK, %eax
#else
	movl	PT_EFLAGS(%esp), %eax
	movb	PT_CS(%esp), %al
	andl	$(X86_EFLAGS_VM | SEGMENT_RPL_MASK), %eax
#endif
	cmpl	$USER_RPL, %eax
.endm

/* %ecx = bytes of the frame from pt_regs up: vm86 frames are bigger. */
.macro FRAME_SIZE_TO_ECX
	movl	$PTREGS_SIZE, %ecx
#ifndef FORGET_VM86_SLOTS
	testl	$X86_EFLAGS_VM, PT_EFLAGS(%esp)
	jz	.Lsize_done_\@
	addl	$VM86_SLOTS, %ecx
.Lsize_done_\@:
#endif
.endm

.macro SAVE_REGS
	cld
	pushl	$0			/* %gs slot: the kernel leaves %gs alone */
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
	movl	$__USER_DS, %edx
	movl	%edx, %ds
	movl	%edx, %es
	movl	$__KERNEL_PERCPU, %edx
	movl	%edx, %fs
	MOVE_TO_TASK_STACK
.endm

/* A frame from user mode or vm86 leaves the entry stack for the task stack. */
.macro MOVE_TO_TASK_STACK
	TEST_FROM_USER
	jb	.Lstays_\@
	FRAME_SIZE_TO_ECX
	movl	PER_CPU_VAR(pcpu_task_stack_top), %edi
	subl	%ecx, %edi
	movl	%esp, %esi
	movl	%edi, %esp		/* ESP first: an NMI from now on lands below */
	shrl	$2, %ecx
	rep movsl
.Lstays_\@:
.endm

/*
 * Reload the interrupted segment registers from the frame. A reload may
 * fault (the descriptor went away while we were in the kernel): the fixup
 * zeroes the saved selector and retries, which loads the null selector.
 */
.macro RESTORE_SEGMENTS
1:	mov	PT_DS(%esp), %ds
2:	mov	PT_ES(%esp), %es
3:	mov	PT_FS(%esp), %fs
	.pushsection .fixup, "ax"
4:	movl	$0, PT_DS(%esp)
	jmp	1b
5:	movl	$0, PT_ES(%esp)
	jmp	2b
6:	movl	$0, PT_FS(%esp)
	jmp	3b
	.popsection
	_ASM_EXTABLE(1b, 4b)
	_ASM_EXTABLE(2b, 5b)
	_ASM_EXTABLE(3b, 6b)
.endm

.macro POP_GENERAL_REGS
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%eax
.endm

	.text

	.globl	irq_entry
irq_entry:
	pushl	$-1			/* no error code: keep one frame shape */
	SAVE_REGS
	movl	%esp, %eax
	call	handle_irq
	jmp	exit_to_interrupted

	.globl	gp_fault_entry
gp_fault_entry:
	SAVE_REGS			/* the CPU pushed the error code */
	TEST_FROM_USER
	jae	.Lgp_from_user
	movl	%esp, %eax
	call	handle_gp_fault		/* a kernel fault: the exception table */
	jmp	exit_to_interrupted
.Lgp_from_user:
	movl	%esp, %eax
	call	handle_gp_user		/* a signal, or the vm86 monitor */
	jmp	exit_to_interrupted

exit_to_interrupted:
	TEST_FROM_USER
	jb	.Lexit_to_kernel
	/* What IRET pops goes to the top of the entry stack. */
	FRAME_SIZE_TO_ECX
	subl	$PT_EIP, %ecx
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %edi
	subl	%ecx, %edi
	movl	%edi, PT_ORIG_EAX(%esp)	/* where ESP goes for the IRET */
	leal	PT_EIP(%esp), %esi
	shrl	$2, %ecx
	cld
	rep movsl
	/* Still on the task stack: a faulting reload nests here, not on the
	 * entry stack. */
	RESTORE_SEGMENTS
	POP_GENERAL_REGS
	addl	$(4 * 4), %esp		/* the ds, es, fs, gs slots */
	movl	(%esp), %esp		/* the orig_eax slot: the IRET frame */
	iret

.Lexit_to_kernel:
	RESTORE_SEGMENTS
	POP_GENERAL_REGS
	addl	$(5 * 4), %esp		/* the segment slots and orig_eax */
	iret

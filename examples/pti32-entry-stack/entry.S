/*
 * pti32-entry-stack: interrupt entry and exit for a 32-bit kernel whose
 * TSS.sp0 points at a small per-CPU "entry stack", as in the 2018 PTI work
 * for x86-32 that ../../shared/seed reviews. Written for entrycheck in our
 * own words; it keeps that design's shape:
 *
 *  - The CPU delivers every user-mode interrupt onto the entry stack. The
 *    entry code saves the registers there, then moves the whole frame to
 *    the task stack (stack pointer first, copy second, so that an NMI in
 *    the middle lands below the frame).
 *  - Kernel code can be interrupted while *it* runs on the entry stack: the
 *    exit path reloads user segment registers after switching to the entry
 *    stack, and such a reload can fault. That entry copies the whole entry
 *    stack to the task stack and marks the frame in bit 31 of the saved CS
 *    dword; the return-to-kernel path copies it back when it sees the mark.
 *  - The upper half of the CS dword is whatever the CPU left there. With
 *    CLEAR_CS_HIGH defined the entry clears it first (the fix the review
 *    asks for); without it, a CPU that stores only the selector half leaves
 *    old stack contents there, and a stale bit 31 fakes the mark.
 *
 * Constants in capitals without a #define here (ENTRY_STACK_SIZE,
 * pcpu_entry_stack_top, __USER_DS, ...) are the platform's: the spec gives
 * them, as asm-offsets would.
 */

#define FRAME_FROM_ENTRY_STACK	(1 << 31)	/* mark in the CS dword's upper half */
#define RPL_BITS		3
#define USER_RPL		3
#define EFLAGS_VM		0x00020000

/* The saved frame, from the stack pointer up (struct pt_regs). */
#define F_EBX		0x00
#define F_ECX		0x04
#define F_EDX		0x08
#define F_ESI		0x0c
#define F_EDI		0x10
#define F_EBP		0x14
#define F_EAX		0x18
#define F_DS		0x1c
#define F_ES		0x20
#define F_FS		0x24
#define F_GS		0x28
#define F_ERROR		0x2c
#define F_EIP		0x30
#define F_CS		0x34
#define F_EFLAGS	0x38
#define F_ESP		0x3c
#define F_SS		0x40
#define USER_FRAME_BYTES	(F_SS + 4)	/* registers plus the 5-word hardware frame */

/*
 * Save the interrupted registers below the hardware frame and the error
 * code slot, load the kernel's data segments, and move to the task stack.
 * %gs is left alone (the kernel does not use it); its slot holds zero.
 */
.macro SAVE_REGS
	cld
	pushl	$0
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
#ifdef CLEAR_CS_HIGH
	/* The CPU may have stored only the selector: the rest is ours. */
	andl	$0x0000ffff, F_CS(%esp)
#endif
	MOVE_TO_TASK_STACK
.endm

.macro MOVE_TO_TASK_STACK
#ifdef KERNEL_ENTRIES_ON_TASK_STACK
	/* Variant (examples/sysenter-tf): trusts that kernel code never runs
	 * on the entry stack, so only user-mode entries move. */
	testl	$RPL_BITS, F_CS(%esp)
	jz	.Lon_task_stack_\@
#endif
	/* Frames already on the task stack stay where they are. */
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %ecx
	subl	%esp, %ecx
	cmpl	$ENTRY_STACK_SIZE, %ecx
	jae	.Lon_task_stack_\@

	/* %esi: the frame; %edi: top of the task stack, kept above the entry stack */
	movl	%esp, %esi
	movl	%esi, %edi
	andl	$ENTRY_STACK_MASK, %edi
	addl	$ENTRY_STACK_SIZE, %edi
	movl	ENTRY_TOP_TO_TASK_TOP(%edi), %edi

	testl	$RPL_BITS, F_CS(%esp)
	jz	.Lkernel_on_entry_stack_\@
	movl	$USER_FRAME_BYTES, %ecx

.Lcopy_frame_\@:
	/* Claim the room and move there first: an NMI from now on lands below. */
	subl	%ecx, %edi
	movl	%edi, %esp
	shrl	$2, %ecx
	cld
	rep movsl
	jmp	.Lon_task_stack_\@

.Lkernel_on_entry_stack_\@:
	/*
	 * Kernel code was running on the entry stack (a segment reload on the
	 * way out faulted). Take everything on the entry stack along and mark
	 * the frame so that the way back restores it.
	 */
	movl	%esi, %ecx
	andl	$ENTRY_STACK_MASK, %ecx
	addl	$ENTRY_STACK_SIZE, %ecx
	subl	%esi, %ecx
	orl	$FRAME_FROM_ENTRY_STACK, F_CS(%esp)
	jmp	.Lcopy_frame_\@

.Lon_task_stack_\@:
.endm

/* Copy the frame to the entry stack, then switch: never the other way round. */
.macro MOVE_TO_ENTRY_STACK
	movl	$USER_FRAME_BYTES, %ecx
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %edi
	subl	%ecx, %edi
	movl	%esp, %esi
	movl	%edi, %ebx
	shrl	$2, %ecx
	cld
	rep movsl
	movl	%ebx, %esp
.endm

/* A marked frame came from the entry stack: put everything back there. */
.macro RETURN_TO_ENTRY_STACK_IF_MARKED
	testl	$FRAME_FROM_ENTRY_STACK, F_CS(%esp)
	jz	.Lnot_marked_\@
	andl	$~FRAME_FROM_ENTRY_STACK, F_CS(%esp)
	movl	%esp, %esi
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %edi
	movl	PER_CPU_VAR(pcpu_task_stack_top), %ecx
	subl	%esi, %ecx
	subl	%ecx, %edi
	movl	%edi, %ebx
	shrl	$2, %ecx
	cld
	rep movsl
	movl	%ebx, %esp
.Lnot_marked_\@:
.endm

/*
 * Reload the interrupted registers. A segment reload may fault (the
 * selector's descriptor changed while we were in the kernel); the fixup
 * zeroes the saved selector and retries, which loads the null selector.
 */
.macro RESTORE_REGS
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%eax
1:	popl	%ds
2:	popl	%es
3:	popl	%fs
	addl	$8, %esp		/* the %gs slot and the error code */
	.pushsection .fixup, "ax"
4:	movl	$0, (%esp)
	jmp	1b
5:	movl	$0, (%esp)
	jmp	2b
6:	movl	$0, (%esp)
	jmp	3b
	.popsection
	_ASM_EXTABLE(1b, 4b)
	_ASM_EXTABLE(2b, 5b)
	_ASM_EXTABLE(3b, 6b)
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
	movl	%esp, %eax
	movl	F_ERROR(%esp), %edx
	call	handle_gp_fault
	jmp	exit_to_interrupted

exit_to_interrupted:
	/* User mode (or vm86) gets the entry stack back; the kernel its own. */
	movl	F_EFLAGS(%esp), %eax
	movb	F_CS(%esp), %al
	andl	$(EFLAGS_VM | RPL_BITS), %eax
	cmpl	$USER_RPL, %eax
	jb	.Lexit_to_kernel
	MOVE_TO_ENTRY_STACK
	RESTORE_REGS
	iret

.Lexit_to_kernel:
	RETURN_TO_ENTRY_STACK_IF_MARKED
	RESTORE_REGS
	iret

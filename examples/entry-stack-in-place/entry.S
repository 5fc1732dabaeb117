/*
 * entry-stack-in-place: the reviewer's alternative to copying the entry
 * stack (../../shared/seed: "leave the current exception pt_regs on the
 * entry stack and just switch to the task stack for the call to the
 * handler"). Written for entrycheck in our own words.
 *
 *  - The CPU delivers every user-mode event onto the per-CPU entry stack.
 *    The entry saves the registers there and moves the frame to the task
 *    stack (ESP first, copy second), as before.
 *  - A kernel-mode entry on the task stack stays there.
 *  - A kernel-mode entry on the entry stack (the exit path's segment reload
 *    faulted) leaves its frame where it is. Only the C call runs on the
 *    task stack: ESP moves to the task stack top for the call and comes
 *    back to the frame after it. No copy, no mark in the CS dword, so the
 *    CS dword's upper half is never read and need not be cleared.
 *
 * The price: while the handler runs, the frame lives on the per-CPU entry
 * stack. That is only sound if the handler cannot sleep or migrate
 * (contract "may_sleep": false): another task on this CPU would reuse the
 * entry stack, and on another CPU we would come back to a different one.
 * The faults the exit path can take (segment reloads) only run the
 * exception-table fixup, with interrupts off: they do not sleep.
 *
 * ENTRY_STACK_SIZE, ENTRY_STACK_MASK, ENTRY_TOP_TO_TASK_TOP, pcpu_* and the
 * selectors come from the spec, as asm-offsets would.
 */

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
#define USER_FRAME_BYTES	(F_SS + 4)

.macro SAVE_REGS
	cld
	pushl	$0			/* %gs slot */
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
	MOVE_USER_FRAME_TO_TASK_STACK
.endm

/* Only user-mode frames move; kernel frames stay where the CPU put them. */
.macro MOVE_USER_FRAME_TO_TASK_STACK
	testl	$RPL_BITS, F_CS(%esp)
	jz	.Ldone_\@
	movl	%esp, %esi
	movl	%esi, %edi
	andl	$ENTRY_STACK_MASK, %edi
	addl	$ENTRY_STACK_SIZE, %edi
	movl	ENTRY_TOP_TO_TASK_TOP(%edi), %edi
	movl	$USER_FRAME_BYTES, %ecx
	subl	%ecx, %edi
	movl	%edi, %esp		/* claim the room first: an NMI lands below */
	shrl	$2, %ecx
	rep movsl
.Ldone_\@:
.endm

/*
 * Call a C handler with %eax = pt_regs, always on the task stack. %ebx is
 * callee-saved: it brings us back to the frame, wherever it is.
 */
.macro CALL_ON_TASK_STACK handler
	movl	%esp, %eax
	movl	%esp, %ebx
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %ecx
	subl	%esp, %ecx
	cmpl	$ENTRY_STACK_SIZE, %ecx
	jae	.Lcall_\@		/* not on the entry stack: call right here */
	movl	PER_CPU_VAR(pcpu_task_stack_top), %esp
.Lcall_\@:
	call	\handler
	movl	%ebx, %esp		/* back to the frame (entry stack or not) */
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
	CALL_ON_TASK_STACK handle_irq
	jmp	exit_to_interrupted

	.globl	gp_fault_entry
gp_fault_entry:
	SAVE_REGS			/* the CPU pushed the error code */
	movl	F_ERROR(%esp), %edx
	CALL_ON_TASK_STACK handle_gp_fault
	jmp	exit_to_interrupted

exit_to_interrupted:
	movl	F_EFLAGS(%esp), %eax
	movb	F_CS(%esp), %al
	andl	$(EFLAGS_VM | RPL_BITS), %eax
	cmpl	$USER_RPL, %eax
	jb	.Lexit_to_kernel
	MOVE_TO_ENTRY_STACK
	.globl	exit_user_segments
exit_user_segments:
	RESTORE_REGS
	iret

.Lexit_to_kernel:
	/* The frame is where the entry found it: task stack or entry stack. */
	RESTORE_REGS
	iret

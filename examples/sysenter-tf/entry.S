/*
 * sysenter-tf: a SYSENTER entry on top of the pti32-entry-stack design.
 *
 * SYSENTER does not clear TF. A user program that sets TF and executes
 * SYSENTER gets a single-step #DB before the first instruction of the
 * SYSENTER handler: in kernel mode, on the entry (SYSENTER) stack. The #DB
 * entry must treat that like any kernel-mode entry on the entry stack (move
 * the whole entry stack along, mark the frame, bring it back on the way out).
 * TF stays set until the handler clears it, so every instruction up to that
 * point traps again.
 *
 * With KERNEL_ENTRIES_ON_TASK_STACK the shared macros assume that kernel
 * code never runs on the entry stack: the #DB then runs its C handler on the
 * entry stack.
 */
#include "../pti32-entry-stack/entry.S"

#define X86_EFLAGS_FIXED_BIT1	0x00000002
#define FLAGS_TO_CLEAR		(0x00004000 | 0x00040000 | 0x00000100)	/* NT AC TF */

	.globl	debug_entry
debug_entry:
	pushl	$-1			/* #DB pushes no error code */
	SAVE_REGS
	movl	%esp, %eax
	call	handle_debug
	jmp	exit_to_interrupted

	.globl	entry_sysenter
entry_sysenter:
	/* ESP is the top of the entry stack; the task stack's top is kept
	 * just above it (in the TSS). Build the user frame there. */
	movl	ENTRY_TOP_TO_TASK_TOP(%esp), %esp
	pushl	$__USER_DS		/* ss */
	pushl	%ebp			/* user esp: the vDSO passes it in %ebp */
	pushfl				/* the user's flags, TF included */
	orl	$0x200, (%esp)		/* user mode runs with IF set */
	pushl	$__USER_CS
	pushl	$0			/* eip: the handler fills in the return point */
	pushl	$-1			/* orig_eax */
	SAVE_REGS
	/* Single-stepping the kernel is no use to anyone: drop TF (and NT,
	 * AC) now; the user's copy stays in the frame. */
	testl	$FLAGS_TO_CLEAR, F_EFLAGS(%esp)
	jz	.Lflags_clean
	pushl	$X86_EFLAGS_FIXED_BIT1
	popfl
.Lflags_clean:
	movl	%esp, %eax
	call	handle_syscall
	/* Return with SYSEXIT: EIP from %edx, ESP from %ecx. */
	RESTORE_REGS
	movl	(%esp), %edx		/* eip */
	movl	12(%esp), %ecx		/* user esp */
	addl	$8, %esp
	popfl
	sysexit

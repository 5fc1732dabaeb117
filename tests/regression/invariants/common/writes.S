/*
 * Issue 11.1: each kind of memory writer, alone, breaking stack-bounds or
 * the CR3 rule (PTI: a write to memory not mapped under the user CR3).
 * The spec of each case picks one variant with -D (spec "defines").
 * Stack-bounds variants switch to the kernel CR3 first, so that only
 * stack-bounds can fail; CR3 variants stay on the user CR3.
 */
	.globl	irq_entry
irq_entry:
#ifdef KERNEL_CR3
	movl	%cr3, %eax
	andl	$~PTI_SWITCH_MASK, %eax
	movl	%eax, %cr3
#endif
#ifdef INSN_PUSH
	/* An instruction's push below the task stack's base. */
	movl	$TASK_STACK_BASE, %esp
	pushl	%eax
#endif
#ifdef INSN_STORE
	/* An instruction's store to the per-CPU area (kernel-only). */
	movl	%eax, PERCPU_BASE
#endif
#ifdef STRING_MOVE
	/* A string move: from the entry stack to MOVE_DEST, two dwords. */
	movl	%esp, %esi
	movl	$MOVE_DEST, %edi
	movl	$2, %ecx
	cld
	rep movsl
#endif
#ifdef DELIVERY
	/* An exception (#BP) with ESP at DELIVERY_ESP: the CPU's frame. */
	movl	$DELIVERY_ESP, %esp
	int3
#endif
#ifdef NMI_ROOM
	/* ESP NMI_ROOM bytes above the entry stack's base: an NMI's frame and stack do not fit. */
	movl	$(ENTRY_STACK_BASE + NMI_ROOM), %esp
	nop
#endif
#ifdef C_CALL
	/* A C call with ESP at CALL_ESP: its return address and its stack. */
	movl	$CALL_ESP, %esp
	call	handle_irq
#endif
	ud2

	.globl	bp_entry
bp_entry:
	ud2

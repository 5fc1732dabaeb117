/*
 * Small entries, each written to keep or to break one invariant; the spec
 * beside each test picks the variant with -D (spec "defines").
 */
	.globl	irq_entry
irq_entry:
	pushl	$-1
	pushl	%eax
#ifdef SAVE_SEGMENTS
	pushl	%ds
	pushl	%es
#endif
#ifndef NO_CLD
	cld			/* the C ABI wants DF = 0 */
#endif
#ifdef LOAD_KERNEL_SEGMENTS
	/* The C environment: %ds = %es = __USER_DS (the user's are saved above). */
	movl	$__USER_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
#endif
#ifdef PTI_ENTRY
	/* Under PTI only the entry stack is mapped: switch CR3 first. */
	movl	%cr3, %eax
	andl	$~PTI_SWITCH_MASK, %eax
	movl	%eax, %cr3
#endif
#ifdef CALL_ON_TASK_STACK
	/* Handlers want the task stack: move there around the call. */
	movl	%esp, %eax
	movl	PER_CPU_VAR(pcpu_task_top), %esp
	pushl	%eax
#ifdef REGS_ARG_OFF_BY_4
	/* Wrong: the pt_regs argument misses the frame by one slot. */
	addl	$4, %eax
#endif
	call	handle_irq
	popl	%esp
#elif !defined(NO_HANDLER_CALL)
	call	handle_irq
#endif
#ifdef SCRATCH_BELOW_ESP
	/* Wrong: keeps a value below ESP across instruction boundaries. */
	movl	%ebx, -4(%esp)
	nop
	movl	-4(%esp), %ebx
#endif
#ifdef OVERFLOW_ENTRY_STACK
	/* Wrong: walks off the bottom of the entry stack. */
	subl	$ENTRY_STACK_SIZE, %esp
	pushl	%eax
	popl	%eax
	addl	$ENTRY_STACK_SIZE, %esp
#endif
#ifdef PTI_EXIT
	movl	%cr3, %eax
	orl	$PTI_SWITCH_MASK, %eax
	movl	%eax, %cr3
#endif
#ifdef SAVE_SEGMENTS
#ifdef ZERO_DS_SLOT
	/* Wrong: nulls the user's %ds although it reloads fine. */
	movl	$0, 4(%esp)
#endif
#ifdef SWAP_SEGMENTS
	/* Wrong: the user's %ds and %es come back swapped. */
	popl	%ds
	popl	%es
#else
	popl	%es
	popl	%ds
#endif
#endif
	popl	%eax
	addl	$4, %esp
	/* entrycheck: assert esp == entry_stack.top - 20 && mem16[esp + 4] == __USER_CS */
	iret

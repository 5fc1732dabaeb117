/*
 * pti32-round-trip: a whole interrupt round trip for a 32-bit kernel with
 * an entry stack and, when the CPU profile turns PTI on, two CR3s. Written
 * for entrycheck in our own words, after the design the seed review
 * (../../shared/seed) discusses and the shape the kernel settled on:
 *
 *  - User-mode events arrive on the per-CPU entry stack, under the user CR3
 *    when PTI is on. The entry saves the registers there, clears the upper
 *    half of the saved CS dword (some CPUs leave it stale; we keep marks in
 *    it), switches to the kernel CR3, then moves the frame to the task stack:
 *    ESP first, copy second, so that an NMI in the middle lands below it.
 *  - The way out copies the frame back to the entry stack, copy first and
 *    ESP second (an NMI on the entry stack runs at the top of the task stack,
 *    where the frame still is), switches to the user CR3, and reloads the
 *    user's segment registers. Any reload may fault; the #GP handler's
 *    exception-table fixup zeroes the saved selector and retries.
 *  - Such a fault enters from kernel mode on the entry stack, with the user
 *    CR3 live. That entry takes the whole entry stack along to the task
 *    stack and records both facts in the CS dword: FRAME_FROM_ENTRY_STACK
 *    (bit 31) and FRAME_FROM_USER_CR3 (bit 30). The return-to-kernel path
 *    copies the entry stack back and, last, returns to the user CR3.
 *
 * Variants (spec "defines"), each a bug the examples show:
 *   SWITCH_BEFORE_COPY  the exit to user mode moves ESP to the entry stack
 *                       before the frame is copied there (example 4)
 *   LOSE_USER_CR3       the return-to-kernel path ignores bit 30 and IRETs
 *                       under the kernel CR3 (example 3)
 *
 * PT_*, CS_FROM_*, PTI_SWITCH_MASK, SIZEOF_entry_stack, MASK_entry_stack,
 * __USER_DS and __KERNEL_PERCPU come from the spec's platform; the layout
 * (pcpu_*, ENTRY_TOP_TO_TSS_SP1) from the spec's constants, as asm-offsets.
 */

#define FRAME_FROM_ENTRY_STACK	CS_FROM_ENTRY_STACK	/* bit 31 of the CS dword */
#define FRAME_FROM_USER_CR3	CS_FROM_USER_CR3	/* bit 30 */

/* Save the interrupted registers below the hardware frame and error code. */
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
	/* The CPU may have stored only the selector: the upper half is ours. */
	andl	$0x0000ffff, PT_CS(%esp)
	SWITCH_TO_KERNEL_CR3
	MOVE_TO_TASK_STACK
.endm

/*
 * Under the user CR3 only the entry stack and the TSS are mapped: switch
 * before the first per-CPU or task-stack access. Remember in the frame that
 * we did, for the return-to-kernel path. Without PTI this is skipped.
 */
.macro SWITCH_TO_KERNEL_CR3
	ALTERNATIVE "jmp .Lcr3_done_\@", "", X86_FEATURE_PTI
	movl	%cr3, %eax
	testl	$PTI_SWITCH_MASK, %eax
	jz	.Lcr3_done_\@
	andl	$~PTI_SWITCH_MASK, %eax
	movl	%eax, %cr3
	orl	$FRAME_FROM_USER_CR3, PT_CS(%esp)
.Lcr3_done_\@:
.endm

.macro SWITCH_TO_USER_CR3
	ALTERNATIVE "jmp .Lcr3_done_\@", "", X86_FEATURE_PTI
	movl	%cr3, %eax
	orl	$PTI_SWITCH_MASK, %eax
	movl	%eax, %cr3
.Lcr3_done_\@:
.endm

.macro MOVE_TO_TASK_STACK
	/* Frames already on the task stack stay where they are. */
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %ecx
	subl	%esp, %ecx
	cmpl	$SIZEOF_entry_stack, %ecx
	jae	.Lon_task_stack_\@

	/* %esi: the frame; %edi: the task stack top, from the TSS above the entry stack */
	movl	%esp, %esi
	movl	%esi, %edi
	andl	$MASK_entry_stack, %edi
	addl	$SIZEOF_entry_stack, %edi
	movl	ENTRY_TOP_TO_TSS_SP1(%edi), %edi

	testl	$SEGMENT_RPL_MASK, PT_CS(%esp)
	jz	.Lkernel_on_entry_stack_\@
	movl	$PTREGS_SIZE, %ecx

.Lcopy_frame_\@:
	/* Claim the room and move there first: an NMI from now on lands below. */
	subl	%ecx, %edi
	movl	%edi, %esp
	shrl	$2, %ecx
	cld
	rep movsl
	jmp	.Lon_task_stack_\@

.Lkernel_on_entry_stack_\@:
	/* The exit path faulted on the entry stack: take all of it along. */
	movl	%esi, %ecx
	andl	$MASK_entry_stack, %ecx
	addl	$SIZEOF_entry_stack, %ecx
	subl	%esi, %ecx
	orl	$FRAME_FROM_ENTRY_STACK, PT_CS(%esp)
	jmp	.Lcopy_frame_\@

.Lon_task_stack_\@:
.endm

/* The frame goes back to the entry stack for the return to user mode. */
.macro MOVE_TO_ENTRY_STACK
	movl	$PTREGS_SIZE, %ecx
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %edi
	subl	%ecx, %edi
	movl	%esp, %esi
	movl	%edi, %ebx
	shrl	$2, %ecx
	cld
#ifdef SWITCH_BEFORE_COPY
	/* Wrong: from here an NMI runs at the task stack top, over the source. */
	movl	%ebx, %esp
	rep movsl
#else
	rep movsl
	/* The copy is complete: only now leave the task stack. */
	movl	%ebx, %esp
#endif
.endm

/* A marked frame came from the entry stack: put everything back there. */
.macro RETURN_TO_ENTRY_STACK_IF_MARKED
	testl	$FRAME_FROM_ENTRY_STACK, PT_CS(%esp)
	jz	.Lnot_marked_\@
	andl	$~FRAME_FROM_ENTRY_STACK, PT_CS(%esp)
	movl	%esp, %esi
	movl	PER_CPU_VAR(pcpu_entry_stack_top), %edi
	movl	PER_CPU_VAR(pcpu_task_stack_top), %ecx
	subl	%esi, %ecx
	subl	%ecx, %edi
	movl	%edi, %ebx
	shrl	$2, %ecx
	cld
	rep movsl
	movl	%ebx, %esp		/* copy first, switch last */
.Lnot_marked_\@:
.endm

/*
 * The interrupted kernel code ran under the user CR3 (the exit path, after
 * its switch): give it back. Last, because afterwards only the entry stack
 * is mapped.
 */
.macro RETURN_TO_USER_CR3_IF_MARKED
#ifndef LOSE_USER_CR3
	testl	$FRAME_FROM_USER_CR3, PT_CS(%esp)
	jz	.Lnot_marked_\@
	andl	$~FRAME_FROM_USER_CR3, PT_CS(%esp)
	SWITCH_TO_USER_CR3
.Lnot_marked_\@:
#endif
.endm

/*
 * Reload the interrupted registers. A segment reload may fault (the user's
 * descriptor changed while we were in the kernel); the fixup zeroes the
 * saved selector and retries, which loads the null selector.
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

	.globl	debug_entry
debug_entry:
	pushl	$-1
	SAVE_REGS
	movl	%esp, %eax
	call	handle_debug
	jmp	exit_to_interrupted

	.globl	gp_fault_entry
gp_fault_entry:
	SAVE_REGS			/* the CPU pushed the error code */
	movl	%esp, %eax
	movl	PT_ORIG_EAX(%esp), %edx
	call	handle_gp_fault
	jmp	exit_to_interrupted

exit_to_interrupted:
	/* User mode (or vm86) gets the entry stack back; the kernel its own. */
	movl	PT_EFLAGS(%esp), %eax
	movb	PT_CS(%esp), %al
	andl	$(X86_EFLAGS_VM | SEGMENT_RPL_MASK), %eax
	cmpl	$USER_RPL, %eax
	jb	.Lexit_to_kernel
	MOVE_TO_ENTRY_STACK
	SWITCH_TO_USER_CR3
	/* From here on: entry stack, user CR3; the reloads below may fault. */
	.globl	exit_user_segments
exit_user_segments:
	RESTORE_REGS
	iret

.Lexit_to_kernel:
	RETURN_TO_ENTRY_STACK_IF_MARKED
	RETURN_TO_USER_CR3_IF_MARKED
	RESTORE_REGS
	iret

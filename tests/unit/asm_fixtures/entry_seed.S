/* Fixture shaped like arch/x86/entry/entry_32.S after the 2018 entry-stack patch. */
#define CS_FROM_ENTRY_STACK	(1 << 31)

.macro SWITCH_TO_KERNEL_STACK

	ALTERNATIVE     "", "jmp .Lend_\@", X86_FEATURE_XENPV

	/* Are we on the entry stack? Bail out if not! */
	movl	PER_CPU_VAR(cpu_entry_area), %ecx
	addl	$CPU_ENTRY_AREA_entry_stack + SIZEOF_entry_stack, %ecx
	subl	%esp, %ecx	/* ecx = (end of entry_stack) - esp */
	cmpl	$SIZEOF_entry_stack, %ecx
	jae	.Lend_\@

	movl	%esp, %esi
	movl	PER_CPU_VAR(cpu_tss_rw + TSS_sp0), %edi

	/* Special case - entry from kernel mode via entry stack */
	testl	$SEGMENT_RPL_MASK, PT_CS(%esp)
	jz	.Lentry_from_kernel_\@

	movl	$PTREGS_SIZE, %ecx
#ifdef CONFIG_VM86
	testl	$X86_EFLAGS_VM, PT_EFLAGS(%esi)
	jz	.Lcopy_pt_regs_\@
	addl	$(4 * 4), %ecx
#endif
.Lcopy_pt_regs_\@:
	subl	%ecx, %edi
	movl	%edi, %esp
	shrl	$2, %ecx
	cld
	rep movsl
	jmp .Lend_\@

.Lentry_from_kernel_\@:
	movl	%esi, %ecx
	andl	$(MASK_entry_stack), %ecx
	addl	$(SIZEOF_entry_stack), %ecx
	sub	%esi, %ecx
	orl	$CS_FROM_ENTRY_STACK, PT_CS(%esp)
	jmp .Lcopy_pt_regs_\@

.Lend_\@:
.endm

.macro PARANOID_EXIT_TO_KERNEL_MODE
	testl	$CS_FROM_ENTRY_STACK, PT_CS(%esp)
	jz	.Lend_\@
	andl	$(~CS_FROM_ENTRY_STACK), PT_CS(%esp)
	movl	%esp, %esi
	movl	PER_CPU_VAR(cpu_tss_rw + TSS_sp0), %edi
	movl	PER_CPU_VAR(cpu_current_top_of_stack), %ecx
	subl	%esi, %ecx
	subl	%ecx, %edi
	movl	%edi, %ebx
	shrl	$2, %ecx
	cld
	rep movsl
	movl	%ebx, %esp
.Lend_\@:
.endm

	.section .entry.text, "ax"
ENTRY(entry_INT80_32)
	SWITCH_TO_KERNEL_STACK
restore_all_kernel:
	PARANOID_EXIT_TO_KERNEL_MODE
.Lirq_return:
1:	iret
.section .fixup, "ax"
2:	pushl	$0
	jmp	1b
.previous
	_ASM_EXTABLE(1b, 2b)
ENDPROC(entry_INT80_32)

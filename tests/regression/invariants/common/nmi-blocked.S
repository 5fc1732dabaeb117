/*
 * Issue 11.5: NMI blocking (SDM Vol.3 §6.7.1). A #PF handler that keeps a
 * value below ESP across an instruction boundary is nmi-safe only while
 * NMIs are blocked: inside an NMI handler, until the next IRET, which may
 * be the IRET of an exception taken inside the handler (NESTED_IRET).
 */
	.globl	pf_entry
pf_entry:
#ifdef NESTED_IRET
	int3			/* #BP inside the handler: its IRET unblocks NMIs */
#endif
	movl	%ebx, -4(%esp)	/* scratch below ESP across a boundary */
	nop
	movl	-4(%esp), %ebx
	addl	$4, %esp	/* the error code */
	iret

	.globl	bp_entry
bp_entry:
	iret

/* GNU as: "duplicate parameter" */
.macro m a, b, a
	nop
.endm
	.globl irq_entry
irq_entry:
	m 1, 2, 3
	iret
/* gas-diff-skip: an input that exceeds an entrycheck limit (issue 17, docs/cli.md Limits) */

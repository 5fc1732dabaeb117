/* a macro that calls itself twice: 2^depth expansions */
.macro m
	nop
	m
	m
.endm
	.globl irq_entry
irq_entry:
	m
	iret
/* gas-diff-skip: an input that exceeds an entrycheck limit (issue 17, docs/cli.md Limits) */

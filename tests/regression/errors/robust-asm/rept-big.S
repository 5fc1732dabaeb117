	.globl irq_entry
irq_entry:
.rept 100000000
	nop
.endr
	iret
/* gas-diff-skip: an input that exceeds an entrycheck limit (issue 17, docs/cli.md Limits) */

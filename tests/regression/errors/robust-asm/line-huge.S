#line 99999999999999999999
	.globl irq_entry
irq_entry:
	iret
/* gas-diff-skip: an input that exceeds an entrycheck limit (issue 17, docs/cli.md Limits) */

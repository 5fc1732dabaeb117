/* 1000^3 statements */
	.globl irq_entry
irq_entry:
.rept 1000
.rept 1000
.rept 1000
	nop
.endr
.endr
.endr
	iret
/* gas-diff-skip: an input that exceeds an entrycheck limit (issue 17, docs/cli.md Limits) */

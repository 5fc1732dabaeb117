/* /dev/zero is not a regular file: reading it would never end */
#include "/dev/zero"
	.globl irq_entry
irq_entry:
	iret
/* gas-diff-skip: an input that exceeds an entrycheck limit (issue 17, docs/cli.md Limits) */

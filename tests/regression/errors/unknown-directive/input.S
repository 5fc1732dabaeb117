	.globl irq_entry
	.frobnicate 3
irq_entry:
	iret

	.globl irq_entry
irq_entry:
	call mystery_function
	iret

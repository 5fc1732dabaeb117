	.globl start
start:
	movb $256, %al
	mov $1, (%esp)
	movb $-255, %bl

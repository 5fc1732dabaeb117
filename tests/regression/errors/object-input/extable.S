1:	popl %ds
2:	ret
	.pushsection __ex_table,"a"
	.long 1b - ., 2b - ., 3
	.popsection
# gas-diff-skip: assembled into extable.o for the object front end's error cases (make-objects.sh)

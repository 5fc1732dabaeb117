140:	jmp 141f
141:	ret
	.pushsection .altinstructions,"a"
	.long 140b - .
	.long 143f - .
	.word 7*32+11
	.byte 141b - 140b
	.byte 144f - 143f
	.popsection
	.pushsection .altinstr_replacement,"ax"
143:
144:
	.popsection
# gas-diff-skip: assembled into alt.o for the object front end's error cases (make-objects.sh)

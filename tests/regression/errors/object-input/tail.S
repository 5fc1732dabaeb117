	nop
	jmp elsewhere
# gas-diff-skip: assembled into tail.o for the object front end's error cases (make-objects.sh)

	movl %fs:cpu_top, %esp
# gas-diff-skip: assembled into undefined.o for the object front end's error cases (make-objects.sh)

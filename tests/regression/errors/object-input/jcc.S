	jz elsewhere
# gas-diff-skip: assembled into jcc.o for the object front end's error cases (make-objects.sh)

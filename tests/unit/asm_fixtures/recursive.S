	nop
#include "recursive.S"

#define DEF_VALUE 42
#include "more.h"
.macro DEF_MACRO reg
	movl MORE_OFFSET(\reg), \reg
.endm

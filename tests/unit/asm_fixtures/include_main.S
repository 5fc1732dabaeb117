/* Fixture: #include relative to the including file. */
#include "inc/defs.h"
	movl $DEF_VALUE, %eax
	DEF_MACRO %ebx

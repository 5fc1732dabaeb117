/* Seeds for fuzz_asm beside tests/differential/gas/fixtures (fuzz.sh passes
   both): the constructs with limits (cpp macros, .rept, .irp, .macro). */
#define TWICE(x) x; x
#define ADD(a, b) ((a) + (b))
#if ADD(1, 2) == 3 && defined(TWICE)
#line 10 "other.S"
#endif
.macro save regs:vararg
.irp r, \regs
	pushl %\r
.endr
.endm
.set DEPTH, -(~1 + 2) * 4
	.globl entry, other
entry:
	save eax, ebx
.rept 3
	TWICE(nop)
.endr
.irpc c, 12
	movl $\c, %ecx
.endr
	movl $ADD(DEPTH, 0x10), %eax
1:	jmp 1b
	iret

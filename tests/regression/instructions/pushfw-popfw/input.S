/* pushfw pushes FLAGS (16 bits, ESP - 2); popfw pops 16 bits (ESP + 2) and
   loads only FLAGS. From ESP 0x00800000 and EFLAGS 0x2 (exec's defaults):
   pushw $0x8c1 (CF ZF SF OF) then popfw: ESP back to 0x800000,
   EFLAGS = 0x8c3 (bit 1 always set); pushfw stores 0x08c3 at 0x7ffffe
   (ESP 0x7ffffe), popw %dx reads it back (ESP 0x800000). */
start:
	pushw $0x08c1
	popfw
	pushfw
	movl %esp, %ebx
	popw %dx
	movl %esp, %esi
exec_end:
	nop

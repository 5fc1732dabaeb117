/* Each entry point runs one privileged instruction at CPL3 (exec's default
   CS 0x73). SDM: HLT, CLTS, MOV to/from CR3: #GP(0) if CPL > 0; CLI: #GP(0)
   if IOPL < CPL (IOPL 0 here). exec has no IDT, so the run stops at the
   delivery of vector 13. */
do_hlt:
	hlt
	nop
do_clts:
	clts
	nop
do_cli:
	cli
	nop
do_cr3:
	movl %cr3, %eax
	nop

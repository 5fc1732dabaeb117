/*
 * Test fixture: the few CPU feature numbers the bundled examples' ALTERNATIVEs
 * and specs name, in the format of the kernel's
 * arch/x86/include/asm/cpufeatures.h (word*32+bit; X86_BUG(n) is
 * NCAPINTS*32+n), with Linux 6.1's numbers. Written for entrycheck's tests,
 * not copied: entrycheck reads the real header with --cpufeatures.
 */
#define NCAPINTS			22
#define X86_FEATURE_PTI			( 7*32+11)
#define X86_FEATURE_XENPV		( 8*32+16)
#define X86_FEATURE_SMAP		( 9*32+20)
#define X86_BUG(x)			(NCAPINTS*32 + (x))
#define X86_BUG_ESPFIX			X86_BUG(9)

// System instructions and the instruction fidelity points of issues 11 and
// 14: lss sgdt clts hlt verw int3 ud2 clac stac lfence pause, privileged
// instructions at CPL > 0, pushfw/popfw and the other 16-bit stack forms,
// byte/word string moves, bt with a register offset into memory.
// Expected values are worked out from the SDM (Vol.2 instruction pages,
// cited per case), not taken from the tool.
#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

constexpr uint32_t kStack = 0x2000;  // kernel-mode ESP before the instruction
constexpr uint32_t kEsp0 = 0x3000;   // the TSS's ESP0 for entries from user mode

// Delivery from CPL0 (no stack switch): [EIP, CS, EFLAGS] below ESP, plus
// the error code when the vector has one.
void check_kernel_frame(Rig& r, int vector, uint32_t eip, std::optional<uint32_t> error_code) {
  uint32_t top = kStack - 12 - (error_code ? 4 : 0);
  CHECK(r.esp() == top);
  uint32_t at = top;
  if (error_code) {
    CHECK(r.peek(at) == *error_code);
    at += 4;
  }
  CHECK(r.peek(at) == eip);
  CHECK(r.peek(at + 4) == 0x60);
  REQUIRE(r.s.entries.size() == 1);
  CHECK(r.s.entries[0].vector == vector);
  CHECK(r.s.pc == r.label("handler"));
}

// A CPL3 context whose faults enter through the TSS's stack (ESP0 0x3000).
void make_user(Rig& r) {
  r.s.cpl = 3;
  r.set_seg(SEG_CS, 0x73);
  r.set_seg(SEG_SS, 0x7b);
  r.set(Reg::ESP, 0x7000);
  r.poke(r.config.tss_base + 4, kEsp0);
  r.poke(r.config.tss_base + 8, 0x68, 2);
}

// #GP(0) (or another vector) taken from CPL3 at the first instruction.
void check_user_fault(Rig& r, int vector, std::optional<uint32_t> error_code) {
  REQUIRE(r.s.entries.size() == 1);
  CHECK(r.s.entries[0].vector == vector);
  CHECK(r.s.entries[0].from_user);
  uint32_t top = kEsp0 - 20 - (error_code ? 4 : 0);
  CHECK(r.esp() == top);
  if (error_code) CHECK(r.peek(top) == *error_code);
  CHECK(r.peek(top + (error_code ? 4 : 0)) == kTextBase);  // the faulting instruction: index 0
  CHECK(r.peek(kEsp0 - 8) == 0x7000);                     // the user ESP, unchanged
  CHECK(r.s.cpl == 0);
}

}  // namespace

// SDM "LDS/LES/LFS/LGS/LSS": LSS r32, m16:32 loads the offset (dword at +0)
// into the register and the selector (word at +4) into SS.
TEST_CASE("sem: lss loads ESP and SS from a far pointer, with no single-step shadow") {
  Rig r("\tlss (%esp), %esp\n\tnop\n");
  r.set(Reg::ESP, kStack);
  r.poke(kStack, 0x00004ff0);       // offset
  r.poke(kStack + 4, 0x0068, 2);    // selector __KERNEL_DS (DPL0 data)
  r.run();
  CHECK(r.esp() == 0x4ff0);
  CHECK(r.seg(SEG_SS) == 0x68);
  CHECK(r.s.pc == 1);
  CHECK_FALSE(r.s.ss_shadow);
}

TEST_CASE("sem: lss into another register, and with a displacement") {
  Rig r("\tlss 0x30(%esp), %ebx\n");
  r.set(Reg::ESP, kStack);
  r.poke(kStack + 0x30, 0x12345678);
  r.poke(kStack + 0x34, 0x68, 2);
  r.run();
  CHECK(r.get(Reg::EBX) == 0x12345678);
  CHECK(r.esp() == kStack);
  CHECK(r.seg(SEG_SS) == 0x68);
}

// LSS's SS checks are MOV SS's: a null selector is #GP(0); a selector that
// is not a writable data segment of DPL = CPL is #GP(selector & 0xfffc).
// Nothing changes on a fault (ESP still the old one: the frame lies below it).
TEST_CASE("sem: lss faults like mov to SS and changes nothing") {
  struct Case {
    uint32_t selector, error_code;
  };
  // Null: #GP(0); a user selector (RPL 3 != CPL 0): #GP(0x78); the kernel's
  // code segment: #GP(0x60).
  for (Case c : {Case{0x0000, 0}, Case{0x007b, 0x78}, Case{0x0060, 0x60}}) {
    CAPTURE(c.selector);
    Rig r("\tlss (%esp), %esp\n\tnop\nhandler:\tnop\n", RigOptions().gate(13, "handler"));
    r.set(Reg::ESP, kStack);
    r.poke(kStack, 0x4ff0);
    r.poke(kStack + 4, c.selector, 2);
    r.run();
    check_kernel_frame(r, 13, kTextBase, c.error_code);
    CHECK(r.seg(SEG_SS) == 0x68);
  }
}

// SDM "SGDT": 32-bit operand size: limit in the low word, base in the next
// dword. The GDTR is the platform's (MachineConfig::gdtr).
TEST_CASE("sem: sgdt stores the platform's GDTR limit and base") {
  Rig r("\tsubl $8, %esp\n\tsgdtl (%esp)\n");
  r.config.gdtr = DescriptorTableRegister{0xc1a0b000, 0x00ff};
  r.set(Reg::ESP, kStack);
  r.run(2);
  CHECK(r.esp() == kStack - 8);
  CHECK(r.peek(kStack - 8, 2) == 0x00ff);
  CHECK(r.peek(kStack - 6) == 0xc1a0b000);
  CHECK_FALSE(r.written(kStack - 2));  // 6 bytes, no more
}

TEST_CASE("sem: sgdt with no known GDTR cuts the path; at CPL3 UMIP may fault") {
  Rig r("\tsgdt (%esp)\n");
  r.set(Reg::ESP, kStack);
  CHECK_THROWS_AS(r.run(), PathCut);
  Rig u("\tsgdt (%esp)\n\tnop\nhandler:\tnop\n", RigOptions().gate(13, "handler"));
  make_user(u);
  u.d.inputs["sgdt.umip@0"] = 1;
  u.run();
  check_user_fault(u, 13, 0);
}

// SDM "CLTS", "HLT", "MOV—Move to/from Control Registers": #GP(0) if CPL > 0.
TEST_CASE("sem: clts, hlt and mov to/from CR0/CR3 raise #GP(0) at CPL3") {
  for (const char* insn : {"clts", "hlt", "movl %cr3, %eax", "movl %eax, %cr3", "movl %cr0, %eax"}) {
    CAPTURE(insn);
    Rig r(std::string("\t") + insn + "\n\tnop\nhandler:\tnop\n", RigOptions().gate(13, "handler"));
    make_user(r);
    r.run();
    check_user_fault(r, 13, 0);
  }
}

TEST_CASE("sem: clts at CPL0 changes nothing the model holds") {
  Rig r("\tclts\n");
  r.set(Reg::EAX, 0x1234);
  r.run();
  CHECK(r.s.pc == 1);
  CHECK(r.get(Reg::EAX) == 0x1234);
  CHECK(r.s.entries.empty());
}

// HLT at CPL0: the path ends; the interrupted context is not resumed.
TEST_CASE("sem: hlt at CPL0 ends the path without a resume") {
  Rig r("\thlt\n\tnop\n");
  CHECK(stop_kind_of([&] { r.run(); }) == StopKind::Halt);
  CHECK_FALSE(r.s.resumed);
}

// A control register other than CR3: read as an unknown value (the input
// cr0@step), a write cuts the path; never a silent 0 or a dropped write.
TEST_CASE("sem: CR0 reads as an input, a write to it is cut") {
  Rig r("\tmovl %cr0, %eax\n");
  r.d.inputs["cr0@0"] = 0x80050033;
  r.run();
  CHECK(r.get(Reg::EAX) == 0x80050033);
  Rig w("\tmovl %eax, %cr0\n");
  CHECK_THROWS_AS(w.run(), PathCut);
  Rig c("\tmovl %eax, %cr3\n\tmovl %cr3, %ebx\n");
  c.set(Reg::EAX, 0x1000);
  c.run(2);
  CHECK(c.s.cr3.v == 0x1000);
  CHECK(c.get(Reg::EBX) == 0x1000);
}

// SDM "CLI", "STI" (protected mode, PVI = 0): IF changes if CPL <= IOPL,
// else #GP(0).
TEST_CASE("sem: cli/sti at CPL3 depend on IOPL") {
  for (uint32_t iopl : {0u, 3u}) {
    CAPTURE(iopl);
    Rig r("\tcli\n\tnop\nhandler:\tnop\n", RigOptions().gate(13, "handler"));
    make_user(r);
    r.s.iflag = true;
    r.s.eflags_rest = CD::mk(iopl << 12, 32);
    r.run();
    if (iopl == 3) {
      CHECK_FALSE(r.s.iflag);
      CHECK(r.s.pc == 1);
      CHECK(r.s.entries.empty());
    } else {
      check_user_fault(r, 13, 0);
    }
  }
}

// SDM "SYSEXIT": #GP(0) if CPL != 0.
TEST_CASE("sem: sysexit at CPL3 raises #GP(0)") {
  Rig r("\tsysexit\n\tnop\nhandler:\tnop\n", RigOptions().gate(13, "handler"));
  make_user(r);
  r.run();
  check_user_fault(r, 13, 0);
}

// SDM "INT n/INTO/INT3/INT1": INT3 is a trap through vector 3; the frame
// saves the next instruction's EIP, no error code.
TEST_CASE("sem: int3 delivers #BP with the next EIP") {
  Rig r("\tint3\n\tnop\nhandler:\tnop\n", RigOptions().gate(3, "handler"));
  r.set(Reg::ESP, kStack);
  r.s.iflag = true;
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::Exception);
  CHECK(ev.vector == 3);
  check_kernel_frame(r, 3, kTextBase + 4, std::nullopt);
  CHECK(r.peek(kStack - 4) == 0x202);  // IF | bit 1; a trap: RF clear
  CHECK_FALSE(r.s.iflag);
}

// SDM "UD2": #UD (vector 6), a fault: the frame saves UD2's own EIP.
TEST_CASE("sem: ud2 raises #UD at its own EIP") {
  Rig r("\tnop\n\tud2\nhandler:\tnop\n", RigOptions().gate(6, "handler"));
  r.set(Reg::ESP, kStack);
  r.run(2);
  check_kernel_frame(r, 6, kTextBase + 4, std::nullopt);
  CHECK(r.peek(kStack - 4) == (0x2 | FL_RF));  // a fault: RF set in the image
}

TEST_CASE("sem: mov to %cs is #UD") {
  Rig r("\tmovl %eax, %cs\n\tnop\nhandler:\tnop\n", RigOptions().gate(6, "handler"));
  r.set(Reg::ESP, kStack);
  r.set(Reg::EAX, 0x60);
  r.run();
  check_kernel_frame(r, 6, kTextBase, std::nullopt);
}

// SDM "CLAC", "STAC": EFLAGS.AC (bit 18); #UD at CPL > 0 or without SMAP.
TEST_CASE("sem: clac and stac set EFLAGS.AC on a CPU with SMAP") {
  Rig r("\tstac\n\tclac\n");
  r.config.profile.features.insert("X86_FEATURE_SMAP");
  r.run();
  CHECK((r.eflags() & FL_AC) != 0);
  CHECK(r.eflags() == (0x2 | FL_AC));
  r.run();
  CHECK(r.eflags() == 0x2);
  CHECK(r.s.pc == 2);
}

TEST_CASE("sem: clac raises #UD at CPL3 and on a CPU without SMAP") {
  Rig u("\tclac\n\tnop\nhandler:\tnop\n", RigOptions().gate(6, "handler"));
  u.config.profile.features.insert("X86_FEATURE_SMAP");
  make_user(u);
  u.run();
  check_user_fault(u, 6, std::nullopt);
  Rig k("\tclac\n\tnop\nhandler:\tnop\n", RigOptions().gate(6, "handler"));
  k.set(Reg::ESP, kStack);
  k.run();
  check_kernel_frame(k, 6, kTextBase, std::nullopt);
}

// SDM "VERW": ZF = the selector names a data segment writable at
// max(CPL, RPL). The other flags stay.
TEST_CASE("sem: verw sets ZF by writability and leaves the other flags") {
  struct Case {
    uint32_t selector;
    int cpl;
    bool zf;
  };
  // __KERNEL_DS at CPL0: yes; __USER_DS (DPL3): yes; __KERNEL_CS: code,
  // no; null: no; __KERNEL_DS at CPL3: DPL 0 < 3, no.
  for (Case c : {Case{0x68, 0, true}, Case{0x7b, 0, true}, Case{0x60, 0, false}, Case{0x0, 0, false},
                 Case{0x68, 3, false}}) {
    CAPTURE(c.selector);
    CAPTURE(c.cpl);
    Rig r("\tverw %ax\n");
    r.s.cpl = c.cpl;
    r.set(Reg::EAX, c.selector);
    r.s.cf = true;
    r.s.zf = !c.zf;
    r.run();
    CHECK(r.s.zf == c.zf);
    CHECK(r.s.cf);
  }
}

TEST_CASE("sem: verw of another selector: the input decides; from memory, a word") {
  for (uint64_t writable : {0, 1}) {
    Rig r("\tverw %cs:(%ebx)\n");
    r.config.selectors.push_back({"__KERNEL_CS_FLAT", 0x60, 0, 0, true});
    r.set(Reg::EBX, 0x3000);
    r.poke(0x3000, 0xffff0123);  // selector 0x0123: only the low word counts
    r.d.inputs["verw.writable@0"] = writable;
    r.run();
    CHECK(r.s.zf == (writable == 1));
  }
}

TEST_CASE("sem: nop forms, pause and lfence change nothing but EIP") {
  Rig r("\tnop\n\tnopl 4(%eax)\n\tpause\n\tlfence\n\trep nop\n\txchg %ax, %ax\n");
  r.set(Reg::EAX, 0xdeadbeef);
  r.set_flags(true);
  r.run(6);
  CHECK(r.s.pc == 6);
  CHECK(r.get(Reg::EAX) == 0xdeadbeef);
  CHECK(r.s.mem.empty());
  check_flags(r.s, Flags{1, 1, 1, 1, 1, 1});
}

// SDM "PUSHF": the 16-bit form pushes FLAGS (the low word), ESP - 2.
// SDM "POPF": the 16-bit form pops a word into FLAGS; the upper half of
// EFLAGS (AC, RF, ID...) stays.
TEST_CASE("sem: pushfw and popfw move 16 bits and ESP by 2") {
  Rig r("\tpushfw\n\tpopfw\n");
  r.set(Reg::ESP, kStack);
  r.s.cf = true;
  r.s.eflags_rest = CD::mk(FL_AC, 32);
  r.run();
  CHECK(r.esp() == kStack - 2);
  CHECK(r.peek(kStack - 2, 2) == 0x0003);  // CF | bit 1
  CHECK_FALSE(r.written(kStack - 3));
  r.poke(kStack - 2, 0x0ac0, 2);  // OF DF ZF SF, IOPL 0, CF clear
  r.run();
  CHECK(r.esp() == kStack);
  CHECK(r.eflags() == (0x0ac2 | FL_AC));  // AC kept
}

TEST_CASE("sem: 16-bit push and pop of registers, immediates and selectors") {
  Rig r("\tpushw %ax\n\tpushw $0x1234\n\tpushw %ds\n\tpopw %bx\n\tpopw %es\n\tpopw %cx\n");
  r.set(Reg::ESP, kStack);
  r.set(Reg::EAX, 0xaaaabeef);
  r.set(Reg::EBX, 0xbbbbbbbb);
  r.d.selector_validity[0x1234] = true;
  r.run(3);
  CHECK(r.esp() == kStack - 6);
  CHECK(r.peek(kStack - 2, 2) == 0xbeef);
  CHECK(r.peek(kStack - 4, 2) == 0x1234);
  CHECK(r.peek(kStack - 6, 2) == 0x007b);
  r.run(3);
  CHECK(r.get(Reg::EBX) == 0xbbbb007b);  // popw %bx keeps the upper half
  CHECK(r.seg(SEG_ES) == 0x1234);
  CHECK(r.get(Reg::ECX) == 0x0000beef);
  CHECK(r.esp() == kStack);
}

// SDM "MOVS": MOVSB/MOVSW move 1/2 bytes and step ESI/EDI by 1/2 (back
// when DF = 1); REPNE on MOVS repeats like REP (GNU as emits F2; CPUs and
// QEMU treat it as REP).
TEST_CASE("sem: movsb, movsw and repne movsw") {
  Rig r("\tmovsb\n\tstd\n\tmovsw\n");
  r.set(Reg::ESI, 0x3000);
  r.set(Reg::EDI, 0x4000);
  r.poke(0x3000, 0x44332211);
  r.run();
  CHECK(r.peek(0x4000, 1) == 0x11);
  CHECK_FALSE(r.written(0x4001));
  CHECK(r.get(Reg::ESI) == 0x3001);
  r.run(2);  // std; movsw from 0x3001 to 0x4001, then both step back by 2
  CHECK(r.peek(0x4001, 2) == 0x3322);
  CHECK(r.get(Reg::ESI) == 0x2fff);
  CHECK(r.get(Reg::EDI) == 0x3fff);
  Rig n("\trepne movsw\n\tnop\n");
  n.set(Reg::ECX, 2);
  n.set(Reg::ESI, 0x3000);
  n.set(Reg::EDI, 0x4000);
  n.poke(0x3000, 0xddccbbaa);
  n.s.zf = false;  // REPNE would stop on ZF = 1; MOVS ignores ZF
  n.run(2);
  CHECK(n.peek(0x4000) == 0xddccbbaa);
  CHECK(n.get(Reg::ECX) == 0);
  CHECK(n.s.pc == 1);
}

// SDM "BT": with a register offset into memory, the offset is a signed
// bit index into the bit string at the operand: dword at EA + 4*(off SAR 5).
TEST_CASE("sem: bt/bts/btr with a register offset into memory address the bit string") {
  Rig r("\tbtsl %ecx, (%ebx)\n\tbtl %edx, (%ebx)\n");
  r.set(Reg::EBX, 0x3000);
  r.set(Reg::ECX, 37);          // dword at 0x3004, bit 5
  r.set(Reg::EDX, 0xffffffff);  // -1: dword at 0x2ffc, bit 31
  r.poke(0x3004, 0);
  r.poke(0x2ffc, 0x80000000);
  r.run();
  CHECK(r.peek(0x3004) == 0x20);
  CHECK_FALSE(r.s.cf);
  r.run();
  CHECK(r.s.cf);
}

// GNU as takes %ecx as the shift count and means %cl.
TEST_CASE("sem: shl %ecx, %eax shifts by %cl") {
  Rig r("\tshll %ecx, %eax\n");
  r.set(Reg::EAX, 1);
  r.set(Reg::ECX, 0xffffff04);  // CL = 4
  r.run();
  CHECK(r.get(Reg::EAX) == 0x10);
}

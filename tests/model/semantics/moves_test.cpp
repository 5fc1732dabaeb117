// Data moves: mov (all sizes), movzx/movsx, lea, xchg, push/pop, pushfl/popfl,
// cld/std/cli/sti (SDM Vol.2 entries of the same names; facts §2, §6).
#include <string>
#include <vector>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

TEST_CASE("sem: mov register and immediate, partial writes keep the rest") {
  Rig r("\tmovl $0x12345678, %edx\n\tmovb $0x12, %ah\n\tmovw $0x3456, %ax\n\tmovb %ah, %bl\n"
        "\tmovb $0x99, %al\n\tmovw %ax, %bx\n");
  r.set(Reg::EAX, 0xaabbccdd);
  r.set(Reg::EBX, 0x11223344);
  r.set_flags(true);
  r.run();
  CHECK(r.get(Reg::EDX) == 0x12345678);
  r.run();
  CHECK(r.get(Reg::EAX) == 0xaabb12dd);  // only bits 15:8
  r.run();
  CHECK(r.get(Reg::EAX) == 0xaabb3456);  // only bits 15:0
  r.run();
  CHECK(r.get(Reg::EBX) == 0x11223334);  // %bl <- %ah = 0x34
  r.run();
  CHECK(r.get(Reg::EAX) == 0xaabb3499);  // only bits 7:0
  r.run();
  CHECK(r.get(Reg::EBX) == 0x11223499);  // %bx <- 0x3499
  check_flags(r.s, {1, 1, 1, 1, 1, 1});  // mov changes no flag
}

TEST_CASE("sem: mov to and from memory, all sizes") {
  Rig r("\tmovl 8(%esp), %ecx\n\tmovw %cx, (%ebx)\n\tmovb %cl, 3(%ebx)\n\tmovl $-1, 4(%ebx)\n"
        "\tmovzbl PT_X(%esp), %edx\n\tmovl %fs:8, %esi\n",
        RigOptions().constant("PT_X", 0x9));
  r.set(Reg::ESP, 0x2000);
  r.set(Reg::EBX, 0x3000);
  r.poke(0x2008, 0xcafebabe);
  r.poke(0x3000, 0x11111111);
  r.poke(0x3004, 0x22222222);
  r.poke(kFsBase + 8, 0x0badf00d);
  r.run();
  CHECK(r.get(Reg::ECX) == 0xcafebabe);
  r.run();
  CHECK(r.peek(0x3000) == 0x1111babe);  // 2 bytes stored
  r.run();
  CHECK(r.peek(0x3000) == 0xbe11babe);  // 1 byte at 0x3003
  r.run();
  CHECK(r.peek(0x3004) == 0xffffffff);
  r.run();
  CHECK(r.get(Reg::EDX) == 0x000000ba);  // byte at 0x2009 (PT_X = 9)
  r.run();
  CHECK(r.get(Reg::ESI) == 0x0badf00d);  // %fs (0xd8) has base kFsBase
}

TEST_CASE("sem: movzx/movsx") {
  struct Case {
    std::string insn;
    uint32_t eax, ecx_after;
  };
  for (const Case& c : std::vector<Case>{
           {"movzbl %al, %ecx", 0x00000080, 0x00000080},
           {"movzbl %ah, %ecx", 0xaabbccdd, 0x000000cc},
           {"movzwl %ax, %ecx", 0xffff8000, 0x00008000},
           {"movsbl %al, %ecx", 0x00000080, 0xffffff80},
           {"movsbl %al, %ecx", 0xffffff7f, 0x0000007f},
           {"movswl %ax, %ecx", 0x00008000, 0xffff8000},
           {"movswl %ax, %ecx", 0xffff7fff, 0x00007fff},
           {"movsbw %al, %cx", 0x00000080, 0x1234ff80},  // %cx only: upper half of %ecx stays
           {"movzbw %al, %cx", 0x000000ff, 0x123400ff},
       }) {
    CAPTURE(c.insn);
    Rig r("\t" + c.insn + "\n");
    r.set(Reg::EAX, c.eax);
    r.set(Reg::ECX, 0x12345678);
    r.run();
    CHECK(r.get(Reg::ECX) == c.ecx_after);
  }
  Rig r("\tmovzbl (%ebx), %ecx\n\tmovsbl 1(%ebx), %edx\n\tmovswl (%ebx), %esi\n");
  r.set(Reg::EBX, 0x3000);
  r.poke(0x3000, 0x000080fe);
  r.run(3);
  CHECK(r.get(Reg::ECX) == 0x000000fe);
  CHECK(r.get(Reg::EDX) == 0xffffff80);
  CHECK(r.get(Reg::ESI) == 0xffff80fe);
}

TEST_CASE("sem: lea computes base + index*scale + disp without touching memory or flags") {
  Rig r("\tleal 8(%eax,%ebx,4), %ecx\n\tleal (,%ebx,8), %edx\n\tleal -4(%esp), %esp\n"
        "\tleal 0x10(%esi,%ebx,2), %edi\n\tleal 0x12345(%eax), %ebp\n");
  r.set(Reg::EAX, 0x1000);
  r.set(Reg::EBX, 3);
  r.set(Reg::ESP, 0x2000);
  r.set(Reg::ESI, 0xffffffea);
  r.set_flags(true);
  r.run(5);
  CHECK(r.get(Reg::ECX) == 0x1014);      // 0x1000 + 3*4 + 8
  CHECK(r.get(Reg::EDX) == 24);          // 3*8
  CHECK(r.esp() == 0x1ffc);              // 0x2000 - 4
  CHECK(r.get(Reg::EDI) == 0x00000000);  // 0xffffffea + 6 + 0x10 wraps to 0
  CHECK(r.get(Reg::EBP) == 0x13345);     // 0x1000 + 0x12345
  CHECK(r.s.mem.empty());
  check_flags(r.s, {1, 1, 1, 1, 1, 1});
}

TEST_CASE("sem: xchg") {
  Rig r("\txchgl %eax, %ebx\n\txchgl %ecx, 4(%esp)\n\txchgb %al, %ah\n\txchgw %dx, %si\n");
  r.set(Reg::EAX, 0x11111234);
  r.set(Reg::EBX, 0x22225678);
  r.set(Reg::ECX, 0x33333333);
  r.set(Reg::EDX, 0xaaaa0001);
  r.set(Reg::ESI, 0xbbbb0002);
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2004, 0x44444444);
  r.run();
  CHECK(r.get(Reg::EAX) == 0x22225678);
  CHECK(r.get(Reg::EBX) == 0x11111234);
  r.run();
  CHECK(r.get(Reg::ECX) == 0x44444444);
  CHECK(r.peek(0x2004) == 0x33333333);
  r.run();
  CHECK(r.get(Reg::EAX) == 0x22227856);
  r.run();
  CHECK(r.get(Reg::EDX) == 0xaaaa0002);
  CHECK(r.get(Reg::ESI) == 0xbbbb0001);
}

// ---- segment registers ----

namespace {

// The #GP(selector) frame on the CPL0 stack that was at 0x2000: EFLAGS, CS,
// EIP of the faulting instruction, error code (facts §6, §1). RF in the
// EFLAGS image is checked separately (see "fault frame ... RF" below).
void check_gp_frame(Rig& r, uint32_t fault_eip, uint32_t eflags_before, uint32_t error_code) {
  CHECK(r.esp() == 0x1ff0);
  CHECK((r.peek(0x1ffc) & ~FL_RF) == eflags_before);
  CHECK(r.peek(0x1ff8) == 0x00000060);  // ZeroExtend profile
  CHECK(r.peek(0x1ff4) == fault_eip);
  CHECK(r.peek(0x1ff0) == error_code);
  CHECK(r.s.pc == r.label("gp"));
  CHECK(r.s.iflag == false);
  REQUIRE(r.s.entries.size() == 1);
  CHECK(r.s.entries[0].vector == 13);
  CHECK(r.s.entries[0].from_user == false);
}

}  // namespace

TEST_CASE("sem: mov to a segment register: null and kernel selectors never fault") {
  for (uint32_t sel : {0u, 1u, 2u, 3u, 0x60u, 0x68u, 0x73u, 0x7bu, 0xd8u}) {
    CAPTURE(sel);
    Rig r("\tmovl %eax, %es\n\tnop\ngp:\tnop\n", RigOptions().gate(13, "gp"));
    r.d.selector_validity[sel] = false;  // even if the oracle says "invalid"
    r.set(Reg::EAX, 0xffff0000 | sel);   // only the low 16 bits are the selector
    r.set(Reg::ESP, 0x2000);
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::None);
    CHECK(r.seg(SEG_ES) == sel);
    CHECK(r.s.pc == 1);
    CHECK(r.esp() == 0x2000);
  }
}

TEST_CASE("sem: mov to a segment register: another selector loads when valid") {
  Rig r("\tmovw %ax, %ds\n\tmov (%ebx), %gs\n\tnop\ngp:\tnop\n", RigOptions().gate(13, "gp"));
  r.d.selector_validity[0x2b] = true;
  r.d.selector_validity[0x8f] = true;
  r.set(Reg::EAX, 0x2b);
  r.set(Reg::EBX, 0x3000);
  r.poke(0x3000, 0xffff008f);
  r.run(2);
  CHECK(r.seg(SEG_DS) == 0x2b);
  CHECK(r.seg(SEG_GS) == 0x8f);
  CHECK(r.s.pc == 2);
  CHECK(r.s.entries.empty());
}

TEST_CASE("sem: mov to a segment register: invalid selector raises #GP(sel & 0xfffc)") {
  Rig r("\tnop\n\tmovl %eax, %ds\n\tnop\ngp:\tnop\n", RigOptions().gate(13, "gp"));
  r.d.selector_validity[0x2b] = false;
  r.set(Reg::EAX, 0x2b);
  r.set(Reg::ESP, 0x2000);
  r.s.cf = true;
  r.s.iflag = true;
  r.run();
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::Exception);
  CHECK(ev.vector == 13);
  CHECK(r.seg(SEG_DS) == 0x7b);  // unchanged
  // EFLAGS = CF | bit 1 | IF = 0x203; EIP = address of the movl (index 1).
  check_gp_frame(r, kTextBase + 4, 0x203, 0x28);
}

TEST_CASE("sem: pop to a segment register that faults leaves ESP and the register") {
  Rig r("\tpopl %fs\n\tnop\ngp:\tnop\n", RigOptions().gate(13, "gp"));
  r.d.selector_validity[0x2f] = false;
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0xdead002f);
  r.run();
  CHECK(r.seg(SEG_FS) == 0xd8);
  // The frame starts at the unchanged ESP 0x2000; error code 0x2f & 0xfffc = 0x2c.
  check_gp_frame(r, kTextBase, 0x2, 0x2c);
  CHECK(r.peek(0x2000) == 0xdead002f);
}

// SDM Vol.3 §17.3.1.1 (§16.3.1.1 in older editions), "Instruction-
// Breakpoint Exception Condition": "For any fault-class exception except a
// debug exception generated in response to an instruction breakpoint, the
// value pushed for RF is 1." A #GP from a segment load is a fault, so the
// EFLAGS image in its frame must have RF (bit 16) set: 0x00010203.
// (Found by this test; fixed in Events::deliver.)
TEST_CASE("sem: fault frame EFLAGS image has RF set") {
  Rig r("\tmovl %eax, %ds\n\tnop\ngp:\tnop\n", RigOptions().gate(13, "gp"));
  r.d.selector_validity[0x2b] = false;
  r.set(Reg::EAX, 0x2b);
  r.set(Reg::ESP, 0x2000);
  r.s.cf = true;
  r.s.iflag = true;
  r.run();
  CHECK(r.peek(0x1ffc) == 0x00010203);  // CF | bit 1 | IF | RF
}

TEST_CASE("sem: mov from a segment register") {
  SUBCASE("to a 32-bit register, zero-extend profile") {
    Rig r("\tmovl %ds, %eax\n", RigOptions().store(SegmentStore::ZeroExtend));
    r.set(Reg::EAX, 0xdeadbeef);
    r.run();
    CHECK(r.get(Reg::EAX) == 0x0000007b);
  }
  SUBCASE("to a 32-bit register, stale profile") {
    Rig r("\tmovl %ds, %eax\n", RigOptions().store(SegmentStore::Stale));
    r.set(Reg::EAX, 0xdeadbeef);
    r.run();
    CHECK(r.get(Reg::EAX) == 0xdead007b);
  }
  SUBCASE("to a 32-bit register, any profile: the input decides") {
    for (uint64_t zext : {0, 1}) {
      Rig r("\tmovl %ds, %eax\n", RigOptions().store(SegmentStore::Any));
      r.d.inputs["zext.movsreg@0"] = zext;
      r.set(Reg::EAX, 0xdeadbeef);
      r.run();
      CHECK(r.get(Reg::EAX) == (zext ? 0x0000007bu : 0xdead007bu));
      CHECK(r.d.used_inputs.count("zext.movsreg@0") == 1);
    }
  }
  SUBCASE("to a 16-bit register or to memory: 16 bits only") {
    Rig r("\tmovw %ss, %ax\n\tmovw %ds, 4(%esp)\n\tmov %fs, (%esp)\n");
    r.set(Reg::EAX, 0xdeadbeef);
    r.set(Reg::ESP, 0x2000);
    r.poke(0x2000, 0xaaaaaaaa);
    r.poke(0x2004, 0xbbbbbbbb);
    r.run(3);
    CHECK(r.get(Reg::EAX) == 0xdead0068);
    CHECK(r.peek(0x2004) == 0xbbbb007b);
    CHECK(r.peek(0x2000) == 0xaaaa00d8);
  }
}

// ---- push / pop ----

TEST_CASE("sem: push register, immediate, memory") {
  Rig r("\tpushl %eax\n\tpushl $0x12345678\n\tpushl $-2\n\tpushl 12(%esp)\n");
  r.set(Reg::EAX, 0xcafebabe);
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0x0000f00d);
  r.run();
  CHECK(r.esp() == 0x1ffc);
  CHECK(r.peek(0x1ffc) == 0xcafebabe);
  r.run();
  CHECK(r.peek(0x1ff8) == 0x12345678);
  r.run();
  CHECK(r.peek(0x1ff4) == 0xfffffffe);
  // 12(%esp) is addressed before the decrement: 0x1ff4 + 12 = 0x2000.
  r.run();
  CHECK(r.esp() == 0x1ff0);
  CHECK(r.peek(0x1ff0) == 0x0000f00d);
}

TEST_CASE("sem: pop register and memory (ESP-based address after the increment)") {
  Rig r("\tpopl %eax\n\tpopl 4(%esp)\n");
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0x11111111);
  r.poke(0x2004, 0x22222222);
  r.poke(0x2008, 0x33333333);
  r.poke(0x200c, 0x44444444);
  r.run();
  CHECK(r.get(Reg::EAX) == 0x11111111);
  CHECK(r.esp() == 0x2004);
  // Pops 0x22222222 from 0x2004; ESP becomes 0x2008; destination 0x2008 + 4.
  r.run();
  CHECK(r.esp() == 0x2008);
  CHECK(r.peek(0x200c) == 0x22222222);
  CHECK(r.peek(0x2008) == 0x33333333);
}

TEST_CASE("sem: push %esp pushes the old value; pop %esp loads the popped value") {
  Rig r("\tpushl %esp\n\tpopl %esp\n");
  r.set(Reg::ESP, 0x2000);
  r.run();
  CHECK(r.esp() == 0x1ffc);
  CHECK(r.peek(0x1ffc) == 0x2000);
  r.poke(0x1ffc, 0x5000);
  r.run();
  CHECK(r.esp() == 0x5000);
}

TEST_CASE("sem: push %sreg fills the slot's upper half per profile") {
  SUBCASE("zero-extend") {
    Rig r("\tpushl %ds\n", RigOptions().store(SegmentStore::ZeroExtend));
    r.set(Reg::ESP, 0x2000);
    r.poke(0x1ffc, 0xaaaaaaaa);
    r.run();
    CHECK(r.esp() == 0x1ffc);
    CHECK(r.peek(0x1ffc) == 0x0000007b);
  }
  SUBCASE("stale: a 16-bit store") {
    Rig r("\tpushl %ds\n", RigOptions().store(SegmentStore::Stale));
    r.set(Reg::ESP, 0x2000);
    r.poke(0x1ffc, 0xaaaaaaaa);
    r.run();
    CHECK(r.esp() == 0x1ffc);
    CHECK(r.peek(0x1ffc) == 0xaaaa007b);
  }
  SUBCASE("any: input zext.push@<step>") {
    for (uint64_t zext : {0, 1}) {
      Rig r("\tnop\n\tpush %fs\n", RigOptions().store(SegmentStore::Any));
      r.d.inputs["zext.push@1"] = zext;
      r.set(Reg::ESP, 0x2000);
      r.poke(0x1ffc, 0xaaaaaaaa);
      r.run(2);
      CHECK(r.esp() == 0x1ffc);
      CHECK(r.peek(0x1ffc) == (zext ? 0x000000d8u : 0xaaaa00d8u));
      CHECK(r.d.used_inputs.count("zext.push@1") == 1);
    }
  }
}

TEST_CASE("sem: pop %sreg uses the low 16 bits of the slot") {
  Rig r("\tpopl %es\n\tpop %gs\n");
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0xdead0068);
  r.poke(0x2004, 0xffff0000);
  r.run();
  CHECK(r.seg(SEG_ES) == 0x68);
  CHECK(r.esp() == 0x2004);
  r.run();
  CHECK(r.seg(SEG_GS) == 0);
  CHECK(r.esp() == 0x2008);
}

// ---- EFLAGS ----

TEST_CASE("sem: pushfl image: bit 1 set, VM and RF clear") {
  SUBCASE("all clear") {
    Rig r("\tpushfl\n");
    r.set(Reg::ESP, 0x2000);
    r.run();
    CHECK(r.peek(0x1ffc) == 0x00000002);
  }
  SUBCASE("many set") {
    Rig r("\tpushfl\n");
    r.set(Reg::ESP, 0x2000);
    r.s.cf = r.s.zf = r.s.iflag = true;
    r.s.eflags_rest = CD::mk(FL_VM | FL_RF | FL_NT | FL_IOPL | FL_AC, 32);
    r.run();
    // CF 0x1 | bit1 0x2 | ZF 0x40 | IF 0x200 | IOPL 0x3000 | NT 0x4000 | AC 0x40000
    CHECK(r.peek(0x1ffc) == 0x00047243);
    CHECK(r.esp() == 0x1ffc);
  }
}

TEST_CASE("sem: popfl at CPL0 loads IF and IOPL, clears RF, leaves VM/VIF/VIP") {
  SUBCASE("sets everything it may") {
    Rig r("\tpopfl\n");
    r.set(Reg::ESP, 0x2000);
    // CF PF AF ZF SF TF IF DF OF = 0xfd5; IOPL 0x3000; NT 0x4000; RF 0x10000; VM 0x20000; AC 0x40000
    r.poke(0x2000, 0x00077fd5);
    r.run();
    CHECK(r.esp() == 0x2004);
    check_flags(r.s, {1, 1, 1, 1, 1, 1});
    CHECK(r.s.tf);
    CHECK(r.s.iflag);
    CHECK(r.s.df);
    // Everything but RF and VM, plus bit 1: 0x7fd5 | 0x40000 | 2
    CHECK(r.eflags() == 0x00047fd7);
  }
  SUBCASE("clears everything it may") {
    // popfl begun with TF set traps after it (single-step): the #DB frame
    // holds the EFLAGS popfl left.
    Rig r("\tpopfl\ndb:\tnop\n", RigOptions().gate(1, "db"));
    r.set(Reg::ESP, 0x2000);
    r.set_flags(true);
    r.s.tf = r.s.iflag = r.s.df = true;
    r.s.eflags_rest = CD::mk(FL_IOPL | FL_NT | FL_RF | FL_VM | FL_AC | FL_VIF | FL_VIP, 32);
    r.poke(0x2000, 0x00000002);
    StepEvent ev = r.run();
    CHECK(ev.vector == 1);
    CHECK(r.esp() == 0x2004 - 12);
    // VM, VIF, VIP stay; RF cleared; IOPL, NT, AC, TF, IF and the rest loaded as 0
    CHECK(r.peek(r.esp() + 8) == (FL_VM | FL_VIF | FL_VIP | FL_FIXED1));
  }
}

TEST_CASE("sem: popfl above CPL0 keeps IOPL, and loads IF only if CPL <= IOPL") {
  // SDM POPF: at CPL > 0, IOPL is not modified, and IF only when CPL <= IOPL.
  for (uint32_t iopl : {0u, 3u}) {
    CAPTURE(iopl);
    Rig r("\tpopfl\n");
    r.s.cpl = 3;
    r.set(Reg::ESP, 0x2000);
    r.s.iflag = false;
    r.s.eflags_rest = CD::mk(iopl << 12, 32);
    r.poke(0x2000, 0x00000202);  // IF set, IOPL 0
    r.run();
    CHECK(r.s.iflag == (iopl == 3));
    CHECK(((r.eflags() >> 12) & 3) == iopl);
  }
}

TEST_CASE("sem: cld/std/cli/sti") {
  Rig r("\tstd\n\tcld\n\tsti\n\tcli\n");
  r.run();
  CHECK(r.s.df);
  r.run();
  CHECK_FALSE(r.s.df);
  r.run();
  CHECK(r.s.iflag);
  r.run();
  CHECK_FALSE(r.s.iflag);
  CHECK(r.s.pc == 4);
}

// Hardware events: delivery through an interrupt gate (facts §1, §2), IRET
// (facts §3), the abstract NMI (facts §4) and C-handler calls under a contract.
#include <string>
#include <vector>

#include "model/semantics/start.hpp"
#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

void deliver(Rig& r, int vector, std::optional<uint32_t> error_code, uint32_t eip) {
  std::optional<CVal> ec;
  if (error_code) ec = CD::mk(*error_code, 32);
  Events<CD>(r.m).deliver(r.s, vector, ec, CD::mk(eip, 32));
}

const char* kEntryProgram = "\tnop\nentry:\tnop\n\tnop\n";

}  // namespace

// ---- delivery from kernel mode: no stack switch ----

TEST_CASE("sem: delivery from kernel mode pushes EFLAGS, CS, EIP (+error code) on the current stack") {
  Rig r(kEntryProgram, RigOptions().gate(14, "entry").gate(32, "entry"));
  r.set(Reg::ESP, 0x2000);
  r.s.cf = true;
  r.s.tf = true;
  r.s.iflag = true;
  r.s.eflags_rest = CD::mk(FL_NT | FL_RF | FL_IOPL, 32);
  // Image: CF 0x1 | bit1 0x2 | TF 0x100 | IF 0x200 | IOPL 0x3000 | NT 0x4000 | RF 0x10000
  const uint32_t image = 0x00017303;
  SUBCASE("with an error code: 16 bytes") {
    deliver(r, 14, 0x2, 0xc0123456);
    CHECK(r.esp() == 0x1ff0);
    CHECK(r.peek(0x1ffc) == image);
    CHECK(r.peek(0x1ff8) == 0x00000060);
    CHECK(r.peek(0x1ff4) == 0xc0123456);
    CHECK(r.peek(0x1ff0) == 0x00000002);
    CHECK_FALSE(r.written(0x1fef));
    REQUIRE(r.s.entries.size() == 1);
    CHECK(r.s.entries[0].vector == 14);
    CHECK(r.s.entries[0].from_user == false);
    CHECK(r.s.entries[0].frame_esp == 0x1ff0);
    CHECK(r.m.event.kind == StepEvent::Kind::Exception);
    CHECK(r.m.event.vector == 14);
  }
  SUBCASE("without an error code: 12 bytes") {
    deliver(r, 32, std::nullopt, 0xc0123456);
    CHECK(r.esp() == 0x1ff4);
    CHECK(r.peek(0x1ffc) == image);
    CHECK(r.peek(0x1ff8) == 0x00000060);
    CHECK(r.peek(0x1ff4) == 0xc0123456);
    CHECK_FALSE(r.written(0x1ff3));
  }
  // After delivery: TF, IF, NT, RF clear; CF and IOPL untouched; CS = kernel_cs; at the gate.
  CHECK_FALSE(r.s.tf);
  CHECK_FALSE(r.s.iflag);
  CHECK(r.s.cf);
  CHECK(r.eflags() == (FL_CF | FL_FIXED1 | FL_IOPL));
  CHECK(r.seg(SEG_CS) == 0x60);
  CHECK(r.seg(SEG_SS) == 0x68);
  CHECK(r.s.cpl == 0);
  CHECK(r.s.pc == r.label("entry"));
}

TEST_CASE("sem: delivery loads CS from config.kernel_cs") {
  Rig r(kEntryProgram, RigOptions().gate(32, "entry"));
  r.config.kernel_cs = 0x10;
  r.set(Reg::ESP, 0x2000);
  deliver(r, 32, std::nullopt, 0);
  CHECK(r.seg(SEG_CS) == 0x10);
  CHECK(r.peek(0x1ff8) == 0x00000060);  // the old CS is what is saved
}

TEST_CASE("sem: delivery stores the CS slot's upper half per profile") {
  SUBCASE("zero-extend") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry").store(SegmentStore::ZeroExtend));
    r.set(Reg::ESP, 0x2000);
    r.poke(0x1ff8, 0xaaaaaaaa);
    deliver(r, 32, std::nullopt, 0);
    CHECK(r.peek(0x1ff8) == 0x00000060);
  }
  SUBCASE("stale") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry").store(SegmentStore::Stale));
    r.set(Reg::ESP, 0x2000);
    r.poke(0x1ff8, 0xaaaaaaaa);
    deliver(r, 32, std::nullopt, 0);
    CHECK(r.peek(0x1ff8) == 0xaaaa0060);
  }
  SUBCASE("any: input zext.cs@<step>") {
    for (uint64_t zext : {0, 1}) {
      Rig r(kEntryProgram, RigOptions().gate(32, "entry").store(SegmentStore::Any));
      r.s.step = 7;
      r.d.inputs["zext.cs@7"] = zext;
      r.set(Reg::ESP, 0x2000);
      r.poke(0x1ff8, 0xaaaaaaaa);
      deliver(r, 32, std::nullopt, 0);
      CHECK(r.peek(0x1ff8) == (zext ? 0x00000060u : 0xaaaa0060u));
    }
  }
}

// ---- delivery from user mode: stack switch through the TSS ----

namespace {

void user_context(Rig& r) {
  r.s.cpl = 3;
  r.set_seg(SEG_CS, 0x73);
  r.set_seg(SEG_SS, 0x7b);
  r.set(Reg::ESP, 0xbfff0000);
  r.s.iflag = true;
  r.poke(0x5004, 0x00002000);  // TSS.ESP0 (tss_base 0x5000)
  r.poke(0x5008, 0xffff0068);  // TSS.SS0: a 16-bit field
}

}  // namespace

TEST_CASE("sem: delivery from user mode switches to TSS.SS0:ESP0 and pushes SS, ESP too") {
  SUBCASE("no error code: 20 bytes") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry"));
    user_context(r);
    deliver(r, 32, std::nullopt, 0x08048000);
    CHECK(r.esp() == 0x1fec);
    CHECK(r.peek(0x1ffc) == 0x0000007b);  // old SS
    CHECK(r.peek(0x1ff8) == 0xbfff0000);  // old ESP
    CHECK(r.peek(0x1ff4) == 0x00000202);  // EFLAGS: IF | bit 1
    CHECK(r.peek(0x1ff0) == 0x00000073);  // old CS
    CHECK(r.peek(0x1fec) == 0x08048000);  // EIP
    CHECK_FALSE(r.written(0x1feb));
    CHECK(r.seg(SEG_SS) == 0x68);
    CHECK(r.seg(SEG_CS) == 0x60);
    CHECK(r.s.cpl == 0);
    CHECK_FALSE(r.s.iflag);
    CHECK(r.s.pc == r.label("entry"));
    REQUIRE(r.s.entries.size() == 1);
    CHECK(r.s.entries[0].from_user);
    CHECK(r.s.entries[0].frame_esp == 0x1fec);
  }
  SUBCASE("with an error code: 24 bytes") {
    Rig r(kEntryProgram, RigOptions().gate(13, "entry"));
    user_context(r);
    deliver(r, 13, 0x28, 0x08048000);
    CHECK(r.esp() == 0x1fe8);
    CHECK(r.peek(0x1ffc) == 0x0000007b);
    CHECK(r.peek(0x1ff8) == 0xbfff0000);
    CHECK(r.peek(0x1ff4) == 0x00000202);
    CHECK(r.peek(0x1ff0) == 0x00000073);
    CHECK(r.peek(0x1fec) == 0x08048000);
    CHECK(r.peek(0x1fe8) == 0x00000028);
  }
  SUBCASE("stale profile: SS and CS slots keep their upper halves") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry").store(SegmentStore::Stale));
    user_context(r);
    r.poke(0x1ffc, 0xaaaaaaaa);
    r.poke(0x1ff0, 0xbbbbbbbb);
    deliver(r, 32, std::nullopt, 0x08048000);
    CHECK(r.peek(0x1ffc) == 0xaaaa007b);
    CHECK(r.peek(0x1ff0) == 0xbbbb0073);
  }
  SUBCASE("any profile: inputs zext.ss@<step> and zext.cs@<step>") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry").store(SegmentStore::Any));
    user_context(r);
    r.d.inputs["zext.ss@0"] = 1;
    r.d.inputs["zext.cs@0"] = 0;
    r.poke(0x1ffc, 0xaaaaaaaa);
    r.poke(0x1ff0, 0xbbbbbbbb);
    deliver(r, 32, std::nullopt, 0x08048000);
    CHECK(r.peek(0x1ffc) == 0x0000007b);
    CHECK(r.peek(0x1ff0) == 0xbbbb0073);
  }
}

TEST_CASE("sem: delivery to a vector with no IDT gate is a violation") {
  Rig r(kEntryProgram);
  r.set(Reg::ESP, 0x2000);
  CHECK(stop_kind_of([&] { deliver(r, 32, std::nullopt, 0); }) == StopKind::NoIdtGate);
}

// ---- IRET ----

TEST_CASE("sem: iret to the same level pops EIP, CS (low 16 bits), EFLAGS") {
  Rig r("\tiret\nback:\tnop\n");
  r.s.entries = {entry_record(32, true, 0x1fec), entry_record(14, false, 0x1ff4)};
  r.s.nmi_blocked = true;
  r.set(Reg::ESP, 0x1ff4);
  r.poke(0x1ff4, 0xc1000004);  // address of `back`
  r.poke(0x1ff8, 0xabcd0060);  // upper half of the CS slot is ignored
  // CF 0x1 | PF 0x4 | ZF 0x40 | IF 0x200 | DF 0x400 | OF 0x800
  r.poke(0x1ffc, 0x00000e45);
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::None);
  CHECK(r.address("back") == 0xc1000004);
  CHECK(r.s.pc == 1);
  CHECK(r.esp() == 0x2000);
  CHECK(r.seg(SEG_CS) == 0x0060);
  CHECK(r.seg(SEG_SS) == 0x68);
  CHECK(r.s.cpl == 0);
  check_flags(r.s, {1, 1, 0, 1, 1, 0});
  CHECK(r.s.iflag);
  CHECK(r.s.df);
  CHECK_FALSE(r.s.tf);
  CHECK(r.eflags() == 0x00000e47);
  CHECK(r.s.entries.size() == 1);
  CHECK_FALSE(r.s.resumed);
  CHECK_FALSE(r.s.nmi_blocked);
}

TEST_CASE("sem: iret to an outer level pops ESP and SS and nulls DPL0 data selectors") {
  Rig r("\tiret\n");
  r.s.entries = {entry_record(32, true, 0x1fec)};
  r.set(Reg::ESP, 0x1fec);
  r.set_seg(SEG_DS, 0x68);  // __KERNEL_DS, DPL0: nulled
  r.set_seg(SEG_ES, 0x7b);  // __USER_DS, DPL3: kept
  r.set_seg(SEG_FS, 0xd8);  // per-CPU, DPL0: nulled
  r.set_seg(SEG_GS, 0x60);  // __KERNEL_CS, DPL0: nulled
  r.poke(0x1fec, 0x08048000);
  r.poke(0x1ff0, 0xffff0073);
  r.poke(0x1ff4, 0x00000202);
  r.poke(0x1ff8, 0xbfff1000);
  r.poke(0x1ffc, 0xffff007b);
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::Resumed);
  CHECK(r.esp() == 0xbfff1000);
  CHECK(r.seg(SEG_SS) == 0x7b);
  CHECK(r.seg(SEG_CS) == 0x73);
  CHECK(r.s.cpl == 3);
  CHECK(r.s.iflag);
  CHECK(r.seg(SEG_DS) == 0);
  CHECK(r.seg(SEG_ES) == 0x7b);
  CHECK(r.seg(SEG_FS) == 0);
  CHECK(r.seg(SEG_GS) == 0);
  CHECK(r.s.resumed);
  CHECK(r.s.resumed_eip.v == 0x08048000);
  CHECK(r.s.entries.empty());
}

TEST_CASE("sem: the outermost iret to the same level marks the run resumed") {
  Rig r("\tiret\n");
  r.s.entries = {entry_record(14, false, 0x1ff4)};
  r.set(Reg::ESP, 0x1ff4);
  r.poke(0x1ff4, 0xc0101234);  // need not be an instruction of the program
  r.poke(0x1ff8, 0x00000060);
  r.poke(0x1ffc, 0x00000002);
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::Resumed);
  CHECK(r.s.resumed);
  CHECK(r.s.resumed_eip.v == 0xc0101234);
  CHECK(r.esp() == 0x2000);
  CHECK(r.s.entries.empty());
}

// ---- NMI ----

namespace {

void nmi_memory(Rig& r) {
  r.set(Reg::ESP, 0x2000);
  r.poke(0x1fec, 0x99999999);  // below the clobber window [0x1ff0, 0x2000)
  for (uint32_t a = 0x1ff0; a < 0x2000; a += 4) r.poke(a, 0x77777777);
  r.poke(0x2000, 0x12345678);
  r.poke(0x2004, 0x9abcdef0);
  r.s.step = 5;
}

void check_untouched(Rig& r) {
  for (uint32_t a = 0x1ff0; a < 0x2000; a += 4) CHECK(r.peek(a) == 0x77777777);
  CHECK(r.peek(0x1fec) == 0x99999999);
  CHECK(r.peek(0x2000) == 0x12345678);
  CHECK(r.peek(0x2004) == 0x9abcdef0);
}

}  // namespace

TEST_CASE("sem: an NMI clobbers only [ESP - nmi_clobber_bytes, ESP)") {
  Rig r("\tmovl $1, %ebx\n", RigOptions().with_nmi(16));
  nmi_memory(r);
  r.set(Reg::EAX, 0xcafe);
  r.d.inputs["nmi@5"] = 1;
  for (uint32_t a = 0x1ff0; a < 0x2000; ++a) r.d.inputs["nmi.byte." + hex32(a) + "@5"] = (a & 0xff) ^ 0x5a;
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::Nmi);
  for (uint32_t a = 0x1ff0; a < 0x2000; ++a) {
    CAPTURE(hex32(a));
    CHECK(r.peek(a, 1) == ((a & 0xff) ^ 0x5a));
  }
  CHECK(r.peek(0x1fec) == 0x99999999);
  CHECK(r.peek(0x2000) == 0x12345678);
  CHECK(r.peek(0x2004) == 0x9abcdef0);
  CHECK(r.esp() == 0x2000);
  CHECK(r.get(Reg::EAX) == 0xcafe);
  CHECK(r.get(Reg::EBX) == 1);  // and the instruction ran
  CHECK(r.s.step == 6);
}

TEST_CASE("sem: no NMI changes nothing") {
  SUBCASE("input nmi@<step> = 0") {
    Rig r("\tnop\n", RigOptions().with_nmi(16));
    nmi_memory(r);
    r.d.inputs["nmi@5"] = 0;
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::None);
    check_untouched(r);
    CHECK(r.d.used_inputs.count("nmi@5") == 1);
  }
  SUBCASE("bounds.nmi = false: never, whatever the input says") {
    Rig r("\tnop\n");
    nmi_memory(r);
    r.d.inputs["nmi@5"] = 1;
    r.run();
    check_untouched(r);
    CHECK(r.d.used_inputs.count("nmi@5") == 0);
  }
  SUBCASE("NMIs blocked until the next iret") {
    Rig r("\tnop\n", RigOptions().with_nmi(16));
    nmi_memory(r);
    r.s.nmi_blocked = true;
    r.d.inputs["nmi@5"] = 1;
    r.run();
    check_untouched(r);
  }
}

// ---- C handler calls ----

TEST_CASE("sem: a C handler call clobbers what its contract says") {
  Rig r("\tcall do_irq\n\tnop\n", RigOptions().handler("do_irq", HandlerContract{}));
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EAX, 1);
  r.set(Reg::ECX, 2);
  r.set(Reg::EDX, 3);
  r.set(Reg::EBX, 4);
  r.set(Reg::EBP, 6);
  r.set(Reg::ESI, 7);
  r.set(Reg::EDI, 8);
  r.s.df = true;
  r.poke(0x2fec, 0x99999999);  // below the 16-byte call window
  for (uint32_t a = 0x2ff0; a < 0x3000; a += 4) r.poke(a, 0x77777777);
  r.poke(0x3000, 0x12345678);
  r.d.inputs["call.eax@0"] = 0x1111;
  r.d.inputs["call.ecx@0"] = 0x2222;
  r.d.inputs["call.edx@0"] = 0x3333;
  r.d.inputs["call.zf@0"] = 1;
  for (uint32_t a = 0x2ff0; a < 0x3000; ++a) r.d.inputs["call.byte." + hex32(a) + "@0"] = a & 0xff;
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::HandlerCall);
  CHECK(r.s.pc == 1);
  CHECK(r.get(Reg::EAX) == 0x1111);
  CHECK(r.get(Reg::ECX) == 0x2222);
  CHECK(r.get(Reg::EDX) == 0x3333);
  CHECK(r.get(Reg::EBX) == 4);
  CHECK(r.get(Reg::EBP) == 6);
  CHECK(r.get(Reg::ESI) == 7);
  CHECK(r.get(Reg::EDI) == 8);
  CHECK(r.esp() == 0x3000);
  CHECK_FALSE(r.s.df);
  CHECK(r.s.zf);
  for (uint32_t a = 0x2ff0; a < 0x3000; ++a) CHECK(r.peek(a, 1) == (a & 0xff));
  CHECK(r.peek(0x2fec) == 0x99999999);
  CHECK(r.peek(0x3000) == 0x12345678);
}

TEST_CASE("sem: a C handler's own clobber list") {
  HandlerContract h;
  h.clobbers = {R_EBX};
  Rig r("\tcall f\n", RigOptions().handler("f", h));
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EAX, 1);
  r.set(Reg::EBX, 4);
  r.d.inputs["call.ebx@0"] = 0x4444;
  r.run();
  CHECK(r.get(Reg::EAX) == 1);
  CHECK(r.get(Reg::EBX) == 0x4444);
}

namespace {

const char* kFixupProgram =
    "\tnop\n"
    "fault_insn:\tpopl %ds\n"
    "fixup_insn:\tnop\n"
    "\t_ASM_EXTABLE(fault_insn, fixup_insn)\n"
    "handler:\tcall do_fault\n"
    "\tnop\n";

// Contracts of C code that does not come back the usual way (docs/spec-format.md).
TEST_CASE("sem: a call whose contract says it never returns ends the path there") {
  HandlerContract h;
  h.returns = false;
  Rig r("\tcall f\n\tnop\n", RigOptions().handler("f", h));
  r.set(Reg::ESP, 0x3000);
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::HandlerCall);
  CHECK(r.s.gone);
  CHECK(r.s.pc == 0);  // not moved on: nothing after the call runs
  CHECK(!r.s.resumed);
}

TEST_CASE("sem: a contract's return values: the register holds the one the input picks, else the path is cut") {
  HandlerContract h;
  h.return_values[R_EAX] = ContractValue{{0, 1}};
  {
    Rig r("\tcall f\n", RigOptions().handler("f", h));
    r.set(Reg::ESP, 0x3000);
    r.d.inputs["call.ret.eax@0"] = 1;
    r.run();
    CHECK(r.get(Reg::EAX) == 1);
    CHECK(r.s.pc == 1);
  }
  {
    Rig r("\tcall f\n", RigOptions().handler("f", h));
    r.set(Reg::ESP, 0x3000);
    r.d.inputs["call.ret.eax@0"] = 7;  // not a value the contract allows
    CHECK_THROWS_AS(r.run(), PathCut);
  }
}

// regs->ip at regs + 0x30 and regs->cs (16 bits, as C writes an unsigned
// short) at regs + 0x34; the outermost entry's rewrites are what resume expects.
TEST_CASE("sem: a contract's frame writes land in the saved frame and, for the outermost entry, in the context to resume") {
  HandlerContract h;
  h.regs_arg = R_EAX;
  h.regs_named = true;
  h.frame_writes = {FrameWrite{"ip", 0x30, 4, "eip", {}}, FrameWrite{"cs", 0x34, 2, "cs", ContractValue{{0x73}}}};
  Rig r("\tcall f\n", RigOptions().handler("f", h));
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EAX, 0x2000);
  r.poke(0x2030, 0x11111111);
  r.poke(0x2034, 0xabcd0060);
  r.s.entries = {entry_record(32, true, 0x2030)};
  r.d.inputs["call.regs.ip@0"] = 0x08001234;
  r.d.inputs["call.regs.cs@0"] = 0x73;
  r.run();
  CHECK(r.peek(0x2030) == 0x08001234);
  CHECK(r.peek(0x2034) == 0xabcd0073);  // the upper half untouched
  REQUIRE(r.s.context_rewrites.count("eip"));
  CHECK(r.s.context_rewrites.at("eip").v == 0x08001234);
  CHECK(r.s.context_rewrites.at("cs").v == 0x73);
}

TEST_CASE("sem: a nested entry's frame rewritten by a contract leaves the context to resume alone") {
  HandlerContract h;
  h.regs_arg = R_EAX;
  h.regs_named = true;
  h.frame_writes = {FrameWrite{"ip", 0x30, 4, "eip", {}}};
  Rig r("\tcall f\n", RigOptions().handler("f", h));
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EAX, 0x2000);
  r.s.entries = {entry_record(32, true, 0x2fc0), entry_record(13, false, 0x2030)};
  r.d.inputs["call.regs.ip@0"] = 0xc1000000;
  r.run();
  CHECK(r.peek(0x2030) == 0xc1000000);
  CHECK(r.s.context_rewrites.empty());
}

HandlerContract fixup_contract() {
  HandlerContract h;
  h.fixup = true;
  h.regs_arg = R_EAX;
  h.ip_offset = 0x30;
  return h;
}

}  // namespace

TEST_CASE("sem: a fixup handler replaces regs->ip found in the exception table") {
  Rig r(kFixupProgram, RigOptions().handler("do_fault", fixup_contract()));
  REQUIRE(r.program.extable.size() == 1);
  r.s.pc = r.label("handler");
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EAX, 0x3000);     // pt_regs at 0x3000
  r.poke(0x3030, 0xc1000004);  // regs->ip = fault_insn (index 1)
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::HandlerCall);
  CHECK(r.peek(0x3030) == 0xc1000008);  // fixup_insn (index 2)
  CHECK(r.address("fixup_insn") == 0xc1000008);
  CHECK(r.s.pc == r.label("handler") + 1);
}

TEST_CASE("sem: a fixup handler with regs->ip not in the exception table is a violation") {
  Rig r(kFixupProgram, RigOptions().handler("do_fault", fixup_contract()));
  r.s.pc = r.label("handler");
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EAX, 0x3000);
  r.poke(0x3030, 0xc1000000);  // the nop at index 0: no entry
  CHECK(stop_kind_of([&] { r.run(); }) == StopKind::KernelFaultNoFixup);
}

TEST_CASE("sem: a nested iret must return into the program") {
  Rig r("\tiret\n");
  r.s.entries = {entry_record(32, true, 0x1fec), entry_record(14, false, 0x1ff4)};
  r.set(Reg::ESP, 0x1ff4);
  r.poke(0x1ff4, 0xc0101234);  // not an instruction of the program
  r.poke(0x1ff8, 0x00000060);
  r.poke(0x1ffc, 0x00000002);
  CHECK(stop_kind_of([&] { r.run(); }) == StopKind::JumpOutsideProgram);
}

TEST_CASE("sem: delivery beyond the nesting bound cuts the path") {
  Rig r(kEntryProgram, RigOptions().gate(32, "entry"));
  r.config.bounds.nesting = 2;
  r.s.entries = {entry_record(32, true, 0x1fec), entry_record(14, false, 0x1ff4)};
  r.set(Reg::ESP, 0x1000);
  CHECK_THROWS_AS(deliver(r, 32, std::nullopt, 0), PathCut);
  CHECK(r.esp() == 0x1000);  // nothing pushed
}

// FACTS §4: Linux's NMI entry, interrupting code on the entry stack, moves to
// the top of the task stack; the abstract NMI may overwrite there too.
TEST_CASE("sem: an NMI on the entry stack also clobbers below the task stack's top") {
  RigOptions o = RigOptions().with_nmi(8);
  o.regions = {Region{"entry_stack", 0x3000, 0x100, true, true}, Region{"task_stack", 0x8000, 0x1000, false, true}};
  Rig r("\tnop\n", o);
  r.set(Reg::ESP, 0x30f0);
  r.s.step = 2;
  r.d.inputs["nmi@2"] = 1;
  for (uint32_t a = 0x30e8; a < 0x30f0; ++a) r.d.inputs["nmi.byte." + hex32(a) + "@2"] = 0x11;
  for (uint32_t a = 0x8ff8; a < 0x9000; ++a) r.d.inputs["nmi.byte." + hex32(a) + "@2"] = 0x22;
  r.poke(0x8ff4, 0x44444444);
  r.run();
  CHECK(r.peek(0x30e8) == 0x11111111);  // below ESP on the entry stack
  CHECK(r.peek(0x8ff8) == 0x22222222);  // the top 8 bytes of the task stack
  CHECK(r.peek(0x8ffc) == 0x22222222);
  CHECK(r.peek(0x8ff4) == 0x44444444);  // nothing further down

  SUBCASE("not when ESP is on the task stack") {
    Rig t("\tnop\n", o);
    t.set(Reg::ESP, 0x8800);
    t.s.step = 2;
    t.d.inputs["nmi@2"] = 1;
    t.poke(0x8ffc, 0x55555555);
    t.run();
    CHECK(t.peek(0x8ffc) == 0x55555555);
  }
  SUBCASE("not with bounds.nmi_leaves_entry_stack off") {
    Rig t("\tnop\n", o);
    t.config.bounds.nmi_leaves_entry_stack = false;
    t.set(Reg::ESP, 0x30f0);
    t.s.step = 2;
    t.d.inputs["nmi@2"] = 1;
    t.poke(0x8ffc, 0x55555555);
    t.run();
    CHECK(t.peek(0x8ffc) == 0x55555555);
  }
}

// An IRET whose saved EIP does not name an instruction (an overwritten
// frame) is a violation, not a jump into nowhere.
TEST_CASE("sem: a nested IRET to an address outside the program is a resume violation") {
  Rig r("\tiret\n");
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0x12345678);  // EIP
  r.poke(0x2004, 0x60);        // CS, RPL 0
  r.poke(0x2008, 0x2);         // EFLAGS
  r.s.entries.push_back(entry_record(32, false, 0));
  r.s.entries.push_back(entry_record(13, false, 0));
  CHECK(stop_kind_of([&] { r.run(); }) == StopKind::JumpOutsideProgram);
}

TEST_CASE("sem: iret above CPL0 keeps IOPL, VM, VIF, VIP, and loads IF only if CPL <= IOPL") {
  // SDM IRET (PROTECTED-MODE-RETURN, same level at CPL3): IF changes only
  // when the old CPL <= IOPL; IOPL, VIF, VIP and VM change only at CPL0.
  for (uint32_t iopl : {0u, 3u}) {
    CAPTURE(iopl);
    Rig r("\tiret\n");
    r.s.cpl = 3;
    r.set_seg(SEG_CS, 0x73);
    r.set_seg(SEG_SS, 0x7b);
    r.s.iflag = false;
    r.s.eflags_rest = CD::mk(iopl << 12, 32);
    r.set(Reg::ESP, 0x2000);
    r.poke(0x2000, 0x08048000);
    r.poke(0x2004, 0x00000073);
    r.poke(0x2008, FL_IF | FL_VIF | FL_VIP | FL_FIXED1);  // IOPL 0, IF set
    r.run();
    CHECK(r.s.resumed);
    CHECK(r.s.cpl == 3);
    CHECK(r.s.iflag == (iopl == 3));
    CHECK(((r.eflags() >> 12) & 3) == iopl);
    CHECK((r.eflags() & (FL_VIF | FL_VIP | FL_VM)) == 0);
  }
}

TEST_CASE("sem: the per-arrival NMI encoding gives the same step, and marks the path's first arrival") {
  // Same inputs, both encodings: the same state; per-arrival only adds the
  // mark after which later arrivals stay symbolic (docs/performance.md).
  for (int arrives : {0, 1}) {
    CAPTURE(arrives);
    std::vector<uint32_t> bytes[2];
    bool marked[2];
    for (int per_arrival : {0, 1}) {
      Rig r("\tmovl $1, %ebx\n", RigOptions().with_nmi(16));
      if (per_arrival) r.config.nmi_encoding = MachineConfig::NmiEncoding::PerArrival;
      nmi_memory(r);
      r.d.inputs["nmi@5"] = arrives;
      for (uint32_t a = 0x1ff0; a < 0x2000; ++a) r.d.inputs["nmi.byte." + hex32(a) + "@5"] = (a & 0xff) ^ 0x5a;
      auto ev = r.run();
      CHECK((ev.kind == StepEvent::Kind::Nmi) == (arrives == 1));
      for (uint32_t a = 0x1fec; a < 0x2008; ++a) bytes[per_arrival].push_back(r.peek(a, 1));
      CHECK(r.get(Reg::EBX) == 1);
      marked[per_arrival] = r.s.nmi_arrived;
    }
    CHECK(bytes[0] == bytes[1]);
    CHECK_FALSE(marked[0]);
    CHECK(marked[1] == (arrives == 1));
  }
}

// ---- NMI blocking (SDM Vol.3 §6.7.1): from an NMI's delivery to the next IRET ----

TEST_CASE("sem: delivering an NMI blocks NMIs; other vectors leave the flag as it is") {
  for (int vector : {2, 3, 14, 32}) {
    CAPTURE(vector);
    Rig r(kEntryProgram, RigOptions().gate(vector, "entry"));
    r.set(Reg::ESP, 0x2000);
    CHECK_FALSE(r.s.nmi_blocked);
    deliver(r, vector, vector == 14 ? std::optional<uint32_t>(0) : std::nullopt, 0);
    CHECK(r.s.nmi_blocked == (vector == 2));
  }
  SUBCASE("an exception inside an NMI handler keeps them blocked") {
    Rig r(kEntryProgram, RigOptions().gate(14, "entry"));
    r.set(Reg::ESP, 0x2000);
    r.s.nmi_blocked = true;
    deliver(r, 14, 0, 0);
    CHECK(r.s.nmi_blocked);
  }
}

TEST_CASE("sem: an NMI handler's nested exception returns with IRET and unblocks NMIs") {
  // The x86-32 nested-NMI case: #PF inside the NMI handler, its IRET
  // unblocks, and an NMI may then arrive at the very next boundary.
  Rig r("\tiret\nback:\tnop\n", RigOptions().with_nmi(16));
  r.s.entries = {entry_record(2, false, 0x1fec), entry_record(14, false, 0x1ff4)};
  r.s.nmi_blocked = true;
  r.set(Reg::ESP, 0x1ff4);
  r.poke(0x1ff4, 0xc1000004);  // back
  r.poke(0x1ff8, 0x00000060);
  r.poke(0x1ffc, 0x00000002);
  r.d.inputs["nmi@0"] = 1;  // blocked: does not arrive at the IRET
  r.d.inputs["nmi@1"] = 1;  // unblocked by the IRET: arrives before `back`
  auto first = r.run();
  CHECK(first.kind == StepEvent::Kind::None);
  CHECK(r.d.used_inputs.count("nmi@0") == 0);
  CHECK_FALSE(r.s.nmi_blocked);
  auto second = r.run();
  CHECK(second.kind == StepEvent::Kind::Nmi);
}

TEST_CASE("sem: a scenario inside an NMI handler starts with NMIs blocked") {
  Rig r(kEntryProgram, RigOptions().gate(14, "entry"));
  StartContext start;
  start.user_mode = false;
  start.cs = 0x60;
  start.ss = 0x68;
  start.esp = 0x2000;
  start.vector = 14;
  start.error_code = 0;
  start.external_interrupt = false;
  start.in_nmi = true;
  CState interrupted = interrupted_context(r.m, start);
  CHECK(interrupted.nmi_blocked);
  start.in_nmi = false;
  CHECK_FALSE(interrupted_context(r.m, start).nmi_blocked);
}

// Virtual-8086 mode and IRET's own faults: delivery from VM86 (FACTS §1,
// SDM "INT n" INTERRUPT-FROM-VIRTUAL-8086-MODE), IRET to VM86 (FACTS §3,
// RETURN-TO-VIRTUAL-8086-MODE), IRET's #GP on bad selectors (FACTS §3, §6)
// and SS loads (FACTS §6; the MOV SS shadow, FACTS §4). Every expected value
// is derived by hand from those sections.
#include <memory>
#include <string>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

void deliver(Rig& r, int vector, std::optional<uint32_t> error_code, uint32_t eip, bool fault = false) {
  std::optional<CVal> ec;
  if (error_code) ec = CD::mk(*error_code, 32);
  Events<CD>(r.m).deliver(r.s, vector, ec, CD::mk(eip, 32), fault);
}

const char* kEntryProgram = "\tnop\nentry:\tnop\n\tnop\n";

// A VM86 context: CPL3, VM=1, IF=1, real-mode segment values; CS's RPL
// bits are 0 on purpose (they mean nothing in VM86). TSS.ESP0 = 0x2000.
void vm86_context(Rig& r) {
  r.s.cpl = 3;
  r.s.eflags_rest = CD::mk(FL_VM, 32);
  r.s.iflag = true;
  r.set_seg(SEG_CS, 0x1234);
  r.set_seg(SEG_SS, 0x2000);
  r.set_seg(SEG_ES, 0x1111);
  r.set_seg(SEG_DS, 0x2222);
  r.set_seg(SEG_FS, 0x3333);
  r.set_seg(SEG_GS, 0x4444);
  r.set(Reg::ESP, 0x0000fff0);
  r.poke(0x5004, 0x00002000);  // TSS.ESP0 (tss_base 0x5000)
  r.poke(0x5008, 0x00000068);  // TSS.SS0
}

}  // namespace

// ---- delivery from virtual-8086 mode ----

TEST_CASE("sem: delivery from vm86 pushes GS FS DS ES SS ESP EFLAGS CS EIP on the TSS stack and nulls the data segments") {
  SUBCASE("no error code: 36 bytes") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry"));
    vm86_context(r);
    deliver(r, 32, std::nullopt, 0x00000100);
    CHECK(r.esp() == 0x2000 - 36);
    CHECK(r.peek(0x1ffc) == 0x00004444);  // GS
    CHECK(r.peek(0x1ff8) == 0x00003333);  // FS
    CHECK(r.peek(0x1ff4) == 0x00002222);  // DS
    CHECK(r.peek(0x1ff0) == 0x00001111);  // ES
    CHECK(r.peek(0x1fec) == 0x00002000);  // SS
    CHECK(r.peek(0x1fe8) == 0x0000fff0);  // ESP
    CHECK(r.peek(0x1fe4) == 0x00020202);  // EFLAGS: VM 0x20000 | IF 0x200 | bit 1
    CHECK(r.peek(0x1fe0) == 0x00001234);  // CS
    CHECK(r.peek(0x1fdc) == 0x00000100);  // EIP
    CHECK_FALSE(r.written(0x1fdb));
    CHECK(r.m.event.detail.find("virtual-8086") != std::string::npos);
  }
  SUBCASE("with an error code (a fault: RF in the image): 40 bytes") {
    Rig r(kEntryProgram, RigOptions().gate(13, "entry"));
    vm86_context(r);
    deliver(r, 13, 0x0000005a, 0x00000100, /*fault=*/true);
    CHECK(r.esp() == 0x2000 - 40);
    CHECK(r.peek(0x1ffc) == 0x00004444);
    CHECK(r.peek(0x1ff0) == 0x00001111);
    CHECK(r.peek(0x1fe4) == 0x00030202);  // VM | RF | IF | bit 1
    CHECK(r.peek(0x1fe0) == 0x00001234);
    CHECK(r.peek(0x1fdc) == 0x00000100);
    CHECK(r.peek(0x1fd8) == 0x0000005a);  // error code
  }
}

TEST_CASE("sem: after delivery from vm86 the handler runs at CPL0 with null data segments and VM, IF clear") {
  Rig r(kEntryProgram, RigOptions().gate(32, "entry"));
  vm86_context(r);
  r.s.tf = true;
  deliver(r, 32, std::nullopt, 0x100);
  CHECK(r.seg(SEG_ES) == 0);
  CHECK(r.seg(SEG_DS) == 0);
  CHECK(r.seg(SEG_FS) == 0);
  CHECK(r.seg(SEG_GS) == 0);
  CHECK(r.seg(SEG_CS) == 0x60);
  CHECK(r.seg(SEG_SS) == 0x68);
  CHECK(r.s.cpl == 0);
  CHECK_FALSE(r.s.iflag);
  CHECK_FALSE(r.s.tf);
  CHECK(r.eflags() == FL_FIXED1);  // VM, RF, NT, TF, IF all clear
  CHECK(r.s.pc == r.label("entry"));
  REQUIRE(r.s.entries.size() == 1);
  CHECK(r.s.entries[0].from_user);
  CHECK(r.s.entries[0].frame_esp == 0x2000 - 36);
}

TEST_CASE("sem: delivery from user mode with VM clear pushes no segment slots") {
  Rig r(kEntryProgram, RigOptions().gate(32, "entry"));
  vm86_context(r);
  r.s.eflags_rest = CD::mk(0, 32);
  r.set_seg(SEG_CS, 0x73);
  deliver(r, 32, std::nullopt, 0x100);
  CHECK(r.esp() == 0x2000 - 20);
  CHECK(r.peek(0x1ffc) == 0x00002000);  // SS first
  CHECK(r.seg(SEG_DS) == 0x2222);       // untouched
}

TEST_CASE("sem: the vm86 segment slots follow the profile's segment-store rule") {
  SUBCASE("stale: the upper halves stay") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry").store(SegmentStore::Stale));
    vm86_context(r);
    for (uint32_t a = 0x1fdc; a < 0x2000; a += 4) r.poke(a, 0xaaaaaaaa);
    deliver(r, 32, std::nullopt, 0x100);
    CHECK(r.peek(0x1ffc) == 0xaaaa4444);
    CHECK(r.peek(0x1ff8) == 0xaaaa3333);
    CHECK(r.peek(0x1ff4) == 0xaaaa2222);
    CHECK(r.peek(0x1ff0) == 0xaaaa1111);
    CHECK(r.peek(0x1fec) == 0xaaaa2000);  // SS
    CHECK(r.peek(0x1fe8) == 0x0000fff0);  // ESP: a full dword
    CHECK(r.peek(0x1fe0) == 0xaaaa1234);  // CS
  }
  SUBCASE("any: inputs zext.gs/fs/ds/es@<step>, one per slot") {
    Rig r(kEntryProgram, RigOptions().gate(32, "entry").store(SegmentStore::Any));
    vm86_context(r);
    r.s.step = 3;
    r.d.inputs["zext.gs@3"] = 1;
    r.d.inputs["zext.fs@3"] = 0;
    r.d.inputs["zext.ds@3"] = 1;
    r.d.inputs["zext.es@3"] = 0;
    for (uint32_t a = 0x1fdc; a < 0x2000; a += 4) r.poke(a, 0xbbbbbbbb);
    deliver(r, 32, std::nullopt, 0x100);
    CHECK(r.peek(0x1ffc) == 0x00004444);
    CHECK(r.peek(0x1ff8) == 0xbbbb3333);
    CHECK(r.peek(0x1ff4) == 0x00002222);
    CHECK(r.peek(0x1ff0) == 0xbbbb1111);
  }
}

// ---- IRET to virtual-8086 mode ----

namespace {

// The frame delivery from vm86 leaves (no error code) at 0x1fdc, with junk
// in the selector slots' upper halves, which IRET discards.
void vm86_iret_frame(Rig& r, uint32_t eip, uint32_t eflags) {
  r.set(Reg::ESP, 0x1fdc);
  r.poke(0x1fdc, eip);
  r.poke(0x1fe0, 0xffff1234);  // CS
  r.poke(0x1fe4, eflags);
  r.poke(0x1fe8, 0x0000fff0);  // ESP
  r.poke(0x1fec, 0xeeee2000);  // SS
  r.poke(0x1ff0, 0xdddd1111);  // ES
  r.poke(0x1ff4, 0xcccc2222);  // DS
  r.poke(0x1ff8, 0xbbbb3333);  // FS
  r.poke(0x1ffc, 0xaaaa4444);  // GS
}

}  // namespace

TEST_CASE("sem: the outermost iret with VM set returns to vm86, popping ESP SS ES DS FS GS") {
  Rig r("\tiret\n");
  r.s.entries = {entry_record(32, true, 0x1fdc)};
  r.set_seg(SEG_DS, 0x7b);
  r.set_seg(SEG_FS, 0xd8);
  // VM | IOPL 3 | IF | CF | bit 1
  vm86_iret_frame(r, 0x00000100, 0x00023203);
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::Resumed);
  CHECK(r.s.resumed);
  CHECK(r.s.resumed_eip.v == 0x100);
  CHECK(r.esp() == 0x0000fff0);
  CHECK(r.seg(SEG_CS) == 0x1234);
  CHECK(r.seg(SEG_SS) == 0x2000);
  CHECK(r.seg(SEG_ES) == 0x1111);
  CHECK(r.seg(SEG_DS) == 0x2222);
  CHECK(r.seg(SEG_FS) == 0x3333);
  CHECK(r.seg(SEG_GS) == 0x4444);
  CHECK(r.s.cpl == 3);
  CHECK(r.eflags() == 0x00023203);
  CHECK(r.s.entries.empty());
}

TEST_CASE("sem: a nested iret with VM set is a resume violation (its entry interrupted kernel code)") {
  Rig r("\tiret\n");
  r.s.entries = {entry_record(32, true, 0x1000), entry_record(14, false, 0x1fdc)};
  vm86_iret_frame(r, 0x100, 0x00020202);
  CHECK(stop_kind_of([&] { r.run(); }) == StopKind::IretToVm86Nested);
}

TEST_CASE("sem: iret to vm86 with EIP beyond 64 KiB: #GP(0), or the whole EIP (input iret.eip_limit_gp)") {
  const char* program = "\tnop\nret_insn:\tiret\ngp:\tnop\n";
  SUBCASE("#GP(0) on the kernel stack below the untouched IRET frame") {
    Rig r(program, RigOptions().gate(13, "gp"));
    r.s.pc = r.label("ret_insn");
    r.s.entries = {entry_record(32, true, 0x1fdc)};
    vm86_iret_frame(r, 0x00010100, 0x00020202);
    r.d.inputs["iret.eip_limit_gp@0"] = 1;
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::Exception);
    CHECK(ev.vector == 13);
    CHECK(r.esp() == 0x1fdc - 16);
    CHECK(r.peek(0x1fd8) == (FL_RF | FL_FIXED1));  // kernel EFLAGS, RF: a fault
    CHECK(r.peek(0x1fd4) == 0x00000060);           // CS
    CHECK(r.peek(0x1fd0) == r.address("ret_insn"));  // EIP: the IRET itself
    CHECK(r.peek(0x1fcc) == 0);                    // error code 0
    CHECK(r.peek(0x1fdc) == 0x00010100);           // the IRET frame is still there
    CHECK(r.s.cpl == 0);
    CHECK(r.seg(SEG_CS) == 0x60);
    CHECK(r.s.entries.size() == 2);
    CHECK(r.s.pc == r.label("gp"));
  }
  SUBCASE("or it loads") {
    Rig r(program, RigOptions().gate(13, "gp"));
    r.s.pc = r.label("ret_insn");
    r.s.entries = {entry_record(32, true, 0x1fdc)};
    vm86_iret_frame(r, 0x00010100, 0x00020202);
    r.d.inputs["iret.eip_limit_gp@0"] = 0;
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::Resumed);
    CHECK(r.s.resumed_eip.v == 0x00010100);
  }
}

// ---- IRET's own faults: selector checks ----

namespace {

const char* kIretFaultProgram =
    "\tnop\n"
    "ret_insn:\tiret\n"
    "fixup:\tnop\n"
    "\t_ASM_EXTABLE(ret_insn, fixup)\n"
    "gp:\tmovl %esp, %eax\n"
    "\tcall do_fault\n"
    "\tnop\n";

// An outer-level frame at 0x1fec (CPL0 -> CPL3).
void outer_frame(Rig& r, uint32_t cs, uint32_t ss) {
  r.s.pc = r.label("ret_insn");
  r.s.entries = {entry_record(32, true, 0x1fec)};
  r.set(Reg::ESP, 0x1fec);
  r.poke(0x1fec, 0x08048000);
  r.poke(0x1ff0, cs);
  r.poke(0x1ff4, 0x00000202);
  r.poke(0x1ff8, 0xbfff1000);
  r.poke(0x1ffc, ss);
}

// The #GP frame a faulting IRET leaves at 0x1fec - 16.
void check_iret_gp(Rig& r, uint32_t error_code) {
  CHECK(r.m.event.kind == StepEvent::Kind::Exception);
  CHECK(r.m.event.vector == 13);
  CHECK(r.esp() == 0x1fdc);
  CHECK(r.peek(0x1fe8) == (FL_RF | FL_FIXED1));
  CHECK(r.peek(0x1fe4) == 0x00000060);
  CHECK(r.peek(0x1fe0) == r.address("ret_insn"));
  CHECK(r.peek(0x1fdc) == error_code);
  CHECK(r.peek(0x1fec) == 0x08048000);  // the IRET frame is still there
  CHECK(r.s.cpl == 0);
  CHECK(r.seg(SEG_SS) == 0x68);
  CHECK_FALSE(r.s.resumed);
  CHECK(r.s.entries.size() == 2);
  CHECK(r.s.pc == r.label("gp"));
}

HandlerContract fixup_at(uint32_t ip_offset) {
  HandlerContract h;
  h.fixup = true;
  h.regs_arg = R_EAX;
  h.ip_offset = ip_offset;
  return h;
}

}  // namespace

TEST_CASE("sem: iret with a null CS raises #GP(0)") {
  Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
  outer_frame(r, 0x00000003, 0x7b);
  r.run();
  check_iret_gp(r, 0);
}

TEST_CASE("sem: iret with a spec data selector as CS raises #GP(selector)") {
  Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
  outer_frame(r, 0x0000007b, 0x7b);  // __USER_DS: not a code segment
  r.run();
  check_iret_gp(r, 0x78);
}

TEST_CASE("sem: iret with a CS the spec does not know: valid or #GP(selector), input iret.cs_invalid") {
  SUBCASE("invalid") {
    Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
    outer_frame(r, 0x0000008f, 0x7b);
    r.d.inputs["iret.cs_invalid@0"] = 1;
    r.run();
    check_iret_gp(r, 0x8c);  // RPL bits cleared, TI kept
  }
  SUBCASE("valid") {
    Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
    outer_frame(r, 0x0000008f, 0x7b);
    r.d.inputs["iret.cs_invalid@0"] = 0;
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::Resumed);
    CHECK(r.seg(SEG_CS) == 0x8f);
    CHECK(r.s.cpl == 3);
  }
}

TEST_CASE("sem: iret to an outer level checks SS: null #GP(0), RPL != CS.RPL #GP(SS), an unloadable SS #GP(SS)") {
  SUBCASE("null SS") {
    Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
    outer_frame(r, 0x73, 0x00000000);
    r.run();
    check_iret_gp(r, 0);
  }
  SUBCASE("SS.RPL 0 with CS.RPL 3") {
    Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
    outer_frame(r, 0x73, 0x00000068);
    r.run();
    check_iret_gp(r, 0x68);
  }
  SUBCASE("an unknown SS whose descriptor seg_valid rejects") {
    Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
    outer_frame(r, 0x73, 0x00000087);
    r.d.selector_validity[0x87] = false;
    r.run();
    check_iret_gp(r, 0x84);
  }
  SUBCASE("an unknown SS seg_valid accepts, but not a writable data segment (input iret.ss_invalid)") {
    Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
    outer_frame(r, 0x73, 0x00000087);
    r.d.selector_validity[0x87] = true;
    r.d.inputs["iret.ss_invalid@0"] = 1;
    r.run();
    check_iret_gp(r, 0x84);
  }
  SUBCASE("an unknown SS that is good") {
    Rig r(kIretFaultProgram, RigOptions().gate(13, "gp"));
    outer_frame(r, 0x73, 0x00000087);
    r.d.selector_validity[0x87] = true;
    r.d.inputs["iret.ss_invalid@0"] = 0;
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::Resumed);
    CHECK(r.seg(SEG_SS) == 0x87);
    CHECK(r.esp() == 0xbfff1000);
  }
}

TEST_CASE("sem: a faulting iret's #GP frame is fixed up through the exception table like a segment load") {
  // The #GP frame at 0x1fdc: error code, then EIP at +4.
  Rig r(kIretFaultProgram, RigOptions().gate(13, "gp").handler("do_fault", fixup_at(4)));
  outer_frame(r, 0x00000000, 0x7b);
  r.run();   // the IRET faults
  r.run(2);  // movl %esp, %eax; call do_fault
  CHECK(r.peek(0x1fe0) == r.address("fixup"));
  CHECK(r.peek(0x1fec) == 0x08048000);  // the IRET frame above is untouched
}

// ---- SS loads ----

namespace {
const char* kSsProgram = "\tmovl %eax, %ss\n\tnop\ngp:\tnop\n";
}

TEST_CASE("sem: loading SS with a null selector is #GP(0), always") {
  for (uint32_t sel : {0u, 1u, 2u, 3u}) {
    Rig r(kSsProgram, RigOptions().gate(13, "gp"));
    r.set(Reg::ESP, 0x2000);
    r.set(Reg::EAX, sel);
    r.d.selector_validity[sel] = true;  // even if the oracle says "valid"
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::Exception);
    CHECK(r.seg(SEG_SS) == 0x68);
    CHECK(r.esp() == 0x2000 - 16);
    CHECK(r.peek(0x1ff0) == 0);           // error code
    CHECK(r.peek(0x1ff4) == 0xc1000000);  // the mov itself
  }
}

TEST_CASE("sem: loading SS at CPL0: RPL != 0 or a non-data spec selector faults; __KERNEL_DS loads") {
  SUBCASE("__USER_DS: RPL 3") {
    Rig r(kSsProgram, RigOptions().gate(13, "gp"));
    r.set(Reg::ESP, 0x2000);
    r.set(Reg::EAX, 0x7b);
    r.run();
    CHECK(r.peek(0x1ff0) == 0x78);
    CHECK(r.seg(SEG_SS) == 0x68);
  }
  SUBCASE("__KERNEL_CS: a code segment") {
    Rig r(kSsProgram, RigOptions().gate(13, "gp"));
    r.set(Reg::ESP, 0x2000);
    r.set(Reg::EAX, 0x60);
    r.run();
    CHECK(r.peek(0x1ff0) == 0x60);
  }
  SUBCASE("__KERNEL_PERCPU: loads") {
    Rig r(kSsProgram, RigOptions().gate(13, "gp"));
    r.set(Reg::ESP, 0x2000);
    r.set(Reg::EAX, 0xd8);
    auto ev = r.run();
    CHECK(ev.kind == StepEvent::Kind::None);
    CHECK(r.seg(SEG_SS) == 0xd8);
    CHECK(r.s.pc == 1);
    CHECK(r.esp() == 0x2000);
  }
}

TEST_CASE("sem: loading SS with a selector the spec does not know: seg_valid and input ss_invalid") {
  auto load = [](bool valid, uint64_t invalid) {
    auto r = std::make_unique<Rig>(kSsProgram, RigOptions().gate(13, "gp"));
    r->set(Reg::ESP, 0x2000);
    r->set(Reg::EAX, 0x80);
    r->d.selector_validity[0x80] = valid;
    r->d.inputs["ss_invalid@0"] = invalid;
    r->run();
    return r;
  };
  CHECK(load(false, 0)->peek(0x1ff0) == 0x80);
  CHECK(load(true, 1)->peek(0x1ff0) == 0x80);
  auto ok = load(true, 0);
  CHECK(ok->seg(SEG_SS) == 0x80);
  CHECK(ok->s.pc == 1);
}

TEST_CASE("sem: a faulting popl %ss changes nothing: ESP stays") {
  Rig r("\tpopl %ss\ngp:\tnop\n", RigOptions().gate(13, "gp"));
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0x00000000);
  r.run();
  CHECK(r.esp() == 0x2000 - 16);
  CHECK(r.peek(0x1ff4) == 0xc1000000);  // EIP of the pop
  CHECK(r.seg(SEG_SS) == 0x68);
}

TEST_CASE("sem: a successful popl %ss pops and loads") {
  Rig r("\tpopl %ss\n\tnop\n");
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0xffff0068);
  r.run();
  CHECK(r.esp() == 0x2004);
  CHECK(r.seg(SEG_SS) == 0x68);
}

TEST_CASE("sem: the MOV SS shadow holds the single-step trap until after the next instruction") {
  Rig r("\tmovl %eax, %ss\n\tnop\n\tnop\ndb:\tnop\n", RigOptions().gate(1, "db"));
  r.set(Reg::ESP, 0x2000);
  r.set(Reg::EAX, 0x68);
  r.s.tf = true;
  auto ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::None);  // no #DB after the mov
  CHECK(r.s.pc == 1);
  ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::Exception);
  CHECK(ev.vector == 1);
  CHECK(r.peek(0x1ff4) == 0xc1000008);  // saved EIP: after the nop
}

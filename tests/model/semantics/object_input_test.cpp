// What only the object front end produces (docs/object-input.md), and how
// the semantics refuses what it does not model.
//
// Exception-table entry types (asm/extable_fixup_types.h): only
// EX_TYPE_DEFAULT is modelled. An entry of another type that matches the
// faulting EIP cuts the path as unsupported (docs/semantics.md, "C
// handlers"); it must never resume as if it were DEFAULT, which for
// POP_ZERO would retry the pop with the slot and %ds left as they were.
#include <doctest/doctest.h>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

HandlerContract fault_fixup() {
  HandlerContract h;
  h.fixup = true;
  h.regs_arg = R_EAX;
  h.ip_offset = 0x30;
  return h;
}

const char* kProgram =
    "\tnop\n"
    "fault_insn:\tpopl %ds\n"
    "fixup_insn:\tnop\n"
    "\t_ASM_EXTABLE(fault_insn, fixup_insn)\n"
    "handler:\tcall do_fault\n"
    "\tnop\n";

}  // namespace

TEST_CASE("sem: an exception-table entry of a type other than DEFAULT cuts the path") {
  for (ExtableType type : {ExtableType::Fault, ExtableType::PopZero}) {
    Rig r(kProgram, RigOptions().handler("do_fault", fault_fixup()));
    REQUIRE(r.program.extable.size() == 1);
    r.program.extable[0].type = type;
    if (type == ExtableType::PopZero) r.program.extable[0].reg = Reg::DS;
    r.s.pc = r.label("handler");
    r.set(Reg::ESP, 0x3000);
    r.set(Reg::EAX, 0x3000);     // pt_regs at 0x3000
    r.poke(0x3030, 0xc1000004);  // regs->ip = fault_insn: the entry matches
    CHECK_THROWS_AS(r.run(), PathCut);
    CHECK(r.peek(0x3030) == 0xc1000004);  // regs->ip not replaced
  }
}

TEST_CASE("sem: a DEFAULT entry still resumes at its fixup") {
  Rig r(kProgram, RigOptions().handler("do_fault", fault_fixup()));
  REQUIRE(r.program.extable.at(0).type == ExtableType::Default);
  r.s.pc = r.label("handler");
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EAX, 0x3000);
  r.poke(0x3030, 0xc1000004);
  r.run();
  CHECK(r.peek(0x3030) == 0xc1000008);  // fixup_insn
}

// A jmp to a C function (entry_32.o's `jmp __switch_to`): a tail call. The
// function returns to our caller with a contract no spec states yet, so the
// path is cut (unknown), never continued.
TEST_CASE("sem: a tail jump to a C function cuts the path") {
  Rig r("start:\tjmp start\n\tnop\n");
  r.program.instructions[0].target.reset();
  r.program.instructions[0].external_call = "__switch_to";
  r.s.pc = r.label("start");
  CHECK_THROWS_AS(r.run(), PathCut);
  CHECK(r.s.pc == r.label("start"));
}

// SYSENTER, SYSEXIT and the single-step trap (SDM "SYSENTER", "SYSEXIT",
// Vol.3 §17.3.1.4; ../shared/reference FACTS §5).
#include <doctest/doctest.h>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

void msrs(Rig& r, const std::string& label, uint32_t esp) {
  r.config.sysenter.present = true;
  r.config.sysenter.cs = 0x60;
  r.config.sysenter.eip_label = label;
  r.config.sysenter.eip_index = r.label(label);
  r.config.sysenter.esp = esp;
}

}  // namespace

TEST_CASE("sem: SYSENTER loads CS, SS, EIP, ESP from the MSRs, clears VM IF RF, keeps TF and pushes nothing") {
  Rig r("\tnop\nhandler:\tnop\n");
  msrs(r, "handler", 0xff810100);
  r.s.cpl = 3;
  r.set_seg(SEG_CS, 0x73);
  r.set_seg(SEG_SS, 0x7b);
  r.set(Reg::ESP, 0x08001000);
  // TF IF DF set, RF and VM set in the image too: 0x100|0x200|0x400|0x10000|0x20000.
  r.set_eflags(0x00030702);
  Events<ConcreteDomain>(r.m).sysenter(r.s);
  CHECK(r.seg(SEG_CS) == 0x60);           // MSR_CS & 0xfffc
  CHECK(r.seg(SEG_SS) == 0x68);           // MSR_CS + 8
  CHECK(r.esp() == 0xff810100);           // MSR_ESP
  CHECK(r.s.pc == r.label("handler"));    // MSR_EIP
  CHECK(r.s.cpl == 0);
  CHECK(r.eflags() == 0x00000502);        // TF (0x100) and DF (0x400) kept; IF, RF, VM cleared
  CHECK(r.s.mem.empty());                 // no frame
  REQUIRE(r.s.entries.size() == 1);
  CHECK(r.s.entries.back().from_user);
}

TEST_CASE("sem: SYSEXIT returns to CPL3 at EDX with ESP = ECX and selectors from MSR_CS") {
  Rig r("start:\tsysexit\n");
  msrs(r, "start", 0);
  r.s.entries.push_back(entry_record(-1, true, 0));
  r.set(Reg::EDX, 0x08048000);
  r.set(Reg::ECX, 0x0bfff000);
  r.set_eflags(0x00000202);
  r.run();
  CHECK(r.s.resumed);
  CHECK(r.s.resumed_eip.v == 0x08048000);
  CHECK(r.esp() == 0x0bfff000);
  CHECK(r.seg(SEG_CS) == 0x73);  // (0x60 + 16) | 3
  CHECK(r.seg(SEG_SS) == 0x7b);  // (0x60 + 24) | 3
  CHECK(r.s.cpl == 3);
  CHECK(r.eflags() == 0x00000202);  // SYSEXIT leaves EFLAGS alone
}

TEST_CASE("sem: an instruction begun with TF set traps (#DB, vector 1) after it completes") {
  Rig r("\tmovl $5, %eax\n\tmovl $6, %ebx\ndb:\tnop\n", RigOptions().gate(1, "db"));
  r.set(Reg::ESP, 0xc2001000);
  r.s.tf = true;
  r.s.entries.push_back(entry_record(-1, true, 0));
  StepEvent ev = r.run();
  CHECK(r.get(Reg::EAX) == 5);                     // the instruction ran
  CHECK(ev.kind == StepEvent::Kind::Exception);
  CHECK(ev.vector == 1);
  CHECK(r.s.pc == r.label("db"));
  CHECK(r.peek(r.esp()) == r.program.address_of(1));  // a trap saves the next instruction
  CHECK(r.esp() == 0xc2001000 - 12);               // CPL0: EFLAGS, CS, EIP; no error code
  CHECK((r.peek(r.esp() + 8) & 0x100) == 0x100);   // the image keeps TF ...
  CHECK_FALSE(r.s.tf);                             // ... the handler runs without it
}

TEST_CASE("sem: no single-step trap when TF was clear at the start of the instruction (popfl setting it)") {
  Rig r("\tpopfl\n\tnop\ndb:\tnop\n", RigOptions().gate(1, "db"));
  r.set(Reg::ESP, 0xc2001000);
  r.poke(0xc2001000, 0x00000102);  // TF set in the popped image
  r.s.entries.push_back(entry_record(-1, true, 0));
  StepEvent ev = r.run();
  CHECK(ev.kind == StepEvent::Kind::None);
  CHECK(r.s.tf);
  CHECK(r.s.pc == 1);
  ev = r.run();  // the next instruction began with TF set: it traps
  CHECK(ev.vector == 1);
}

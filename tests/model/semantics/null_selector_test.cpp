// Issue 11.2: a data access through DS, ES, FS or GS holding a null
// selector (0-3) raises #GP(0) in protected mode (SDM Vol.3 §5.4.1 and
// §3.4.2: the null selector loads, its use faults), delivered like any
// fault: the frame saves the faulting instruction's EIP, error code 0,
// nothing of the instruction happened. And %cs: override reads work: the
// code segment's base from the spec's selectors, else flat.
// Expected values from the SDM, worked out by hand.
#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

constexpr uint32_t kStack = 0x2000;
const char* kHandler = "\nhandler:\tnop\n";

// #GP(0) from CPL0: [error code 0, EIP, CS, EFLAGS] below ESP, the handler next.
void check_gp0(Rig& r, uint32_t eip) {
  CHECK(r.esp() == kStack - 16);
  CHECK(r.peek(kStack - 16) == 0);
  CHECK(r.peek(kStack - 12) == eip);
  REQUIRE(r.s.entries.size() == 1);
  CHECK(r.s.entries[0].vector == 13);
  CHECK(r.s.pc == r.label("handler"));
}

}  // namespace

TEST_CASE("null selector: a read through each of DS, ES, FS, GS holding 0-3 is #GP(0)") {
  struct Case {
    const char* text;
    int seg;
  };
  for (Case c : {Case{"\tmovl (%eax), %ebx", SEG_DS}, Case{"\tmovl %es:(%eax), %ebx", SEG_ES},
                 Case{"\tmovl %fs:4, %ebx", SEG_FS}, Case{"\tmovl %gs:(%eax), %ebx", SEG_GS}}) {
    for (uint32_t null : {0u, 3u}) {
      CAPTURE(c.text);
      CAPTURE(null);
      Rig r(std::string(c.text) + kHandler, RigOptions().gate(13, "handler"));
      r.set(Reg::ESP, kStack);
      r.set(Reg::EAX, 0x1000);
      r.set(Reg::EBX, 0x5555);
      r.set_seg(c.seg, null);
      auto ev = r.run();
      CHECK(ev.kind == StepEvent::Kind::Exception);
      CHECK(ev.vector == 13);
      check_gp0(r, kTextBase);
      CHECK(r.get(Reg::EBX) == 0x5555);  // the load did not happen
    }
  }
}

TEST_CASE("null selector: a write faults before it changes memory") {
  Rig r("\tmovl %ebx, (%eax)" + std::string(kHandler), RigOptions().gate(13, "handler"));
  r.set(Reg::ESP, kStack);
  r.set(Reg::EAX, 0x1000);
  r.set_seg(SEG_DS, 0);
  r.run();
  check_gp0(r, kTextBase);
  CHECK_FALSE(r.written(0x1000));
}

TEST_CASE("null selector: no fault where the null register is not used") {
  SUBCASE("an ESP or EBP base goes through SS") {
    Rig r("\tmovl 4(%esp), %ebx\n\tmovl (%ebp), %ecx\n");
    r.set(Reg::ESP, kStack);
    r.set(Reg::EBP, kStack);
    r.poke(kStack, 7);
    r.poke(kStack + 4, 9);
    r.set_seg(SEG_DS, 0);
    r.run(2);
    CHECK(r.get(Reg::EBX) == 9);
    CHECK(r.get(Reg::ECX) == 7);
  }
  SUBCASE("lea and the multi-byte nop touch no memory") {
    Rig r("\tleal 8(%eax), %ebx\n\tnopl (%eax)\n");
    r.set(Reg::EAX, 0x1000);
    r.set_seg(SEG_DS, 0);
    r.run(2);
    CHECK(r.get(Reg::EBX) == 0x1008);
    CHECK(r.s.entries.empty());
  }
  SUBCASE("a null FS with DS fine: only the override counts") {
    Rig r("\tmovl (%eax), %ebx\n");
    r.set(Reg::EAX, 0x1000);
    r.poke(0x1000, 0x42);
    r.set_seg(SEG_FS, 0);
    r.run();
    CHECK(r.get(Reg::EBX) == 0x42);
  }
}

TEST_CASE("null selector: movs faults through DS (source) or ES (destination); rep with ECX = 0 does not") {
  for (int seg : {SEG_DS, SEG_ES}) {
    CAPTURE(seg);
    Rig r("\tmovsb" + std::string(kHandler), RigOptions().gate(13, "handler"));
    r.set(Reg::ESP, kStack);
    r.set(Reg::ESI, 0x1000);
    r.set(Reg::EDI, 0x1100);
    r.set_seg(seg, 0);
    r.run();
    check_gp0(r, kTextBase);
    CHECK(r.get(Reg::ESI) == 0x1000);
  }
  Rig r("\trep movsb\n\tnop\n");
  r.set(Reg::ECX, 0);
  r.set_seg(SEG_ES, 0);
  r.run();
  CHECK(r.s.entries.empty());
  CHECK(r.s.pc == 1);
}

TEST_CASE("%cs: override: reads through the code segment, flat or with the spec's base") {
  SUBCASE("flat when the spec gives the kernel CS no base") {
    Rig r("\tmovl %cs:(%eax), %ebx\n");
    r.set(Reg::EAX, 0x1000);
    r.poke(0x1000, 0x12345678);
    r.run();
    CHECK(r.get(Reg::EBX) == 0x12345678);
  }
  SUBCASE("the spec's base for the selector in CS") {
    Rig r("\tmovl %cs:(%eax), %ebx\n");
    for (auto& k : r.config.selectors)
      if (k.value == 0x60) k.base = 0x100;
    r.set(Reg::EAX, 0x1000);
    r.poke(0x1100, 0xabcd);
    r.run();
    CHECK(r.get(Reg::EBX) == 0xabcd);
  }
  SUBCASE("a write through %cs: is cut (a #GP the model does not deliver half-done)") {
    Rig r("\tmovl %ebx, %cs:(%eax)\n");
    r.set(Reg::EAX, 0x1000);
    CHECK_THROWS_AS(r.run(), PathCut);
  }
}

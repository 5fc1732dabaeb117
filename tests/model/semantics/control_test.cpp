// jmp, jcc (facts §9 table; SDM "Jcc"), call, ret; movsl and rep movsl
// (facts §8; SDM "MOVS", "REP").
#include <string>
#include <vector>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

TEST_CASE("sem: jmp to a label") {
  Rig r("\tjmp there\n\tnop\n\tnop\nthere:\tnop\n");
  r.run();
  CHECK(r.s.pc == 3);
  CHECK(r.s.pc == r.label("there"));
}

TEST_CASE("sem: jmp indirect through a register") {
  Rig r("\tjmp *%eax\n\tnop\nthere:\tnop\n");
  r.set(Reg::EAX, kTextBase + 8);  // index 2
  r.run();
  CHECK(r.s.pc == 2);
}

namespace {

struct Fl {
  int cf, zf, sf, of, pf;
};

struct JccCase {
  const char* mnemonic;
  std::vector<Fl> taken, not_taken;
};

// Fl{cf, zf, sf, of, pf}
const std::vector<JccCase>& jcc_cases() {
  static const std::vector<JccCase> cases = {
      {"jo", {{0, 0, 0, 1, 0}}, {{1, 1, 1, 0, 1}}},                         // OF=1
      {"jno", {{1, 1, 1, 0, 1}}, {{0, 0, 0, 1, 0}}},                        // OF=0
      {"jb", {{1, 0, 0, 0, 0}}, {{0, 1, 1, 1, 1}}},                         // CF=1
      {"jc", {{1, 0, 0, 0, 0}}, {{0, 1, 1, 1, 1}}},
      {"jae", {{0, 1, 1, 1, 1}}, {{1, 0, 0, 0, 0}}},                        // CF=0
      {"jnb", {{0, 1, 1, 1, 1}}, {{1, 0, 0, 0, 0}}},
      {"je", {{0, 1, 0, 0, 0}}, {{1, 0, 1, 1, 1}}},                         // ZF=1
      {"jz", {{0, 1, 0, 0, 0}}, {{1, 0, 1, 1, 1}}},
      {"jne", {{1, 0, 1, 1, 1}}, {{0, 1, 0, 0, 0}}},                        // ZF=0
      {"jnz", {{1, 0, 1, 1, 1}}, {{0, 1, 0, 0, 0}}},
      {"jbe", {{1, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {1, 1, 0, 0, 0}}, {{0, 0, 1, 1, 1}}},  // CF=1 or ZF=1
      {"jna", {{1, 0, 0, 0, 0}, {0, 1, 0, 0, 0}}, {{0, 0, 1, 1, 1}}},
      {"ja", {{0, 0, 1, 1, 1}}, {{1, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {1, 1, 0, 0, 0}}},   // CF=0 and ZF=0
      {"jnbe", {{0, 0, 0, 0, 0}}, {{1, 0, 0, 0, 0}}},
      {"js", {{0, 0, 1, 0, 0}}, {{1, 1, 0, 1, 1}}},                         // SF=1
      {"jns", {{1, 1, 0, 1, 1}}, {{0, 0, 1, 0, 0}}},                        // SF=0
      {"jp", {{0, 0, 0, 0, 1}}, {{1, 1, 1, 1, 0}}},                         // PF=1
      {"jpe", {{0, 0, 0, 0, 1}}, {{1, 1, 1, 1, 0}}},
      {"jnp", {{1, 1, 1, 1, 0}}, {{0, 0, 0, 0, 1}}},                        // PF=0
      {"jpo", {{1, 1, 1, 1, 0}}, {{0, 0, 0, 0, 1}}},
      {"jl", {{0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}}, {{0, 0, 0, 0, 0}, {0, 0, 1, 1, 0}}},   // SF != OF
      {"jnge", {{0, 0, 1, 0, 0}}, {{0, 0, 1, 1, 0}}},
      {"jge", {{0, 0, 0, 0, 0}, {1, 1, 1, 1, 0}}, {{0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}}},  // SF == OF
      {"jnl", {{0, 0, 1, 1, 0}}, {{0, 0, 0, 1, 0}}},
      // ZF=1 or SF != OF
      {"jle", {{0, 1, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {0, 1, 1, 1, 0}},
       {{0, 0, 0, 0, 0}, {1, 0, 1, 1, 1}}},
      {"jng", {{0, 1, 0, 0, 0}}, {{0, 0, 1, 1, 0}}},
      // ZF=0 and SF == OF
      {"jg", {{0, 0, 0, 0, 0}, {1, 0, 1, 1, 1}},
       {{0, 1, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {0, 1, 1, 1, 0}}},
      {"jnle", {{0, 0, 1, 1, 0}}, {{0, 1, 1, 1, 0}}},
  };
  return cases;
}

size_t run_jcc(const std::string& mnemonic, const Fl& f) {
  Rig r("\t" + mnemonic + " taken\n\tnop\ntaken:\tnop\n");
  r.s.cf = f.cf;
  r.s.zf = f.zf;
  r.s.sf = f.sf;
  r.s.of = f.of;
  r.s.pf = f.pf;
  r.run();
  return r.s.pc;
}

}  // namespace

TEST_CASE("sem: jcc conditions, taken and not taken") {
  for (const JccCase& c : jcc_cases()) {
    CAPTURE(c.mnemonic);
    for (const Fl& f : c.taken) {
      CAPTURE(f.cf); CAPTURE(f.zf); CAPTURE(f.sf); CAPTURE(f.of); CAPTURE(f.pf);
      CHECK(run_jcc(c.mnemonic, f) == 2);
    }
    for (const Fl& f : c.not_taken) {
      CAPTURE(f.cf); CAPTURE(f.zf); CAPTURE(f.sf); CAPTURE(f.of); CAPTURE(f.pf);
      CHECK(run_jcc(c.mnemonic, f) == 1);
    }
  }
}

TEST_CASE("sem: cmp + jae/jb is an unsigned range check") {
  // cmpl $0x1000, %ecx; jae out  -- ecx = 0xfff stays, ecx = 0xffffffff leaves.
  for (auto [ecx, pc] : std::vector<std::pair<uint32_t, size_t>>{{0xfff, 2}, {0x1000, 3}, {0xffffffff, 3}}) {
    CAPTURE(ecx);
    Rig r("\tcmpl $0x1000, %ecx\n\tjae out\n\tnop\nout:\tnop\n");
    r.set(Reg::ECX, ecx);
    r.run(2);
    CHECK(r.s.pc == pc);
  }
}

TEST_CASE("sem: call pushes the address of the next instruction; ret returns to it") {
  Rig r("\tnop\n\tcall f\n\tnop\nf:\tnop\n\tret\n");
  r.set(Reg::ESP, 0x2000);
  r.run(2);
  CHECK(r.s.pc == 3);
  CHECK(r.esp() == 0x1ffc);
  // Instructions are 4 nominal bytes apart: index 2 is at text_base + 8.
  CHECK(r.program.address_of(2) == 0xc1000008);
  CHECK(r.peek(0x1ffc) == 0xc1000008);
  r.run(2);
  CHECK(r.s.pc == 2);
  CHECK(r.esp() == 0x2000);
}

TEST_CASE("sem: ret to an address outside the program is a violation") {
  Rig r("\tret\n");
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0x08048000);
  CHECK(stop_kind_of([&] { r.run(); }) == StopKind::JumpOutsideProgram);
}

// ---- string moves ----

TEST_CASE("sem: movsl with DF=0 and DF=1") {
  for (bool df : {false, true}) {
    CAPTURE(df);
    Rig r("\tmovsl\n");
    r.set(Reg::ESI, 0x3000);
    r.set(Reg::EDI, 0x4000);
    r.s.df = df;
    r.set_flags(true);
    r.poke(0x3000, 0x11223344);
    r.poke(0x4000, 0xaaaaaaaa);
    r.run();
    CHECK(r.peek(0x4000) == 0x11223344);
    CHECK(r.get(Reg::ESI) == (df ? 0x2ffcu : 0x3004u));
    CHECK(r.get(Reg::EDI) == (df ? 0x3ffcu : 0x4004u));
    CHECK(r.s.pc == 1);
    check_flags(r.s, {1, 1, 1, 1, 1, 1});
  }
}

TEST_CASE("sem: rep movsl with ECX=0 moves nothing and advances") {
  Rig r("\trep movsl\n\tnop\n");
  r.set(Reg::ESI, 0x3000);
  r.set(Reg::EDI, 0x4000);
  r.poke(0x3000, 0x11223344);
  r.poke(0x4000, 0xaaaaaaaa);
  r.run();
  CHECK(r.s.pc == 1);
  CHECK(r.peek(0x4000) == 0xaaaaaaaa);
  CHECK(r.get(Reg::ESI) == 0x3000);
  CHECK(r.get(Reg::EDI) == 0x4000);
  CHECK(r.get(Reg::ECX) == 0);
}

TEST_CASE("sem: rep movsl runs one iteration per step") {
  Rig r("\trep movsl\n\tnop\n");
  r.set(Reg::ECX, 3);
  r.set(Reg::ESI, 0x3000);
  r.set(Reg::EDI, 0x4000);
  r.poke(0x3000, 0x11111111);
  r.poke(0x3004, 0x22222222);
  r.poke(0x3008, 0x33333333);
  for (uint32_t a = 0x4000; a < 0x400c; a += 4) r.poke(a, 0xaaaaaaaa);
  r.run();
  // The boundary between iterations: still at the rep, one dword done.
  CHECK(r.s.pc == 0);
  CHECK(r.get(Reg::ECX) == 2);
  CHECK(r.get(Reg::ESI) == 0x3004);
  CHECK(r.get(Reg::EDI) == 0x4004);
  CHECK(r.peek(0x4000) == 0x11111111);
  CHECK(r.peek(0x4004) == 0xaaaaaaaa);
  r.run();
  CHECK(r.s.pc == 0);
  CHECK(r.get(Reg::ECX) == 1);
  r.run();
  CHECK(r.s.pc == 1);
  CHECK(r.get(Reg::ECX) == 0);
  CHECK(r.get(Reg::ESI) == 0x300c);
  CHECK(r.get(Reg::EDI) == 0x400c);
  CHECK(r.peek(0x4004) == 0x22222222);
  CHECK(r.peek(0x4008) == 0x33333333);
  CHECK(r.s.step == 3);
}

TEST_CASE("sem: rep movsl over overlapping ranges copies dword by dword in order") {
  // src 0x3000, dst 0x3004, 3 dwords, DF=0: each iteration reads what the
  // previous one wrote, so A propagates: A B C D -> A A A A.
  Rig r("\trep movsl\n\tnop\n");
  r.set(Reg::ECX, 3);
  r.set(Reg::ESI, 0x3000);
  r.set(Reg::EDI, 0x3004);
  r.poke(0x3000, 0xaaaaaaaa);
  r.poke(0x3004, 0xbbbbbbbb);
  r.poke(0x3008, 0xcccccccc);
  r.poke(0x300c, 0xdddddddd);
  r.run(3);
  CHECK(r.s.pc == 1);
  CHECK(r.peek(0x3000) == 0xaaaaaaaa);
  CHECK(r.peek(0x3004) == 0xaaaaaaaa);
  CHECK(r.peek(0x3008) == 0xaaaaaaaa);
  CHECK(r.peek(0x300c) == 0xaaaaaaaa);
}

TEST_CASE("sem: rep movsl with DF=1 walks down") {
  Rig r("\tstd\n\trep movsl\n\tnop\n");
  r.set(Reg::ECX, 2);
  r.set(Reg::ESI, 0x3004);
  r.set(Reg::EDI, 0x4004);
  r.poke(0x3000, 0x11111111);
  r.poke(0x3004, 0x22222222);
  r.run(3);
  CHECK(r.s.pc == 2);
  CHECK(r.peek(0x4004) == 0x22222222);
  CHECK(r.peek(0x4000) == 0x11111111);
  CHECK(r.get(Reg::ESI) == 0x2ffc);
  CHECK(r.get(Reg::EDI) == 0x3ffc);
}

// Shifts (SDM "SAL/SAR/SHL/SHR") and bit tests (SDM "BT", "BTS", "BTR").
//   shift: count masked to 5 bits; count 0 changes no flag; CF = last bit
//   shifted out (undefined for SHL/SHR when count >= operand size); OF only
//   for count 1: SHL: MSB(result) ^ CF, SHR: MSB(original), SAR: 0; AF undefined.
//   bit test: CF = selected bit, ZF unaffected, OF/SF/AF/PF undefined.
#include <string>
#include <vector>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

constexpr int X = -1;

struct ShiftCase {
  std::string insn;   // the whole instruction
  uint32_t src;       // %eax before (only the operand's width matters)
  uint8_t cl;         // %cl before
  uint32_t result;    // %eax after
  Flags f;
  bool flags_kept;    // masked count 0: every flag as before
};

void check_shift(const ShiftCase& c) {
  for (int init : {0, 1}) {
    CAPTURE(c.insn);
    CAPTURE(hex32(c.src));
    CAPTURE(int(c.cl));
    CAPTURE(init);
    Rig r("\t" + c.insn + "\n");
    r.set(Reg::EAX, c.src);
    r.set(Reg::ECX, 0xabcd0000u | c.cl);  // only %cl counts
    r.set_flags(init == 1);
    r.run();
    CHECK(r.get(Reg::EAX) == c.result);
    if (c.flags_kept) check_flags(r.s, {init, init, init, init, init, init});
    else check_flags(r.s, c.f);
  }
}

void check_shifts(const std::vector<ShiftCase>& cases) {
  for (const auto& c : cases) check_shift(c);
}

}  // namespace

// Flags{cf, of, sf, zf, pf, af}

TEST_CASE("sem: shl/sal count 1") {
  check_shifts({
      // 0x80000001 << 1 = 0x00000002; CF = old bit 31 = 1; OF = MSB(r) ^ CF = 0 ^ 1 = 1
      {"shll $1, %eax", 0x80000001, 0, 0x00000002, {1, 1, 0, 0, 0, X}, false},
      {"sall $1, %eax", 0x80000001, 0, 0x00000002, {1, 1, 0, 0, 0, X}, false},
      {"shll %eax", 0x80000001, 0, 0x00000002, {1, 1, 0, 0, 0, X}, false},  // implicit count 1
      // 0x40000000 << 1 = 0x80000000; CF = 0; OF = 1 ^ 0 = 1
      {"shll $1, %eax", 0x40000000, 0, 0x80000000, {0, 1, 1, 0, 1, X}, false},
      // 0xc0000000 << 1 = 0x80000000; CF = 1; OF = 1 ^ 1 = 0
      {"shll $1, %eax", 0xc0000000, 0, 0x80000000, {1, 0, 1, 0, 1, X}, false},
      // 16-bit: 0x4000 << 1 = 0x8000; OF = 1
      {"shlw $1, %ax", 0x11114000, 0, 0x11118000, {0, 1, 1, 0, 1, X}, false},
      // 8-bit: 0x80 << 1 = 0; CF = 1, OF = 0 ^ 1 = 1
      {"shlb $1, %al", 0x22222280, 0, 0x22222200, {1, 1, 0, 1, 1, X}, false},
  });
}

TEST_CASE("sem: shr count 1") {
  check_shifts({
      // 0x80000001 >> 1 = 0x40000000; CF = old bit 0 = 1; OF = old MSB = 1
      {"shrl $1, %eax", 0x80000001, 0, 0x40000000, {1, 1, 0, 0, 1, X}, false},
      {"shrl $1, %eax", 0x00000001, 0, 0x00000000, {1, 0, 0, 1, 1, X}, false},
      // 0x7ffffffe >> 1 = 0x3fffffff; low byte 0xff: PF = 1
      {"shrl $1, %eax", 0x7ffffffe, 0, 0x3fffffff, {0, 0, 0, 0, 1, X}, false},
      {"shrw $1, %ax", 0x00008001, 0, 0x00004000, {1, 1, 0, 0, 1, X}, false},
      // 0x81 >> 1 = 0x40 (1 bit: PF = 0)
      {"shrb $1, %al", 0x00000081, 0, 0x00000040, {1, 1, 0, 0, 0, X}, false},
  });
}

TEST_CASE("sem: sar count 1") {
  check_shifts({
      // 0x80000001 >>s 1 = 0xc0000000; CF = 1; OF = 0
      {"sarl $1, %eax", 0x80000001, 0, 0xc0000000, {1, 0, 1, 0, 1, X}, false},
      {"sarl $1, %eax", 0x7fffffff, 0, 0x3fffffff, {1, 0, 0, 0, 1, X}, false},
      {"sarw $1, %ax", 0x00008000, 0, 0x0000c000, {0, 0, 1, 0, 1, X}, false},
      // 0x81 >>s 1 = 0xc0 (2 bits: PF = 1)
      {"sarb $1, %al", 0x00000081, 0, 0x000000c0, {1, 0, 1, 0, 1, X}, false},
  });
}

TEST_CASE("sem: shifts by 4 and 31 (OF undefined)") {
  check_shifts({
      // 0x12345678 << 4 = 0x23456780; CF = old bit 28 = 1; low byte 0x80: PF = 0
      {"shll $4, %eax", 0x12345678, 0, 0x23456780, {1, X, 0, 0, 0, X}, false},
      // 0x12345678 >> 4 = 0x01234567; CF = old bit 3 = 1 (0x8); 0x67 has 5 bits: PF = 0
      {"shrl $4, %eax", 0x12345678, 0, 0x01234567, {1, X, 0, 0, 0, X}, false},
      // 0x87654321 >>s 4 = 0xf8765432; CF = old bit 3 = 0; 0x32 has 3 bits: PF = 0
      {"sarl $4, %eax", 0x87654321, 0, 0xf8765432, {0, X, 1, 0, 0, X}, false},
      // 3 << 31 = 0x80000000; CF = old bit 1 = 1
      {"shll $31, %eax", 0x00000003, 0, 0x80000000, {1, X, 1, 0, 1, X}, false},
      // 0x80000000 >> 31 = 1; CF = old bit 30 = 0
      {"shrl $31, %eax", 0x80000000, 0, 0x00000001, {0, X, 0, 0, 0, X}, false},
      {"shrl $31, %eax", 0x40000000, 0, 0x00000000, {1, X, 0, 1, 1, X}, false},
      // 0x80000000 >>s 31 = 0xffffffff; CF = old bit 30 = 0
      {"sarl $31, %eax", 0x80000000, 0, 0xffffffff, {0, X, 1, 0, 1, X}, false},
      {"sarl $31, %eax", 0x7fffffff, 0, 0x00000000, {1, X, 0, 1, 1, X}, false},
      // 16-bit: 0x1234 << 4 = 0x2340; CF = old bit 12 = 1; 0x40: PF = 0
      {"shlw $4, %ax", 0xffff1234, 0, 0xffff2340, {1, X, 0, 0, 0, X}, false},
      // 8-bit: 0x5a << 4 = 0xa0; CF = old bit 4 = 1; 0xa0 has 2 bits: PF = 1
      {"shlb $4, %al", 0x0000005a, 0, 0x000000a0, {1, X, 1, 0, 1, X}, false},
  });
}

TEST_CASE("sem: shift count 0 changes nothing") {
  check_shifts({
      {"shll $0, %eax", 0x12345678, 0, 0x12345678, {}, true},
      {"shrl $0, %eax", 0x12345678, 0, 0x12345678, {}, true},
      {"sarl $0, %eax", 0x87654321, 0, 0x87654321, {}, true},
      {"shll %cl, %eax", 0x12345678, 0, 0x12345678, {}, true},
      {"sarb %cl, %al", 0x00000080, 0, 0x00000080, {}, true},
  });
}

TEST_CASE("sem: shift count in %cl, masked to 5 bits") {
  check_shifts({
      // %cl = 4 (ecx = 0xabcd0004)
      {"shll %cl, %eax", 0x12345678, 4, 0x23456780, {1, X, 0, 0, 0, X}, false},
      // 33 & 31 = 1: a 1-bit shift, OF defined (= old MSB for SHR)
      {"shrl %cl, %eax", 0x80000001, 33, 0x40000000, {1, 1, 0, 0, 1, X}, false},
      {"shll $33, %eax", 0x80000001, 0, 0x00000002, {1, 1, 0, 0, 0, X}, false},
      // 32 & 31 = 0: nothing changes
      {"shll %cl, %eax", 0x12345678, 32, 0x12345678, {}, true},
      {"shrb %cl, %al", 0x000000ff, 32, 0x000000ff, {}, true},
      // 0x44 & 31 = 4
      {"sarl %cl, %eax", 0x87654321, 0x44, 0xf8765432, {0, X, 1, 0, 0, X}, false},
  });
}

TEST_CASE("sem: byte shift with count >= 8") {
  check_shifts({
      // 9 >= 8: result 0, CF undefined for SHL/SHR
      {"shlb %cl, %al", 0x123456ff, 9, 0x12345600, {X, X, 0, 1, 1, X}, false},
      {"shrb %cl, %al", 0x123456ff, 8, 0x12345600, {X, X, 0, 1, 1, X}, false},
      {"shlw %cl, %ax", 0x1234ffff, 20, 0x12340000, {X, X, 0, 1, 1, X}, false},
      // SAR fills with the sign: CF is the sign bit (the SDM makes CF
      // undefined only for SHL and SHR)
      {"sarb %cl, %al", 0x00000080, 9, 0x000000ff, {1, X, 1, 0, 1, X}, false},
      {"sarb %cl, %al", 0x0000007f, 9, 0x00000000, {0, X, 0, 1, 1, X}, false},
  });
}

namespace {

struct BitCase {
  std::string insn;
  uint32_t before;  // the register or dword operand
  bool cf;
  uint32_t after;
};

}  // namespace

TEST_CASE("sem: bt/bts/btr with an immediate on a register") {
  std::vector<BitCase> cases = {
      {"btl $3, %eax", 0x00000008, true, 0x00000008},
      {"btl $4, %eax", 0x00000008, false, 0x00000008},
      {"btl $35, %eax", 0x00000008, true, 0x00000008},   // 35 mod 32 = 3
      {"btsl $0, %eax", 0x00000008, false, 0x00000009},
      {"btsl $3, %eax", 0x00000008, true, 0x00000008},
      {"btrl $3, %eax", 0x0000000f, true, 0x00000007},
      {"btrl $31, %eax", 0x7fffffff, false, 0x7fffffff},
      {"btw $15, %ax", 0x00008000, true, 0x00008000},
      {"btl %ecx, %eax", 0x00000002, true, 0x00000002},  // %ecx = 33: 33 mod 32 = 1
  };
  for (const auto& c : cases) {
    for (int init : {0, 1}) {
      CAPTURE(c.insn);
      CAPTURE(init);
      Rig r("\t" + c.insn + "\n");
      r.set(Reg::EAX, c.before);
      r.set(Reg::ECX, 33);
      r.set_flags(init == 1);
      r.run();
      CHECK(r.s.cf == c.cf);
      CHECK(r.s.zf == (init == 1));  // ZF unaffected
      CHECK(r.get(Reg::EAX) == c.after);
    }
  }
}

TEST_CASE("sem: bt/bts/btr with an immediate on memory") {
  std::vector<BitCase> cases = {
      {"btl $31, 4(%esp)", 0x80000000, true, 0x80000000},
      {"btl $30, 4(%esp)", 0x80000000, false, 0x80000000},
      {"btsl $1, 4(%esp)", 0x00000000, false, 0x00000002},
      // btrl $X86_EFLAGS_IF_BIT, (%esp) on the sysexit path: 0x246 -> 0x046
      {"btrl $9, 4(%esp)", 0x00000246, true, 0x00000046},
  };
  for (const auto& c : cases) {
    CAPTURE(c.insn);
    Rig r("\t" + c.insn + "\n");
    r.set(Reg::ESP, 0x2000);
    r.poke(0x2000, 0x11111111);
    r.poke(0x2004, c.before);
    r.poke(0x2008, 0x22222222);
    r.run();
    CHECK(r.s.cf == c.cf);
    CHECK(r.peek(0x2004) == c.after);
    CHECK(r.peek(0x2000) == 0x11111111);
    CHECK(r.peek(0x2008) == 0x22222222);
  }
}

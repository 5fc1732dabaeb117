// Arithmetic and logic rules against SDM Vol.2 "Flags Affected" (facts §9).
// Every expected value below is worked out by hand in the comment next to it.
// PF = 1 when the low byte of the result has an even number of set bits;
// AF = carry/borrow out of bit 3.
#include <string>
#include <vector>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

constexpr int X = -1;  // undefined: not asserted

struct BinCase {
  uint32_t dst, src, result;
  Flags f;
};

// The upper bits of %eax a narrow operation must leave alone.
uint32_t upper_fill(int bits) { return bits == 8 ? 0x12345600u : bits == 16 ? 0x9abc0000u : 0u; }

// "<op><suffix> %src, %dst" with %dst = eax/ax/al and %src = ebx/bx/bl, run
// once with all six flags clear and once with all set: a defined flag must
// come out the same either way.
void check_binop(const std::string& op, int bits, const std::vector<BinCase>& cases) {
  bool writes = op != "cmp" && op != "test";
  std::string text = "\t" + op + suffix(bits) + " " + basereg(bits) + ", " + acc(bits) + "\n";
  for (const BinCase& c : cases) {
    for (bool init : {false, true}) {
      CAPTURE(text);
      CAPTURE(hex32(c.dst));
      CAPTURE(hex32(c.src));
      CAPTURE(init);
      Rig r(text);
      r.set(Reg::EAX, upper_fill(bits) | c.dst);
      r.set(base_reg(bits), c.src);
      r.set_flags(init);
      r.run();
      CHECK(r.get(Reg::EAX) == (upper_fill(bits) | (writes ? c.result : c.dst)));
      check_flags(r.s, c.f);
      CHECK(r.s.pc == 1);
    }
  }
}

struct UnCase {
  uint32_t src, result;
  Flags f;
};

// "<op><suffix> %eax/%ax/%al". With keep_cf, CF must be what it was before.
void check_unop(const std::string& op, int bits, const std::vector<UnCase>& cases, bool keep_cf = false) {
  std::string text = "\t" + op + suffix(bits) + " " + acc(bits) + "\n";
  for (const UnCase& c : cases) {
    for (bool init : {false, true}) {
      CAPTURE(text);
      CAPTURE(hex32(c.src));
      CAPTURE(init);
      Rig r(text);
      r.set(Reg::EAX, upper_fill(bits) | c.src);
      r.set_flags(init);
      r.run();
      CHECK(r.get(Reg::EAX) == (upper_fill(bits) | c.result));
      check_flags(r.s, c.f);
      if (keep_cf) CHECK(r.s.cf == init);
    }
  }
}

}  // namespace

// Flags{cf, of, sf, zf, pf, af}

TEST_CASE("sem: add") {
  check_binop("add", 32, {
      {0, 0, 0, {0, 0, 0, 1, 1, 0}},                          // nothing carries
      {0x7fffffff, 1, 0x80000000, {0, 1, 1, 0, 1, 1}},        // +max+1: signed overflow; f+1 carries out of bit 3
      {0xffffffff, 1, 0, {1, 0, 0, 1, 1, 1}},                 // -1+1: unsigned carry, no signed overflow
      {0x80000000, 0x80000000, 0, {1, 1, 0, 1, 1, 0}},        // min+min: both carries
      {0xffffffff, 0xffffffff, 0xfffffffe, {1, 0, 1, 0, 0, 1}},  // 0xfe has 7 bits: PF=0
      {0x7fffffff, 0x7fffffff, 0xfffffffe, {0, 1, 1, 0, 0, 1}},
      {1, 0x80000000, 0x80000001, {0, 0, 1, 0, 0, 0}},        // 0x01 has 1 bit: PF=0
  });
  check_binop("add", 16, {
      {0x7fff, 1, 0x8000, {0, 1, 1, 0, 1, 1}},
      {0xffff, 1, 0, {1, 0, 0, 1, 1, 1}},
      {0x8000, 0xffff, 0x7fff, {1, 1, 0, 0, 1, 0}},  // -32768 + -1 overflows; 0+f no AF; 0xff even
  });
  check_binop("add", 8, {
      {0x7f, 1, 0x80, {0, 1, 1, 0, 0, 1}},    // 0x80 has 1 bit
      {0xff, 1, 0, {1, 0, 0, 1, 1, 1}},
      {0x80, 0x80, 0, {1, 1, 0, 1, 1, 0}},
      {0xff, 0xff, 0xfe, {1, 0, 1, 0, 0, 1}},
  });
}

TEST_CASE("sem: sub") {
  check_binop("sub", 32, {
      {0, 1, 0xffffffff, {1, 0, 1, 0, 1, 1}},                 // borrow everywhere
      {0x80000000, 1, 0x7fffffff, {0, 1, 0, 0, 1, 1}},        // min-1 overflows
      {0x7fffffff, 0xffffffff, 0x80000000, {1, 1, 1, 0, 1, 0}},  // max-(-1) overflows; f-f no nibble borrow
      {1, 1, 0, {0, 0, 0, 1, 1, 0}},
      {0xffffffff, 0x80000000, 0x7fffffff, {0, 0, 0, 0, 1, 0}},  // -1-min = max: fine
      {0, 0x80000000, 0x80000000, {1, 1, 1, 0, 1, 0}},        // 0-min overflows
  });
  check_binop("sub", 16, {
      {0x8000, 1, 0x7fff, {0, 1, 0, 0, 1, 1}},
      {0, 0xffff, 1, {1, 0, 0, 0, 0, 1}},     // 0-f borrows from bit 4
  });
  check_binop("sub", 8, {
      {0x80, 1, 0x7f, {0, 1, 0, 0, 0, 1}},    // 0x7f has 7 bits
      {0, 1, 0xff, {1, 0, 1, 0, 1, 1}},
      {0x7f, 0xff, 0x80, {1, 1, 1, 0, 0, 0}},
  });
}

TEST_CASE("sem: cmp sets flags like sub and keeps the destination") {
  check_binop("cmp", 32, {
      {0, 1, 0xffffffff, {1, 0, 1, 0, 1, 1}},
      {0x80000000, 1, 0x7fffffff, {0, 1, 0, 0, 1, 1}},
      {0xffffffff, 0xffffffff, 0, {0, 0, 0, 1, 1, 0}},
      {0x7fffffff, 0x80000000, 0xffffffff, {1, 1, 1, 0, 1, 0}},  // max-min overflows
  });
  check_binop("cmp", 16, {
      {0xffff, 0xffff, 0, {0, 0, 0, 1, 1, 0}},
      {0x7fff, 0x8000, 0xffff, {1, 1, 1, 0, 1, 0}},
  });
  check_binop("cmp", 8, {
      {0x80, 0x7f, 0x01, {0, 1, 0, 0, 0, 1}},  // -128-127 overflows; 0-f borrows
      {0x7f, 0x80, 0xff, {1, 1, 1, 0, 1, 0}},
  });
}

TEST_CASE("sem: and") {
  // CF = OF = 0; AF undefined.
  check_binop("and", 32, {
      {0xffffffff, 0x80000000, 0x80000000, {0, 0, 1, 0, 1, X}},
      {0x7fffffff, 0x80000000, 0, {0, 0, 0, 1, 1, X}},
      {0xffffffff, 0xffffffff, 0xffffffff, {0, 0, 1, 0, 1, X}},
      {1, 0xffffffff, 1, {0, 0, 0, 0, 0, X}},
  });
  check_binop("and", 16, {{0xffff, 0x7fff, 0x7fff, {0, 0, 0, 0, 1, X}}});
  check_binop("and", 8, {
      {0xff, 0x80, 0x80, {0, 0, 1, 0, 0, X}},
      {0x7f, 0x80, 0, {0, 0, 0, 1, 1, X}},
  });
}

TEST_CASE("sem: or") {
  check_binop("or", 32, {
      {0, 0, 0, {0, 0, 0, 1, 1, X}},
      {0x7fffffff, 0x80000000, 0xffffffff, {0, 0, 1, 0, 1, X}},
      {1, 0, 1, {0, 0, 0, 0, 0, X}},
  });
  check_binop("or", 16, {{0x8000, 1, 0x8001, {0, 0, 1, 0, 0, X}}});
  check_binop("or", 8, {{0x7f, 0x80, 0xff, {0, 0, 1, 0, 1, X}}});
}

TEST_CASE("sem: xor") {
  check_binop("xor", 32, {
      {0xffffffff, 0xffffffff, 0, {0, 0, 0, 1, 1, X}},
      {0x7fffffff, 0xffffffff, 0x80000000, {0, 0, 1, 0, 1, X}},
      {0, 1, 1, {0, 0, 0, 0, 0, X}},
  });
  check_binop("xor", 16, {{0xffff, 1, 0xfffe, {0, 0, 1, 0, 0, X}}});  // 0xfe: 7 bits
  check_binop("xor", 8, {{0xff, 0x7f, 0x80, {0, 0, 1, 0, 0, X}}});
}

TEST_CASE("sem: test sets flags like and and keeps the destination") {
  check_binop("test", 32, {
      {0x80000000, 0xffffffff, 0x80000000, {0, 0, 1, 0, 1, X}},
      {1, 0x80000000, 0, {0, 0, 0, 1, 1, X}},
  });
  check_binop("test", 16, {{0x8000, 0x7fff, 0, {0, 0, 0, 1, 1, X}}});
  check_binop("test", 8, {{0x80, 0xff, 0x80, {0, 0, 1, 0, 0, X}}});
}

TEST_CASE("sem: not changes no flag") {
  struct NotCase { int bits; uint32_t src, result; };
  for (const NotCase& c : std::vector<NotCase>{
           {32, 0, 0xffffffff}, {32, 0x7fffffff, 0x80000000}, {16, 0xffff, 0}, {8, 0x7f, 0x80}}) {
    for (int init : {0, 1}) {
      CAPTURE(c.bits);
      CAPTURE(init);
      Rig r(std::string("\tnot") + suffix(c.bits) + " " + acc(c.bits) + "\n");
      r.set(Reg::EAX, upper_fill(c.bits) | c.src);
      r.set_flags(init == 1);
      r.run();
      CHECK(r.get(Reg::EAX) == (upper_fill(c.bits) | c.result));
      check_flags(r.s, {init, init, init, init, init, init});  // all six as they were
    }
  }
}

TEST_CASE("sem: neg is 0 - x with CF = (x != 0)") {
  check_unop("neg", 32, {
      {0, 0, {0, 0, 0, 1, 1, 0}},
      {1, 0xffffffff, {1, 0, 1, 0, 1, 1}},                // 0-1 borrows from bit 4
      {0x80000000, 0x80000000, {1, 1, 1, 0, 1, 0}},       // -min overflows
      {0x7fffffff, 0x80000001, {1, 0, 1, 0, 0, 1}},
      {0xffffffff, 1, {1, 0, 0, 0, 0, 1}},
  });
  check_unop("neg", 16, {{0x8000, 0x8000, {1, 1, 1, 0, 1, 0}}});
  check_unop("neg", 8, {
      {0x80, 0x80, {1, 1, 1, 0, 0, 0}},
      {0x7f, 0x81, {1, 0, 1, 0, 1, 1}},   // 0x81: 2 bits
      {0xff, 1, {1, 0, 0, 0, 0, 1}},
      {0, 0, {0, 0, 0, 1, 1, 0}},
  });
}

TEST_CASE("sem: inc keeps CF") {
  check_unop("inc", 32, {
      {0x7fffffff, 0x80000000, {X, 1, 1, 0, 1, 1}},
      {0xffffffff, 0, {X, 0, 0, 1, 1, 1}},
      {0, 1, {X, 0, 0, 0, 0, 0}},
  }, true);
  check_unop("inc", 16, {{0x7fff, 0x8000, {X, 1, 1, 0, 1, 1}}}, true);
  check_unop("inc", 8, {
      {0x7f, 0x80, {X, 1, 1, 0, 0, 1}},
      {0xff, 0, {X, 0, 0, 1, 1, 1}},
  }, true);
}

TEST_CASE("sem: dec keeps CF") {
  check_unop("dec", 32, {
      {0x80000000, 0x7fffffff, {X, 1, 0, 0, 1, 1}},
      {0, 0xffffffff, {X, 0, 1, 0, 1, 1}},
      {1, 0, {X, 0, 0, 1, 1, 0}},
  }, true);
  check_unop("dec", 16, {{0x8000, 0x7fff, {X, 1, 0, 0, 1, 1}}}, true);
  check_unop("dec", 8, {
      {0x80, 0x7f, {X, 1, 0, 0, 0, 1}},
      {0, 0xff, {X, 0, 1, 0, 1, 1}},
  }, true);
}

TEST_CASE("sem: alu on memory operands and immediates") {
  // addl $1, 4(%esp) with [0x2004] = 0x7fffffff -> 0x80000000, OF=1.
  Rig r("\taddl $1, 4(%esp)\n\tandb $0x0f, (%esp)\n\tcmpw $0x10, 8(%esp)\n");
  r.set(Reg::ESP, 0x2000);
  r.poke(0x2000, 0xaaaaaaff);
  r.poke(0x2004, 0x7fffffff);
  r.poke(0x2008, 0x0000000f);
  r.run();
  CHECK(r.peek(0x2004) == 0x80000000);
  check_flags(r.s, {0, 1, 1, 0, 1, 1});
  // andb $0x0f on the byte 0xff -> 0x0f (4 bits: PF=1); the other bytes stay.
  r.run();
  CHECK(r.peek(0x2000) == 0xaaaaaa0f);
  check_flags(r.s, {0, 0, 0, 0, 1, X});
  // cmpw $0x10 with 0x000f: 0xf - 0x10 = 0xffff, borrow; memory unchanged.
  r.run();
  CHECK(r.peek(0x2008) == 0x0000000f);
  check_flags(r.s, {1, 0, 1, 0, 1, 0});
}

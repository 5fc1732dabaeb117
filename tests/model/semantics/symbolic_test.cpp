// The same ALU rule over both domains: run the instruction once on a
// State<SymbolicDomain> whose registers and flags are free Z3 constants,
// then, for ~200 random inputs per operation and width, substitute the
// inputs into the symbolic result and compare with a State<ConcreteDomain>
// run on those inputs. Undefined flags are inputs ("undef.<flag>@0") in both
// domains; they get the same random value on both sides, so every flag must
// agree, defined or not.
//
// The seed is printed on failure; set EC_SEM_SEED to replay another one.
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tests/support/sem_harness.hpp"
#include "solver/smt/symbolic_domain.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

using SD = SymbolicDomain;
using SState = State<SD>;

constexpr int kSamples = 200;
const char* const kFlagNames[] = {"cf", "pf", "af", "zf", "sf", "of"};
const char* const kUndefNames[] = {"cf", "of", "af", "sf", "pf"};  // undefined_flag() names

uint32_t seed() {
  if (const char* e = std::getenv("EC_SEM_SEED")) return static_cast<uint32_t>(std::strtoul(e, nullptr, 0));
  return 0x5e3a11u;
}

// The symbolic state after one instruction, from free initial values.
struct SymResult {
  z3::expr eax, cf, pf, af, zf, sf, of;
};

SymResult run_symbolic(const Program& program, const MachineConfig& config) {
  SD d(5000);
  z3::context& z = thread_z3();
  SState s;
  for (int i = 0; i < kNumGeneral; ++i) s.gpr[i] = z.bv_const(("init." + std::string(gpr_name(i))).c_str(), 32);
  for (int i = 0; i < kNumSegment; ++i) s.seg[i] = d.c(0, 16);
  s.cr3 = d.c(0, 32);
  s.eflags_rest = d.c(0, 32);
  s.resumed_eip = d.c(0, 32);
  s.cf = z.bool_const("init.cf");
  s.pf = z.bool_const("init.pf");
  s.af = z.bool_const("init.af");
  s.zf = z.bool_const("init.zf");
  s.sf = z.bool_const("init.sf");
  s.of = z.bool_const("init.of");
  s.tf = s.iflag = s.df = d.f();
  Machine<SD> m{d, program, config, {}};
  execute_instruction(m, s);
  return {s.gpr[R_EAX].e, s.cf.e, s.pf.e, s.af.e, s.zf.e, s.sf.e, s.of.e};
}

struct Sample {
  uint32_t eax, ebx, ecx;
  bool flags[6];   // cf pf af zf sf of, before
  bool undef[5];   // the undefined-flag inputs
};

uint32_t pick_value(std::mt19937& rng) {
  static const uint32_t edges[] = {0,      1,      0x7f,       0x80,       0xff,      0x7fff,
                                   0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff};
  if (rng() % 4 == 0) return edges[rng() % std::size(edges)] | (rng() % 2 ? 0 : rng() & 0xffff0000u);
  return rng();
}

Sample pick(std::mt19937& rng) {
  Sample x{};
  x.eax = pick_value(rng);
  x.ebx = pick_value(rng);
  // Shift counts: small ones most of the time, any byte otherwise.
  x.ecx = (rng() & 0xffffff00u) | (rng() % 2 ? rng() % 40 : rng() & 0xff);
  for (bool& f : x.flags) f = rng() % 2;
  for (bool& f : x.undef) f = rng() % 2;
  return x;
}

void compare(const std::string& text, std::mt19937& rng) {
  CAPTURE(text);
  Rig rig(text);  // for the program and config; each sample gets a fresh rig
  SymResult sym = run_symbolic(rig.program, rig.config);
  z3::context& z = thread_z3();
  for (int k = 0; k < kSamples; ++k) {
    Sample x = pick(rng);
    CAPTURE(k);
    CAPTURE(hex32(x.eax));
    CAPTURE(hex32(x.ebx));
    CAPTURE(hex32(x.ecx));

    // Concrete.
    Rig r(text);
    r.set(Reg::EAX, x.eax);
    r.set(Reg::EBX, x.ebx);
    r.set(Reg::ECX, x.ecx);
    bool* cflags[] = {&r.s.cf, &r.s.pf, &r.s.af, &r.s.zf, &r.s.sf, &r.s.of};
    for (int i = 0; i < 6; ++i) *cflags[i] = x.flags[i];
    for (int i = 0; i < 5; ++i) r.d.inputs[std::string("undef.") + kUndefNames[i] + "@0"] = x.undef[i];
    r.run();

    // Symbolic, with the same inputs substituted.
    z3::expr_vector from(z), to(z);
    from.push_back(z.bv_const("init.eax", 32));
    to.push_back(z.bv_val(x.eax, 32));
    from.push_back(z.bv_const("init.ebx", 32));
    to.push_back(z.bv_val(x.ebx, 32));
    from.push_back(z.bv_const("init.ecx", 32));
    to.push_back(z.bv_val(x.ecx, 32));
    for (int i = 0; i < 6; ++i) {
      from.push_back(z.bool_const((std::string("init.") + kFlagNames[i]).c_str()));
      to.push_back(z.bool_val(x.flags[i]));
    }
    for (int i = 0; i < 5; ++i) {
      from.push_back(z.bool_const((std::string("undef.") + kUndefNames[i] + "@0").c_str()));
      to.push_back(z.bool_val(x.undef[i]));
    }
    auto value = [&](z3::expr e) { return e.substitute(from, to).simplify(); };
    z3::expr eax = value(sym.eax);
    REQUIRE(eax.is_numeral());
    CHECK(eax.get_numeral_uint64() == r.get(Reg::EAX));
    const z3::expr* sflags[] = {&sym.cf, &sym.pf, &sym.af, &sym.zf, &sym.sf, &sym.of};
    for (int i = 0; i < 6; ++i) {
      CAPTURE(kFlagNames[i]);
      z3::expr f = value(*sflags[i]);
      REQUIRE((f.is_true() || f.is_false()));
      CHECK(f.is_true() == *cflags[i]);
    }
  }
}

}  // namespace

TEST_CASE("sem: symbolic and concrete domains agree on binary ALU ops") {
  uint32_t s = seed();
  INFO("seed " << hex32(s) << " (EC_SEM_SEED to replay)");
  std::mt19937 rng(s);
  for (const char* op : {"add", "sub", "cmp", "and", "or", "xor", "test"})
    for (int bits : {8, 16, 32})
      compare(std::string("\t") + op + suffix(bits) + " " + basereg(bits) + ", " + acc(bits) + "\n", rng);
}

TEST_CASE("sem: symbolic and concrete domains agree on shifts") {
  uint32_t s = seed() + 1;
  INFO("seed " << hex32(s) << " (EC_SEM_SEED to replay, +1)");
  std::mt19937 rng(s);
  for (const char* op : {"shl", "shr", "sar"})
    for (int bits : {8, 16, 32}) {
      compare(std::string("\t") + op + suffix(bits) + " %cl, " + acc(bits) + "\n", rng);
      compare(std::string("\t") + op + suffix(bits) + " $1, " + acc(bits) + "\n", rng);
    }
}

TEST_CASE("sem: symbolic and concrete domains agree on unary ALU ops") {
  uint32_t s = seed() + 2;
  INFO("seed " << hex32(s) << " (EC_SEM_SEED to replay, +2)");
  std::mt19937 rng(s);
  for (const char* op : {"not", "neg", "inc", "dec"})
    for (int bits : {8, 16, 32}) compare(std::string("\t") + op + suffix(bits) + " " + acc(bits) + "\n", rng);
}

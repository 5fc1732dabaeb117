// Z3 bit-vectors as the semantics' value domain, and the branching oracle
// the explorer drives: decide() checks both directions of a branch against
// the path condition and records the one not taken for later.
#pragma once
#include <z3++.h>

#include <optional>
#include <string>
#include <vector>

#include "model/domain.hpp"

namespace ec {

// The Z3 context of the calling thread (each explorer thread owns one).
z3::context& thread_z3();

// z3::expr has no default constructor; state containers need one.
struct SymVal {
  z3::expr e;
  SymVal() : e(thread_z3().bv_val(0, 32)) {}
  SymVal(z3::expr x) : e(std::move(x)) {}  // NOLINT: implicit on purpose
};
struct SymBool {
  z3::expr e;
  SymBool() : e(thread_z3().bool_val(false)) {}
  SymBool(z3::expr x) : e(std::move(x)) {}  // NOLINT
};

struct SolverStats {
  size_t queries = 0;
  double seconds = 0;
};

class SymbolicDomain {
 public:
  using Val = SymVal;
  using Bool = SymBool;

  explicit SymbolicDomain(unsigned timeout_ms);

  Val c(uint64_t value, int width) { return ctx_.bv_val(static_cast<uint64_t>(value), width); }
  int width(const Val& a) const { return static_cast<int>(a.e.get_sort().bv_size()); }
  Val add(const Val& a, const Val& b) { return fold(a.e + b.e); }
  Val sub(const Val& a, const Val& b) { return fold(a.e - b.e); }
  Val band(const Val& a, const Val& b) { return fold(a.e & b.e); }
  Val bor(const Val& a, const Val& b) { return fold(a.e | b.e); }
  Val bxor(const Val& a, const Val& b) { return fold(a.e ^ b.e); }
  Val bnot(const Val& a) { return fold(~a.e); }
  Val neg(const Val& a) { return fold(-a.e); }
  Val shl(const Val& a, const Val& n) { return fold(z3::shl(a.e, n.e)); }
  Val lshr(const Val& a, const Val& n) { return fold(z3::lshr(a.e, n.e)); }
  Val ashr(const Val& a, const Val& n) { return fold(z3::ashr(a.e, n.e)); }
  Val extract(const Val& a, int hi, int lo) { return fold(a.e.extract(hi, lo)); }
  Val zext(const Val& a, int w) { return w == width(a) ? a : fold(z3::zext(a.e, w - width(a))); }
  Val sext(const Val& a, int w) { return w == width(a) ? a : fold(z3::sext(a.e, w - width(a))); }
  Val concat(const Val& hi, const Val& lo) { return fold(z3::concat(hi.e, lo.e)); }
  Val ite(const Bool& c, const Val& a, const Val& b) { return fold(z3::ite(c.e, a.e, b.e)); }
  Bool eq(const Val& a, const Val& b) { return foldb(a.e == b.e); }
  Bool ult(const Val& a, const Val& b) { return foldb(z3::ult(a.e, b.e)); }
  Bool slt(const Val& a, const Val& b) { return foldb(a.e < b.e); }
  Bool t() { return ctx_.bool_val(true); }
  Bool f() { return ctx_.bool_val(false); }
  Bool lnot(const Bool& a) { return foldb(!a.e); }
  Bool land(const Bool& a, const Bool& b) { return foldb(a.e && b.e); }
  Bool lor(const Bool& a, const Bool& b) { return foldb(a.e || b.e); }
  Bool lxor(const Bool& a, const Bool& b) { return foldb(a.e != b.e); }
  Bool bit(const Val& a, int i) { return foldb(a.e.extract(i, i) == ctx_.bv_val(1, 1)); }
  Val from_bool(const Bool& b) { return fold(z3::ite(b.e, ctx_.bv_val(1, 1), ctx_.bv_val(0, 1))); }
  Bool bool_ite(const Bool& c, const Bool& a, const Bool& b) { return foldb(z3::ite(c.e, a.e, b.e)); }

  Val input(const std::string& name, int width) { return ctx_.bv_const(name.c_str(), width); }
  Bool input_bool(const std::string& name) { return ctx_.bool_const(name.c_str()); }
  Bool seg_valid(const Val& selector) { return seg_valid_(selector.e); }
  z3::func_decl seg_valid_function() const { return seg_valid_; }

  bool decide(std::vector<Bool>& path, const Bool& cond);
  uint32_t concretize(const std::vector<Bool>& path, const Val& v, const std::string& what);
  std::optional<uint64_t> as_const(const Val& v) const;
  std::optional<bool> as_const(const Bool& b) const;

  // ---- used by the explorer ----
  // Decisions of the current step: replayed from `script`, then chosen.
  struct Decision {
    bool value;
    bool forked;  // both ways were feasible
  };
  void begin_step(std::vector<Decision> script);
  // Scripts that re-run the step taking the other side of each fork.
  std::vector<std::vector<Decision>> take_alternatives();

  // Is `path` plus `extra` satisfiable? Fills `model` when sat.
  z3::check_result check(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model = nullptr);
  z3::context& ctx() { return ctx_; }
  const SolverStats& stats() const { return stats_; }

 private:
  Val fold(const z3::expr& e) { return e.simplify(); }
  Bool foldb(const z3::expr& e) { return e.simplify(); }

  z3::context& ctx_;
  z3::solver solver_;
  z3::func_decl seg_valid_;
  std::vector<Decision> script_, taken_;
  size_t script_pos_ = 0;
  std::vector<std::vector<Decision>> alternatives_;
  SolverStats stats_;
};

}  // namespace ec

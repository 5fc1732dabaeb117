// 32-bit concrete values. Inputs come from a table (a trace's recorded inputs
// or a model evaluator); inputs that are absent read as zero (selectors: valid)
// and are recorded, so a run can say which inputs it used.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/machine/domain.hpp"

namespace ec {

struct CVal {
  uint32_t v = 0;
  uint8_t w = 32;
};

class ConcreteDomain {
 public:
  using Val = CVal;
  using Bool = bool;

  // Answers inputs not in `inputs`; by default 0 / valid.
  std::function<std::optional<uint64_t>(const std::string&, int)> fallback;
  std::function<std::optional<bool>(uint32_t)> seg_valid_fallback;

  std::map<std::string, uint64_t> inputs;          // name -> value
  std::map<uint32_t, bool> selector_validity;      // selector -> loadable
  std::map<std::string, uint64_t> used_inputs;     // every input read, in name order
  std::map<uint32_t, bool> used_selectors;

  static uint32_t mask(int w) { return w >= 32 ? 0xffffffffu : ((1u << w) - 1); }
  static Val mk(uint64_t v, int w) { return CVal{static_cast<uint32_t>(v) & mask(w), static_cast<uint8_t>(w)}; }

  Val c(uint64_t value, int width) const { return mk(value, width); }
  int width(const Val& a) const { return a.w; }
  Val add(Val a, Val b) const { return mk(a.v + b.v, a.w); }
  Val sub(Val a, Val b) const { return mk(a.v - b.v, a.w); }
  Val band(Val a, Val b) const { return mk(a.v & b.v, a.w); }
  Val bor(Val a, Val b) const { return mk(a.v | b.v, a.w); }
  Val bxor(Val a, Val b) const { return mk(a.v ^ b.v, a.w); }
  Val bnot(Val a) const { return mk(~a.v, a.w); }
  Val neg(Val a) const { return mk(0u - a.v, a.w); }
  Val shl(Val a, Val n) const { return n.v >= a.w ? mk(0, a.w) : mk(uint64_t(a.v) << n.v, a.w); }
  Val lshr(Val a, Val n) const { return n.v >= a.w ? mk(0, a.w) : mk(a.v >> n.v, a.w); }
  Val ashr(Val a, Val n) const {
    int64_t s = signed_value(a);
    unsigned k = n.v >= a.w ? a.w - 1 : n.v;
    return mk(static_cast<uint64_t>(s >> k), a.w);
  }
  Val extract(Val a, int hi, int lo) const { return mk(a.v >> lo, hi - lo + 1); }
  Val zext(Val a, int w) const { return mk(a.v, w); }
  Val sext(Val a, int w) const { return mk(static_cast<uint64_t>(signed_value(a)), w); }
  Val concat(Val hi, Val lo) const { return mk((uint64_t(hi.v) << lo.w) | lo.v, hi.w + lo.w); }
  Val ite(Bool c, Val a, Val b) const { return c ? a : b; }
  Bool eq(Val a, Val b) const { return a.v == b.v; }
  Bool ult(Val a, Val b) const { return a.v < b.v; }
  Bool slt(Val a, Val b) const { return signed_value(a) < signed_value(b); }
  Bool t() const { return true; }
  Bool f() const { return false; }
  Bool lnot(Bool a) const { return !a; }
  Bool land(Bool a, Bool b) const { return a && b; }
  Bool lor(Bool a, Bool b) const { return a || b; }
  Bool lxor(Bool a, Bool b) const { return a != b; }
  Bool bit(Val a, int i) const { return (a.v >> i) & 1u; }
  Val from_bool(Bool b) const { return mk(b ? 1 : 0, 1); }
  Bool bool_ite(Bool c, Bool a, Bool b) const { return c ? a : b; }

  Val input(const std::string& name, int width);
  Bool input_bool(const std::string& name) { return input(name, 1).v != 0; }
  Bool seg_valid(const Val& selector);

  bool decide(std::vector<Bool>&, Bool cond) const { return cond; }
  uint32_t concretize(const std::vector<Bool>&, const Val& v, const std::string&) const { return v.v; }
  std::optional<uint64_t> as_const(const Val& v) const { return v.v; }
  std::optional<bool> as_const(const Bool& b) const { return b; }

  static int64_t signed_value(Val a) {
    if (a.w >= 32) return static_cast<int32_t>(a.v);
    uint32_t sign = 1u << (a.w - 1);
    return static_cast<int64_t>(a.v ^ sign) - static_cast<int64_t>(sign);
  }
};

}  // namespace ec

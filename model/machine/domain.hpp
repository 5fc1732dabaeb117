// The value-domain interface the semantics is written against. Two models:
// ConcreteDomain (model/concrete_domain.hpp: 32-bit integers, for exec,
// replay and differential tests) and SymbolicDomain (solver/: Z3 bit-vectors,
// for proofs). The semantics in model/semantics/ is templated on D and calls
// only the members listed here.
//
//   using Val;  using Bool;                       bit-vector of width 1..32, boolean
//   Val  c(uint64_t value, int width);            constant
//   int  width(const Val&);
//   Val  add/sub/band/bor/bxor(a, b); bnot(a); neg(a);
//   Val  shl/lshr/ashr(a, count)                   count has a's width, < width
//   Val  extract(a, hi, lo); zext(a, w); sext(a, w); concat(hi, lo);
//   Val  ite(Bool, a, b);
//   Bool eq(a, b); ult(a, b); slt(a, b);
//   Bool t(); f(); lnot(b); land(a, b); lor(a, b); lxor(a, b);
//   Bool bit(a, i);                                bit i of a is 1
//   Val  from_bool(Bool)                           1-bit value
//   Bool bool_ite(Bool c, Bool a, Bool b);
//
//   -- inputs: free values, named deterministically so that a symbolic run
//      and its concrete replay agree on them --
//   Val  input(const std::string& name, int width);
//   Bool input_bool(const std::string& name);
//   Bool seg_valid(const Val& selector16);        may this selector be loaded?
//
//   -- path control --
//   bool decide(std::vector<Bool>& path, Bool cond);     which way a branch goes
//   uint32_t concretize(const std::vector<Bool>& path, const Val& v, const std::string& what);
//   std::optional<uint64_t> as_const(const Val&);
//   std::optional<bool> as_const(const Bool&);
//
// decide() returns the direction to follow and may record the other one for
// later exploration (symbolic); concretize() returns the unique value of v on
// this path or throws PathCut (symbolic) when it is not unique.
#pragma once
#include <stdexcept>
#include <string>

namespace ec {

// A path the explorer had to abandon: the verdict cannot be "proved".
struct PathCut : std::runtime_error {
  std::string bound;  // "nesting", "max-steps", "symbolic-address", "solver", ...
  PathCut(std::string bound_name, const std::string& what)
      : std::runtime_error(what), bound(std::move(bound_name)) {}
};

}  // namespace ec

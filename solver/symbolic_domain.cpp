#include "solver/symbolic_domain.hpp"

#include "model/diagnostic.hpp"

#include <chrono>
#include <utility>

namespace ec {

z3::context& thread_z3() {
  // Never destroyed: tearing down a context full of terms takes Z3 longer
  // than the exploration that built them, and a thread's context lives as
  // long as the process that needs it.
  thread_local z3::context* ctx = new z3::context;
  return *ctx;
}

SymbolicDomain::SymbolicDomain(unsigned timeout_ms)
    : ctx_(thread_z3()),
      solver_(ctx_),
      seg_valid_(ctx_.function("seg_valid", ctx_.bv_sort(16), ctx_.bool_sort())) {
  z3::params p(ctx_);
  p.set("timeout", timeout_ms);
  solver_.set(p);
}

z3::check_result SymbolicDomain::check(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  auto started = std::chrono::steady_clock::now();
  solver_.push();
  for (const auto& b : path) solver_.add(b.e);
  if (extra) solver_.add(*extra);
  z3::check_result r = solver_.check();
  if (r == z3::sat && model) *model = solver_.get_model();
  solver_.pop();
  stats_.queries += 1;
  stats_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

bool SymbolicDomain::decide(std::vector<Bool>& path, const Bool& cond) {
  if (cond.e.is_true()) return true;
  if (cond.e.is_false()) return false;
  if (script_pos_ < script_.size()) {
    Decision d = script_[script_pos_++];
    taken_.push_back(d);
    if (d.forked) path.push_back(d.value ? cond.e : !cond.e);
    return d.value;
  }
  z3::expr yes = cond.e, no = !cond.e;
  z3::check_result can_yes = check(path, &yes);
  z3::check_result can_no = check(path, &no);
  if (can_yes == z3::unknown || can_no == z3::unknown)
    throw PathCut("timeout", "the solver gave up on a branch condition");
  if (can_yes == z3::sat && can_no == z3::sat) {
    std::vector<Decision> other = taken_;
    other.push_back({false, true});
    alternatives_.push_back(std::move(other));
    taken_.push_back({true, true});
    path.push_back(yes);
    return true;
  }
  bool value = can_yes == z3::sat;
  taken_.push_back({value, false});
  return value;
}

uint32_t SymbolicDomain::concretize(const std::vector<Bool>& path, const Val& v, const std::string& what) {
  if (auto c = as_const(v)) return static_cast<uint32_t>(*c);
  z3::model model(ctx_);
  z3::check_result feasible = check(path, nullptr, &model);
  if (feasible == z3::unknown) throw PathCut("timeout", "the solver gave up on the path condition while concretizing " + what);
  EC_ASSERT(feasible == z3::sat, "a path being followed has an unsatisfiable path condition");
  z3::expr value = model.eval(v.e, true);
  z3::expr other = v.e != value;
  z3::check_result r = check(path, &other);
  if (r == z3::unknown) throw PathCut("timeout", "the solver gave up concretizing " + what);
  if (r == z3::sat) throw PathCut("symbolic-address", what + " can take more than one value");
  return static_cast<uint32_t>(value.get_numeral_uint64());
}

std::optional<uint64_t> SymbolicDomain::as_const(const Val& v) const {
  if (v.e.is_numeral()) return v.e.get_numeral_uint64();
  return std::nullopt;
}

std::optional<bool> SymbolicDomain::as_const(const Bool& b) const {
  if (b.e.is_true()) return true;
  if (b.e.is_false()) return false;
  return std::nullopt;
}

void SymbolicDomain::begin_step(std::vector<Decision> script) {
  script_ = std::move(script);
  script_pos_ = 0;
  taken_.clear();
  alternatives_.clear();
}

std::vector<std::vector<SymbolicDomain::Decision>> SymbolicDomain::take_alternatives() {
  return std::exchange(alternatives_, {});
}

}  // namespace ec

#include "solver/smt/symbolic_domain.hpp"

#include "model/base/diagnostic.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

namespace ec {

z3::context& thread_z3() {
  // Never destroyed: deleting a Z3 4.8 context costs time that grows with
  // the depth of the terms it held, and the explorer leaves its terms alive
  // for the OS (solver/explorer.cpp): with the NMI clobbers' ite chains,
  // deleting the context took longer than the exploration that filled it
  // (docs/performance.md). One per worker thread; the process reclaims it.
  thread_local z3::context* ctx = new z3::context;
  return *ctx;
}

SymbolicDomain::SymbolicDomain(unsigned timeout_ms, const SolverOptions& options)
    : ctx_(thread_z3()),
      solver_(ctx_),
      seg_valid_(ctx_.function("seg_valid", ctx_.bv_sort(16), ctx_.bool_sort())),
      fold_mode_(options.fold),
      solver_mode_(options.mode),
      query_cache_on_(options.query_cache),
      model_reuse_(options.model_reuse),
      keep_stats_(options.domain_stats),
      audit_(options.fold_audit),
      small_limit_(options.fold_limit) {
  z3::params p(ctx_);
  p.set("timeout", timeout_ms);
  solver_.set(p);
}

std::string SymbolicDomain::counters_text() const {
  if (!keep_stats_) return "";
  const Counters& k = counters_;
  char line[1024];
  std::snprintf(line, sizeof line,
                "domain: fold=%s solver=%s cache=%s reuse=%s ops=%zu numeral=%zu local=%zu simplify=%zu "
                "simplify_hits=%zu raw=%zu abstracted=%zu queries=%zu (decide %zu, concretize %zu) model_hits=%zu "
                "one_sided=%zu cache_hits=%zu indicators=%zu pushes=%zu pops=%zu solver_s=%.3f",
                fold_mode_ == FoldMode::Z3 ? "z3" : "fast",
                solver_mode_ == SolverMode::Fresh    ? "fresh"
                : solver_mode_ == SolverMode::Scoped ? "scoped"
                                                     : "assume",
                query_cache_on_ ? "on" : "off", model_reuse_ ? "on" : "off", k.ops, k.numeral_folds, k.local_folds,
                k.simplify_calls, k.simplify_hits, k.raw, k.abstracted, stats_.queries, k.decide_queries,
                k.concretize_queries, k.model_hits, k.one_sided, k.cache_hits, k.indicators, k.scope_pushes,
                k.scope_pops, stats_.seconds);
  return line;
}

// A query Z3's simplifier would have answered (or a value it would have
// made a numeral) that the fast folding left to the solver: a missed rule.
void SymbolicDomain::audit(const char* where, bool z3_folds, const z3::expr& e) {
  if (z3_folds) audit_notes_.push_back(std::string("fold audit: ") + where + ": Z3's simplifier folds " + e.to_string());
}

// ---------------------------------------------------------------- the oracle

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
  if (audit_) audit("decide", cond.e.simplify().is_true() || cond.e.simplify().is_false(), cond.e);
  // Which sides are feasible? A model of the path that some query left
  // behind shows one side without a query; and the path itself is
  // satisfiable (the explorer only follows such paths), so when one side is
  // not, the other is.
  std::optional<z3::check_result> can_yes, can_no;
  if (model_reuse_) {
    if (const z3::model* m = model_for(path)) {
      z3::expr v = m->eval(cond.e, true);
      if (v.is_true()) can_yes = z3::sat;
      else if (v.is_false()) can_no = z3::sat;
      if (can_yes || can_no) counters_.model_hits += 1;
    }
  }
  KeepModel keep(*this);
  if (!can_yes) {
    counters_.decide_queries += 1;
    can_yes = check(path, &yes);
  }
  if (!can_no) {
    if (model_reuse_ && *can_yes == z3::unsat) {
      can_no = z3::sat;
      counters_.one_sided += 1;
    } else {
      counters_.decide_queries += 1;
      can_no = check(path, &no);
      if (model_reuse_ && *can_no == z3::unsat && *can_yes != z3::sat) can_yes = z3::sat;
    }
  }
  if (*can_yes == z3::unknown || *can_no == z3::unknown)
    throw PathCut("timeout", "the solver gave up on a branch condition");
  if (*can_yes == z3::sat && *can_no == z3::sat) {
    std::vector<Decision> other = taken_;
    other.push_back({false, true});
    alternatives_.push_back(std::move(other));
    taken_.push_back({true, true});
    path.push_back(yes);
    return true;
  }
  bool value = *can_yes == z3::sat;
  taken_.push_back({value, false});
  return value;
}

uint32_t SymbolicDomain::concretize(const std::vector<Bool>& path, const Val& v, const std::string& what) {
  if (auto c = as_const(v)) return static_cast<uint32_t>(*c);
  if (audit_) audit("concretize", v.e.simplify().is_numeral(), v.e);
  z3::model model(ctx_);
  if (const z3::model* m = model_reuse_ ? model_for(path) : nullptr) {
    model = *m;
    counters_.model_hits += 1;
  } else {
    KeepModel keep(*this);
    counters_.concretize_queries += 1;
    z3::check_result feasible = check(path, nullptr, &model);
    if (feasible == z3::unknown)
      throw PathCut("timeout", "the solver gave up on the path condition while concretizing " + what);
    EC_ASSERT(feasible == z3::sat, "a path being followed has an unsatisfiable path condition");
  }
  z3::expr value = model.eval(v.e, true);
  counters_.concretize_queries += 1;
  z3::expr other = v.e != value;
  z3::check_result r = check(path, &other);
  if (r == z3::unknown) throw PathCut("timeout", "the solver gave up concretizing " + what);
  if (r == z3::sat) throw PathCut("symbolic-address", what + " can take more than one value");
  return static_cast<uint32_t>(value.get_numeral_uint64());
}

std::optional<uint64_t> SymbolicDomain::as_const(const Val& v) const {
  uint64_t x;
  if (num(v.e, x)) return x;
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
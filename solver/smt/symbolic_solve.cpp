// The symbolic domain's solver queries: scoped, fresh or under assumptions,
// with a query cache (docs/performance.md).
#include "solver/smt/symbolic_domain.hpp"

#include "model/base/diagnostic.hpp"
#include "solver/smt/z3_terms.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace ec {

using namespace z3terms;
// ---------------------------------------------------------------- solving

size_t SymbolicDomain::QueryHash::operator()(const std::vector<unsigned>& k) const {
  uint64_t h = 1469598103934665603ull;
  for (unsigned x : k) h = (h ^ x) * 1099511628211ull;
  return static_cast<size_t>(h);
}

z3::check_result SymbolicDomain::check(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  auto started = std::chrono::steady_clock::now();
  if (fold_mode_ == FoldMode::Fast && extra) {
    // The explorer negates obligations itself: `not false` and `not true`.
    Z3_ast x = *extra;
    bool negated = kind_of(ctx_, x) == Z3_OP_NOT;
    Z3_decl_kind k = kind_of(ctx_, negated ? Z3_get_app_arg(ctx_, Z3_to_app(ctx_, x), 0) : x);
    if (k == Z3_OP_TRUE || k == Z3_OP_FALSE) {
      if ((k == Z3_OP_TRUE) != negated) {
        extra = nullptr;  // no constraint
      } else {
        stats_.queries += 1;  // unsatisfiable whatever the path
        return z3::unsat;
      }
    }
  }
  if (audit_ && extra) audit("check", extra->simplify().is_true() || extra->simplify().is_false(), *extra);
  z3::check_result r;
  if (query_cache_on_) {
    std::vector<unsigned> key;
    key.reserve(path.size() + 1);
    for (const auto& b : path) key.push_back(Z3_get_ast_id(ctx_, b.e));
    key.push_back(extra ? Z3_get_ast_id(ctx_, *extra) + 1 : 0);
    auto it = query_cache_.find(key);
    if (it != query_cache_.end() && (!model || it->second.result != z3::sat || it->second.model)) {
      counters_.cache_hits += 1;
      r = it->second.result;
      if (model && r == z3::sat) *model = *it->second.model;
    } else {
      r = solve(path, extra, model);
      if (r != z3::unknown) {
        for (const auto& b : path) keepalive_.try_emplace(Z3_get_ast_id(ctx_, b.e), b.e);
        if (extra) keepalive_.try_emplace(Z3_get_ast_id(ctx_, *extra), *extra);
        CachedResult entry{r, std::nullopt};
        if (model && r == z3::sat) entry.model = *model;
        query_cache_.insert_or_assign(std::move(key), std::move(entry));
      }
    }
  } else {
    r = solve(path, extra, model);
  }
  stats_.queries += 1;
  stats_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

z3::check_result SymbolicDomain::solve(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  z3::model m(ctx_);
  bool keep = model_reuse_ && keep_model_;  // decide() and concretize() ask for it
  z3::model* want = model || keep ? &m : nullptr;
  z3::check_result r = z3::unknown;
  switch (solver_mode_) {
    case SolverMode::Fresh: r = solve_fresh(path, extra, want); break;
    case SolverMode::Assume: r = solve_assume(path, extra, want); break;
    case SolverMode::Scoped: r = solve_scoped(path, extra, want); break;
  }
  if (r == z3::sat && want) {
    if (model) *model = m;
    if (keep) {
      // Remember the model with the conjuncts it satisfies.
      last_model_ = m;
      last_model_terms_.clear();
      last_model_ids_.clear();
      for (const auto& b : path) {
        last_model_terms_.push_back(b.e);
        last_model_ids_.insert(Z3_get_ast_id(ctx_, b.e));
      }
      if (extra) {
        last_model_terms_.push_back(*extra);
        last_model_ids_.insert(Z3_get_ast_id(ctx_, *extra));
      }
    }
  }
  return r;
}

// The last model, if it satisfies every conjunct of `path`.
const z3::model* SymbolicDomain::model_for(const std::vector<Bool>& path) const {
  if (!last_model_) return nullptr;
  for (const auto& b : path)
    if (!b.e.is_true() && !last_model_ids_.count(Z3_get_ast_id(ctx_, b.e))) return nullptr;
  return &*last_model_;
}

// The original: the whole path asserted in a scope of its own per query.
z3::check_result SymbolicDomain::solve_fresh(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  solver_.push();
  for (const auto& b : path) solver_.add(b.e);
  if (extra) solver_.add(*extra);
  z3::check_result r = solver_.check();
  if (r == z3::sat && model) *model = solver_.get_model();
  solver_.pop();
  return r;
}

// One scope per path conjunct; the scopes of the prefix the last query shared
// with this one stay.
z3::check_result SymbolicDomain::solve_scoped(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  try {
    return solve_scoped_unguarded(path, extra, model);
  } catch (const z3::exception&) {
    // Z3 gave up mid-way (e.g. out of memory): the scopes no longer match
    // scoped_, and a stale assertion could make a later query unsat.
    solver_.reset();
    scoped_.clear();
    throw;
  }
}

z3::check_result SymbolicDomain::solve_scoped_unguarded(const std::vector<Bool>& path, const z3::expr* extra,
                                                        z3::model* model) {
  size_t k = 0;
  while (k < scoped_.size() && k < path.size() && same(scoped_[k], path[k].e)) ++k;
  if (scoped_.size() > k) {
    solver_.pop(static_cast<unsigned>(scoped_.size() - k));
    counters_.scope_pops += scoped_.size() - k;
    scoped_.erase(scoped_.begin() + static_cast<std::ptrdiff_t>(k), scoped_.end());
  }
  for (size_t i = k; i < path.size(); ++i) {
    solver_.push();
    solver_.add(path[i].e);
    scoped_.push_back(path[i].e);
    counters_.scope_pushes += 1;
  }
  if (!extra) {
    z3::check_result r = solver_.check();
    if (r == z3::sat && model) *model = solver_.get_model();
    return r;
  }
  solver_.push();
  solver_.add(*extra);
  z3::check_result r = solver_.check();
  if (r == z3::sat && model) *model = solver_.get_model();
  solver_.pop();
  return r;
}

// Every conjunct is asserted once as `indicator => conjunct`; a query checks
// under the indicators of its conjuncts. A conjunct that is a literal already
// (a Boolean input or its negation) is its own indicator.
z3::expr SymbolicDomain::indicator(const z3::expr& conjunct) {
  Z3_ast a = conjunct;
  Z3_ast atom = kind_of(ctx_, a) == Z3_OP_NOT ? Z3_get_app_arg(ctx_, Z3_to_app(ctx_, a), 0) : a;
  if (Z3_get_ast_kind(ctx_, atom) == Z3_APP_AST && kind_of(ctx_, atom) == Z3_OP_UNINTERPRETED &&
      Z3_get_app_num_args(ctx_, Z3_to_app(ctx_, atom)) == 0)
    return conjunct;
  unsigned id = Z3_get_ast_id(ctx_, a);
  if (auto it = indicators_.find(id); it != indicators_.end()) return it->second.second;
  z3::expr ind = ctx_.bool_const(("ec!assume." + std::to_string(indicators_.size())).c_str());
  solver_.add(z3::implies(ind, conjunct));
  indicators_.emplace(id, std::make_pair(conjunct, ind));
  counters_.indicators += 1;
  return ind;
}

z3::check_result SymbolicDomain::solve_assume(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model) {
  z3::expr_vector assumptions(ctx_);
  for (const auto& b : path) {
    if (b.e.is_true()) continue;
    assumptions.push_back(indicator(b.e));
  }
  if (extra && !extra->is_true()) assumptions.push_back(indicator(*extra));
  z3::check_result r = solver_.check(assumptions);
  if (r == z3::sat && model) *model = solver_.get_model();
  return r;
}

}  // namespace ec

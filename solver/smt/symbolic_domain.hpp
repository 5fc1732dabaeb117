// Z3 bit-vectors as the semantics' value domain, and the branching oracle
// the explorer drives: decide() checks both directions of a branch against
// the path condition and records the one not taken for later.
//
// Performance (docs/performance.md): operations fold in C++ — numerals are
// evaluated without building a Z3 term, identities (x+0, x&x, extract of a
// concat, ite on a constant, …) are applied locally, and Z3's simplifier runs
// only on small terms (memoised), with the deep ite chains the NMI clobbers
// build standing in as constants.
// Solver queries go to one incremental solver per domain that keeps the
// current path asserted, one scope per conjunct: a query pops to the prefix
// it shares with the previous one and pushes the rest. Results are cached by
// the query's terms, and a model a query leaves behind answers one side of
// the next branch on the same path.
// The alternatives stay selectable (SolverOptions, solver_options.hpp; on
// the command line `entrycheck verify --fold/--solver-mode/--query-cache/
// --model-reuse/--fold-limit/--domain-stats/--fold-audit`, docs/cli.md).
// docs/performance.md compares them; every combination gives the same
// verdicts (tests/bench/bench.py crosscheck).
#pragma once
#include <z3++.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/machine/domain.hpp"
#include "solver/smt/solver_options.hpp"

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

  explicit SymbolicDomain(unsigned timeout_ms, const SolverOptions& options = {});

  Val c(uint64_t value, int width) { return ctx_.bv_val(static_cast<uint64_t>(value), width); }
  int width(const Val& a) const { return static_cast<int>(a.e.get_sort().bv_size()); }
  Val add(const Val& a, const Val& b);
  Val sub(const Val& a, const Val& b);
  Val band(const Val& a, const Val& b);
  Val bor(const Val& a, const Val& b);
  Val bxor(const Val& a, const Val& b);
  Val bnot(const Val& a);
  Val neg(const Val& a);
  Val shl(const Val& a, const Val& n);
  Val lshr(const Val& a, const Val& n);
  Val ashr(const Val& a, const Val& n);
  Val extract(const Val& a, int hi, int lo);
  Val zext(const Val& a, int w);
  Val sext(const Val& a, int w);
  Val concat(const Val& hi, const Val& lo);
  Val ite(const Bool& c, const Val& a, const Val& b);
  Bool eq(const Val& a, const Val& b);
  Bool ult(const Val& a, const Val& b);
  Bool slt(const Val& a, const Val& b);
  Bool t() { return ctx_.bool_val(true); }
  Bool f() { return ctx_.bool_val(false); }
  Bool lnot(const Bool& a);
  Bool land(const Bool& a, const Bool& b);
  Bool lor(const Bool& a, const Bool& b);
  Bool lxor(const Bool& a, const Bool& b);
  Bool bit(const Val& a, int i);
  Val from_bool(const Bool& b);
  Bool bool_ite(const Bool& c, const Bool& a, const Bool& b);

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
  // SolverOptions::domain_stats: the counters as one line of text (empty
  // otherwise); SolverOptions::fold_audit: one note per missed fold.
  std::string counters_text() const;
  const std::vector<std::string>& audit_notes() const { return audit_notes_; }

  // How the domain folds terms and answers queries (solver_options.hpp).
  using FoldMode = SolverOptions::Fold;
  using SolverMode = SolverOptions::Mode;

 private:
  // Folding.
  z3::expr fold(const z3::expr& e);        // a term built from folded operands
  z3::expr simplify_small(const z3::expr& e, const std::vector<Z3_ast>& opaque);
  bool walk(Z3_ast root, std::vector<Z3_ast>& opaque);
  bool atom(const z3::expr& e) const;  // an uninterpreted constant
  uint64_t upper_bound(const z3::expr& e) const;
  std::optional<std::vector<z3::expr>> split(const z3::expr& e);
  Val by_parts(const std::vector<z3::expr>& parts, uint64_t k, bool is_and);
  bool ite_on(const z3::expr& e, const z3::expr& cond) const;
  bool num(const z3::expr& e, uint64_t& v) const;
  Val num_val(uint64_t v, int width) { return c(v & mask(width), width); }
  Bool bool_val(bool b) { return ctx_.bool_val(b); }
  static uint64_t mask(int w) { return w >= 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1; }

  // Solving.
  z3::check_result solve(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model);
  z3::check_result solve_fresh(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model);
  z3::check_result solve_scoped(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model);
  z3::check_result solve_scoped_unguarded(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model);
  z3::check_result solve_assume(const std::vector<Bool>& path, const z3::expr* extra, z3::model* model);
  z3::expr indicator(const z3::expr& conjunct);
  const z3::model* model_for(const std::vector<Bool>& path) const;

  z3::context& ctx_;
  z3::solver solver_;
  z3::func_decl seg_valid_;
  std::vector<Decision> script_, taken_;
  size_t script_pos_ = 0;
  std::vector<std::vector<Decision>> alternatives_;
  SolverStats stats_;

  FoldMode fold_mode_;
  SolverMode solver_mode_;
  bool query_cache_on_;
  bool model_reuse_;
  bool keep_model_ = false;  // set while decide() or concretize() query
  struct KeepModel {
    SymbolicDomain& d;
    bool was;
    explicit KeepModel(SymbolicDomain& domain) : d(domain), was(domain.keep_model_) { d.keep_model_ = true; }
    ~KeepModel() { d.keep_model_ = was; }
  };
  // The model of the last satisfiable query, and the conjuncts it satisfies.
  std::optional<z3::model> last_model_;
  std::vector<z3::expr> last_model_terms_;
  std::unordered_set<unsigned> last_model_ids_;
  bool keep_stats_;
  bool audit_;
  std::vector<std::string> audit_notes_;
  void audit(const char* where, bool z3_folds, const z3::expr& e);
  unsigned small_limit_;  // DAG nodes (not counting opaque ones) up to which Z3's simplifier runs
  std::vector<std::pair<Z3_ast, unsigned>> seen_;  // walk(): open-addressing set, by generation
  unsigned generation_ = 0;
  std::vector<Z3_ast> todo_, opaque_;

  // Z3 AST id -> (term, simplified term); the term is kept so its id stays unique.
  std::unordered_map<unsigned, std::pair<z3::expr, z3::expr>> simplified_;
  // Path conjunct id -> (conjunct, its indicator literal), for SolverMode::Assume.
  std::unordered_map<unsigned, std::pair<z3::expr, z3::expr>> indicators_;
  // Conjuncts asserted, one scope each, for SolverMode::Scoped.
  std::vector<z3::expr> scoped_;
  // Query (ids of the path's conjuncts, then the extra's or 0) -> result.
  struct QueryHash {
    size_t operator()(const std::vector<unsigned>& k) const;
  };
  struct CachedResult {
    z3::check_result result;
    std::optional<z3::model> model;
  };
  std::unordered_map<std::vector<unsigned>, CachedResult, QueryHash> query_cache_;
  std::unordered_map<unsigned, z3::expr> keepalive_;  // the terms whose ids key the cache

  struct Counters {
    size_t ops = 0, numeral_folds = 0, local_folds = 0, simplify_calls = 0, simplify_hits = 0, raw = 0, abstracted = 0;
    size_t cache_hits = 0, indicators = 0, scope_pushes = 0, scope_pops = 0;
    size_t decide_queries = 0, concretize_queries = 0, model_hits = 0, one_sided = 0;
  } counters_;
};

}  // namespace ec

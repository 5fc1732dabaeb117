// How the symbolic domain folds terms and answers queries: chosen on the
// command line (`entrycheck verify --fold ... --solver-mode ...`,
// docs/cli.md) and passed down as a value; the library reads no environment.
// Every combination gives the same verdicts (tests/bench/bench.py
// crosscheck); docs/performance.md compares their cost.
#pragma once

namespace ec {

struct SolverOptions {
  // Fast: fold numerals and identities in C++, Z3's simplifier on small
  // terms only; Z3: Z3's simplifier on every operation (the original).
  enum class Fold { Fast, Z3 };
  // Scoped: the path stays asserted, one scope per conjunct; Fresh: the
  // whole path re-asserted for every query (the original); Assume: each
  // conjunct asserted once behind an indicator literal, checked under the
  // path's indicators.
  enum class Mode { Assume, Scoped, Fresh };

  Fold fold = Fold::Fast;
  Mode mode = Mode::Scoped;
  bool query_cache = true;   // cache query results by their terms
  bool model_reuse = true;   // decide()/concretize() use the last query's model
  unsigned fold_limit = 64;  // DAG nodes up to which Z3's simplifier runs
  bool domain_stats = false; // keep the domain's counters as text (SymbolicDomain::counters_text)
  bool fold_audit = false;   // note what Z3's simplifier would fold that the fast folding did not
};

}  // namespace ec

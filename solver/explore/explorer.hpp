// Exhaustive symbolic exploration of a (scenario, CPU profile) pair with
// every invariant of the spec watching. Every path, every NMI arrival point (NMIs are
// free Boolean inputs at each boundary, so one path covers every subset of
// arrival points), nested entries up to the bound. The verdict is proved
// only when no path was cut.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/spec/spec.hpp"
#include "solver/smt/solver_options.hpp"
#include "solver/trace/trace.hpp"

namespace ec {

struct ExploreStats {
  size_t paths = 0;
  size_t steps = 0;
  size_t nmi_points = 0;
  size_t nested_entries = 0;
  size_t solver_queries = 0;
  double solver_seconds = 0;
  double seconds = 0;
  std::string domain_counters;          // SolverOptions::domain_stats: the domain's counters
  std::vector<std::string> fold_audit;  // SolverOptions::fold_audit: the folds the fast folding missed
};

// How to explore: the solver's options (the command line's, docs/cli.md).
struct ExploreOptions {
  SolverOptions solver;
};

struct Verdict {
  enum class Kind { Proved, Violated, Unknown };
  Kind kind = Kind::Proved;
  std::string spec, scenario, profile, invariant;
  std::string spec_path;              // the spec file
  std::string bounds;                 // the bounds this verdict holds within, as text
  std::string trace_file;             // violated: where its trace was written, if it was
  std::vector<std::string> reasons;   // unknown: the bounds or limits that cut paths
  std::string message;                // violated: what breaks
  std::optional<Trace> trace;         // violated: the replayed counterexample
  ExploreStats stats;
};

std::string verdict_name(Verdict::Kind k);

// Explores one (scenario, CPU profile) once, checking every invariant of
// the spec; one verdict per invariant, in the spec's order.
std::vector<Verdict> check_scenario(const Spec& spec, const Program& program, const MachineConfig& machine,
                                    const Scenario& scenario, const ExploreOptions& options = {});

}  // namespace ec

// A verify run: one verdict per (spec, scenario, CPU profile, invariant).
// The work is split into units, one exploration per (spec, CPU profile,
// scenario); `shard` picks every N-th unit, `jobs` explores units in
// parallel, and every violation is confirmed by writing its trace to JSON,
// reading it back and replaying it on the concrete semantics. Results reach
// the caller unit by unit, in unit order whatever the job count.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "model/machine/machine_config.hpp"
#include "solver/explore/explorer.hpp"

namespace ec {

struct VerifyOptions {
  std::vector<std::string> specs;      // spec files
  std::vector<std::string> profiles;   // empty: every profile of each spec
  std::vector<std::string> scenarios;  // empty: every scenario
  std::string trace_dir;               // empty: traces are written to a temporary file and removed
  unsigned timeout_seconds = 0;        // solver timeout per query; 0: the spec's
  unsigned jobs = 1;                   // units explored at once
  std::pair<int, int> shard{1, 1};     // K/N: units K, K+N, K+2N, ... (1-based)
  MachineConfig::NmiEncoding nmi_encoding = MachineConfig::NmiEncoding::Symbolic;
  ExploreOptions explore;              // the solver's modes
};

// One explored unit, handed to the caller as soon as it and every unit
// before it are done.
struct UnitResult {
  size_t number = 0, total = 0;  // 1-based position among the units of this run
  std::string spec, scenario, profile;
  std::vector<Verdict> verdicts;  // one per invariant of the spec, in its order
};

// Runs the units; calls `on_unit` on the calling thread, in unit order.
// Throws InputError for bad input (a spec, an unknown --profile or
// --scenario, a shard with no work) and InternalError, naming the unit,
// for anything else that goes wrong while exploring.
void run_verification(const VerifyOptions& options, const std::function<void(UnitResult&)>& on_unit);

// The trace file name (without directory) of each verdict of a run, in
// order: <spec>.<scenario>.<profile>.<invariant>.json with characters
// other than [A-Za-z0-9._-] replaced by '_'; a name longer than
// kMaxTraceName, or one that an earlier verdict of the run already has,
// keeps its first part and ends in a hash of the full names.
inline constexpr size_t kMaxTraceName = 120;
std::vector<std::string> trace_file_names(const std::vector<std::vector<std::string>>& verdict_names);

}  // namespace ec

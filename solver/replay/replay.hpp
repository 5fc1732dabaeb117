// Re-executes a counterexample trace on the concrete semantics.
#pragma once
#include <string>
#include <vector>

#include "solver/trace/trace.hpp"

namespace ec {

struct ReplayResult {
  bool reproduced = false;           // the invariant fails again, along the same steps
  std::string message;
  std::vector<std::string> differences;  // where the re-run departs from the trace
};

// spec_override: use this spec file instead of the one the trace names.
ReplayResult replay_trace(const Trace& trace, const std::string& trace_path, const std::string& spec_override = "");

}  // namespace ec

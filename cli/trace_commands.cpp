// entrycheck replay / show.
#include <iostream>

#include "cli/commands.hpp"
#include "solver/replay/replay.hpp"
#include "solver/trace/trace.hpp"

namespace ec::cli {

int run_replay(const std::string& trace_path, const std::string& spec_override) {
  Trace trace = trace_from_json_file(trace_path);
  ReplayResult r = replay_trace(trace, trace_path, spec_override);
  if (r.reproduced) {
    std::cout << "reproduced: " << trace.invariant << " violated (scenario " << trace.scenario << ", CPU profile "
              << trace.profile << "): " << r.message << "\n";
    return kExitOk;
  }
  std::cout << "not reproduced: " << r.message << "\n";
  for (const auto& d : r.differences) std::cout << "  " << d << "\n";
  return kExitViolated;
}

int run_show(const std::string& trace_path) {
  std::cout << trace_to_text(trace_from_json_file(trace_path));
  return kExitOk;
}

}  // namespace ec::cli

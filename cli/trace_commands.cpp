// entrycheck replay / show.
#include <iostream>

#include "cli/commands.hpp"
#include "solver/replay/replay.hpp"
#include "solver/trace/trace.hpp"
#include "solver/trace/trace_html.hpp"

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

int run_show(const ShowOptions& options) {
  Trace trace = trace_from_json_file(options.trace);
  if (options.html.empty()) {
    std::cout << trace_to_text(trace, TextOptions{options.full, options.from, options.to});
    return kExitOk;
  }
  write_file(options.html, trace_to_html(trace, load_trace_sources(trace, options.trace)));
  return kExitOk;
}

}  // namespace ec::cli

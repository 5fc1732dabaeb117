// entrycheck exec: run a .S file on the concrete semantics from a label and
// print the final state as JSON (format: solver/exec_run.hpp, `exec --help`).
#include <iostream>

#include "model/asm/link.hpp"
#include "model/object/load_sources.hpp"
#include "cli/commands.hpp"
#include "cli/option_values.hpp"
#include "model/exec/exec_run.hpp"

namespace ec::cli {

int run_exec(const ExecCommandOptions& options) {
  FrontEndOptions fe;
  for (const auto& d : options.defines) {
    auto [name, value] = assignment_option("--define", d);
    fe.defines[name] = value;
  }
  ExecState initial = options.state.empty() ? default_exec_state() : load_exec_state(options.state);
  Program program = load_sources({options.file}, fe, LinkOptions{});
  print_warnings(program.warnings);
  ExecOptions run;
  run.entry = options.entry;
  run.max_steps = options.max_steps;
  if (options.cpu == "zero-extend") run.segment_store = SegmentStore::ZeroExtend;
  else if (options.cpu == "stale") run.segment_store = SegmentStore::Stale;
  else run.segment_store = SegmentStore::Any;
  if (!program.label_index(options.entry))
    throw InputError(SourceLocation{options.file, 0, 0}, "no label '" + options.entry + "' in the program");
  ExecResult r = run_exec(program, initial, run);
  std::cout << exec_result_to_json(r).dump(2) << "\n";
  if (r.ok()) return kExitOk;
  std::cerr << (r.location.empty() ? options.file : r.location) << ": exec stopped (" << r.stop << "): " << r.message
            << "\n";
  return r.stop == "max-steps" || r.stop == "cut" ? kExitUnknown : kExitViolated;
}

}  // namespace ec::cli

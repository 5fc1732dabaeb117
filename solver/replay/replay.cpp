#include "solver/replay/replay.hpp"

#include <filesystem>

#include "solver/replay/concrete_run.hpp"
#include "model/spec/spec.hpp"

namespace ec {
namespace {

std::string find_spec(const Trace& trace, const std::string& trace_path) {
  namespace fs = std::filesystem;
  if (fs::exists(trace.spec_path)) return trace.spec_path;
  fs::path beside = fs::path(trace_path).parent_path() / fs::path(trace.spec_path).filename();
  if (fs::exists(beside)) return beside.string();
  throw InputError(SourceLocation{trace_path, 0, 0},
                   "$.spec: cannot find the spec file '" + trace.spec_path + "' (use --spec)");
}

}  // namespace

ReplayResult replay_trace(const Trace& trace, const std::string& trace_path, const std::string& spec_override) {
  Spec spec = load_spec(spec_override.empty() ? find_spec(trace, trace_path) : spec_override);
  const CpuProfile* profile = nullptr;
  for (const auto& p : spec.profiles)
    if (p.name == trace.profile) profile = &p;
  if (!profile)
    throw InputError(SourceLocation{trace_path, 0, 0}, "$.cpu_profile: the spec has no CPU profile '" + trace.profile + "'");
  const Scenario* scenario = nullptr;
  for (const auto& s : spec.scenarios)
    if (s.name == trace.scenario) scenario = &s;
  if (!scenario)
    throw InputError(SourceLocation{trace_path, 0, 0}, "$.scenario: the spec has no scenario '" + trace.scenario + "'");

  Program program = build_program(spec, *profile);
  MachineConfig machine = machine_for(spec, program, *profile);
  ConcreteDomain d;
  d.inputs = trace.inputs;
  d.selector_validity = trace.selectors;
  ConcreteOutcome run = run_concrete(spec, program, machine, scenario_for(spec, program, *scenario), trace.invariant, d);

  ReplayResult result;
  const auto& again = run.trace.steps;
  if (again.size() != trace.steps.size())
    result.differences.push_back("the trace has " + std::to_string(trace.steps.size()) + " steps, the re-run " +
                                 std::to_string(again.size()));
  for (size_t i = 0; i < std::min(again.size(), trace.steps.size()); ++i) {
    if (again[i].location != trace.steps[i].location || again[i].instruction != trace.steps[i].instruction) {
      result.differences.push_back("step " + std::to_string(i) + ": the trace has " + trace.steps[i].location + " '" +
                                   trace.steps[i].instruction + "', the re-run " + again[i].location + " '" +
                                   again[i].instruction + "'");
      break;
    }
  }
  if (run.cut) result.differences.push_back("the re-run stopped early: " + *run.cut);
  bool failed = run.failures.count(trace.invariant) > 0;
  result.reproduced = failed && result.differences.empty();
  result.message = failed ? run.trace.message : "the invariant holds on the re-run";
  return result;
}

}  // namespace ec

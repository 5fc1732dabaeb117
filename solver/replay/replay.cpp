#include "solver/replay/replay.hpp"

#include <filesystem>

#include "solver/replay/concrete_run.hpp"
#include "model/spec/spec.hpp"

namespace ec {
namespace {

// "file:line:col" (col may be missing) split into the file and the rest.
std::pair<std::string, std::string> split_location(const std::string& location) {
  size_t end = location.size();
  for (int field = 0; field < 2; ++field) {
    size_t colon = location.rfind(':', end == 0 ? 0 : end - 1);
    if (colon == std::string::npos || colon + 1 >= end ||
        location.find_first_not_of("0123456789", colon + 1) < end)
      break;
    end = colon;
  }
  return {location.substr(0, end), location.substr(end)};
}

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  if (a == b) return true;
  std::error_code error;
  if (fs::exists(a, error) && fs::exists(b, error)) return fs::equivalent(a, b, error);
  // One spelling is relative to another directory (the trace was written
  // elsewhere): the file names must agree; the address and line say the rest.
  return fs::path(a).filename() == fs::path(b).filename();
}

// The same instruction: the same program address, text, line and column,
// and the same file however its path is spelled (relative or absolute,
// with ./ or ../, through a symlink).
bool same_instruction(const TraceStep& a, const TraceStep& b) {
  if (a.address != b.address || a.instruction != b.instruction) return false;
  auto [file_a, line_a] = split_location(a.location);
  auto [file_b, line_b] = split_location(b.location);
  return line_a == line_b && same_file(file_a, file_b);
}

std::string find_spec(const Trace& trace, const std::string& trace_path) {
  namespace fs = std::filesystem;
  std::error_code error;  // a name the file system refuses (too long): not there
  if (fs::exists(trace.spec_path, error)) return trace.spec_path;
  fs::path beside = fs::path(trace_path).parent_path() / fs::path(trace.spec_path).filename();
  if (fs::exists(beside, error)) return beside.string();
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

  auto invariant = invariant_by_name(trace.invariant);
  if (!invariant)
    throw InputError(SourceLocation{trace_path, 0, 0}, "$.invariant: no invariant is named '" + trace.invariant + "'");
  Program program = build_program(spec, *profile);
  MachineConfig machine = machine_for(spec, program, *profile);
  ConcreteDomain d;
  d.inputs = trace.inputs;
  d.selector_validity = trace.selectors;
  ConcreteOutcome run = run_concrete(spec, program, machine, scenario_for(spec, program, *scenario), *invariant, d);

  ReplayResult result;
  const auto& again = run.trace.steps;
  if (again.size() != trace.steps.size())
    result.differences.push_back("the trace has " + std::to_string(trace.steps.size()) + " steps, the re-run " +
                                 std::to_string(again.size()));
  for (size_t i = 0; i < std::min(again.size(), trace.steps.size()); ++i) {
    if (!same_instruction(again[i], trace.steps[i])) {
      result.differences.push_back("step " + std::to_string(i) + ": the trace has " + trace.steps[i].location + " '" +
                                   trace.steps[i].instruction + "', the re-run " + again[i].location + " '" +
                                   again[i].instruction + "'");
      break;
    }
  }
  if (run.cut) result.differences.push_back("the re-run stopped early: " + *run.cut);
  bool failed = run.failures.count(*invariant) > 0;
  result.reproduced = failed && result.differences.empty();
  result.message = failed ? run.trace.message : "the invariant holds on the re-run";
  return result;
}

}  // namespace ec

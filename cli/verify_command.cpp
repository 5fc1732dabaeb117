// entrycheck verify: one verdict per (spec, scenario, CPU profile, invariant).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "solver/explorer.hpp"
#include "solver/replay.hpp"

namespace ec::cli {
namespace {

namespace fs = std::filesystem;

std::string safe(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return s;
}

bool selected(const std::vector<std::string>& wanted, const std::string& name) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
}

// A violation is reported only if its trace, read back from JSON, replays.
void confirm_by_replay(Verdict& v, const std::string& trace_dir) {
  fs::path dir = trace_dir.empty() ? fs::temp_directory_path() : fs::path(trace_dir);
  fs::create_directories(dir);
  fs::path file = dir / (safe(v.spec + "." + v.scenario + "." + v.profile + "." + v.invariant) + ".json");
  {
    std::ofstream out(file);
    out << trace_to_json_text(*v.trace);
  }
  ReplayResult r = replay_trace(trace_from_json_file(file.string()), file.string());
  if (!r.reproduced) {
    v.kind = Verdict::Kind::Unknown;
    v.reasons.push_back("internal: the counterexample did not replay (" +
                        (r.differences.empty() ? r.message : r.differences.front()) + ")");
    v.trace.reset();
  }
  if (trace_dir.empty() || !v.trace) {
    fs::remove(file);
    return;
  }
  v.trace->spec_path = file.string();  // reused below only to print where it is
}

void print_text(const Verdict& v) {
  std::string kind = verdict_name(v.kind);
  std::transform(kind.begin(), kind.end(), kind.begin(), ::toupper);
  std::printf("%-8s %s  scenario=%s  profile=%s  invariant=%s  (%zu paths, %zu steps, %zu queries, %.2f s)\n",
              kind.c_str(), v.spec.c_str(), v.scenario.c_str(), v.profile.c_str(), v.invariant.c_str(),
              v.stats.paths, v.stats.steps, v.stats.solver_queries, v.stats.seconds);
  for (const auto& r : v.reasons) std::printf("         unknown because %s\n", r.c_str());
  if (v.kind == Verdict::Kind::Violated) {
    std::printf("%s: error: %s violated (scenario %s, CPU profile %s): %s\n", v.trace->location.c_str(),
                v.invariant.c_str(), v.scenario.c_str(), v.profile.c_str(), v.message.c_str());
  }
}

nlohmann::ordered_json to_json(const Verdict& v, const std::string& trace_file) {
  nlohmann::ordered_json j;
  j["spec"] = v.spec;
  j["scenario"] = v.scenario;
  j["cpu_profile"] = v.profile;
  j["invariant"] = v.invariant;
  j["verdict"] = verdict_name(v.kind);
  if (!v.reasons.empty()) j["unknown_because"] = v.reasons;
  if (v.kind == Verdict::Kind::Violated) {
    j["message"] = v.message;
    j["location"] = v.trace->location;
    if (!trace_file.empty()) j["trace"] = trace_file;
  }
  j["stats"] = {{"paths", v.stats.paths}, {"steps", v.stats.steps}, {"nmi_points", v.stats.nmi_points},
                {"nested_entries", v.stats.nested_entries}, {"solver_queries", v.stats.solver_queries},
                {"solver_seconds", v.stats.solver_seconds}, {"seconds", v.stats.seconds}};
  return j;
}

}  // namespace

int run_verify(const VerifyOptions& options) {
  int worst = kExitOk;
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& path : options.specs) {
    Spec spec = load_spec(path);
    if (options.timeout_seconds > 0) spec.timeout_seconds = static_cast<unsigned>(options.timeout_seconds);
    for (const auto& wanted : options.profiles)
      if (std::none_of(spec.profiles.begin(), spec.profiles.end(), [&](const CpuProfile& p) { return p.name == wanted; }))
        throw InputError(SourceLocation{path, 0, 0}, "--profile " + wanted + ": the spec has no such CPU profile");
    for (const auto& wanted : options.scenarios)
      if (std::none_of(spec.scenarios.begin(), spec.scenarios.end(), [&](const Scenario& s) { return s.name == wanted; }))
        throw InputError(SourceLocation{path, 0, 0}, "--scenario " + wanted + ": the spec has no such scenario");
    for (const auto& profile : spec.profiles) {
      if (!selected(options.profiles, profile.name)) continue;
      Program program = build_program(spec, profile);
      MachineConfig machine = machine_for(spec, program, profile);
      for (const auto& scenario : spec.scenarios) {
        if (!selected(options.scenarios, scenario.name)) continue;
        for (Verdict& v : check_scenario(spec, program, machine, scenario_for(spec, program, scenario))) {
          std::string trace_file;
          if (v.kind == Verdict::Kind::Violated) {
            confirm_by_replay(v, options.trace_dir);
            if (v.trace && !options.trace_dir.empty()) trace_file = v.trace->spec_path;
          }
          if (options.format == "json") all.push_back(to_json(v, trace_file));
          else {
            print_text(v);
            if (!trace_file.empty()) std::printf("         trace: %s\n", trace_file.c_str());
          }
          std::fflush(stdout);
          if (v.kind == Verdict::Kind::Violated) worst = kExitViolated;
          else if (v.kind == Verdict::Kind::Unknown && worst == kExitOk) worst = kExitUnknown;
        }
      }
    }
  }
  if (options.format == "json") std::cout << all.dump(2) << "\n";
  return worst;
}

}  // namespace ec::cli

// entrycheck verify: one verdict per (spec, scenario, CPU profile, invariant).
// Work is split into units, one exploration per (spec, CPU profile,
// scenario); --shard picks every N-th unit, --jobs runs units in parallel,
// and the output is printed in unit order whatever the job count.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "solver/report/reports.hpp"
#include "solver/explore/explorer.hpp"
#include "solver/replay/replay.hpp"

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

// A spec assembled for one CPU profile.
struct Build {
  const Spec* spec;
  CpuProfile profile;
  Program program;
  MachineConfig machine;
};

struct Unit {
  const Build* build;
  Scenario scenario;
};

// A violation is reported only if its trace, written out and read back
// from JSON, replays.
void confirm_by_replay(Verdict& v, const std::string& trace_dir) {
  fs::path dir = trace_dir.empty() ? fs::temp_directory_path() : fs::path(trace_dir);
  fs::create_directories(dir);
  std::string name = safe(v.spec + "." + v.scenario + "." + v.profile + "." + v.invariant);
  if (trace_dir.empty()) name += "." + std::to_string(::getpid());
  fs::path file = dir / (name + ".json");
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
  if (trace_dir.empty() || !v.trace) fs::remove(file);
  else v.trace_file = file.string();
}

std::vector<Verdict> run_unit(const Unit& u, const std::string& trace_dir) {
  std::vector<Verdict> verdicts = check_scenario(*u.build->spec, u.build->program, u.build->machine, u.scenario);
  for (auto& v : verdicts)
    if (v.kind == Verdict::Kind::Violated) confirm_by_replay(v, trace_dir);
  return verdicts;
}

std::pair<int, int> parse_shard(const std::string& text) {
  auto slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      int k = std::stoi(text.substr(0, slash)), n = std::stoi(text.substr(slash + 1));
      if (n >= 1 && k >= 1 && k <= n) return {k, n};
    }
  } catch (...) {
  }
  throw InputError(SourceLocation{"--shard", 0, 0}, "expected K/N with 1 <= K <= N, got '" + text + "'");
}

// Shows how far a long run is, on a terminal only.
class Progress {
 public:
  explicit Progress(size_t total) : total_(total), started_(std::chrono::steady_clock::now()), tty_(::isatty(2)) {}
  void done(size_t n, const Unit& u) {
    if (!tty_) return;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (elapsed < 1.0) return;
    std::fprintf(stderr, "\r\033[K[%zu/%zu %.0fs] %s %s %s", n, total_, elapsed, u.build->spec->name.c_str(),
                 u.scenario.name.c_str(), u.build->profile.name.c_str());
    shown_ = true;
  }
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  size_t total_;
  std::chrono::steady_clock::time_point started_;
  bool tty_;
  bool shown_ = false;
};

}  // namespace

void write_file(const std::string& path, const std::string& text) {
  fs::path parent = fs::path(path).parent_path();
  std::error_code ignored;  // a folder that cannot be made shows as a file that cannot be written
  if (!parent.empty()) fs::create_directories(parent, ignored);
  std::ofstream out(path);
  if (!out) throw InputError(SourceLocation{path, 0, 0}, "cannot write this file");
  out << text;
}

int run_verify(const VerifyOptions& options) {
  auto [shard, shards] = options.shard.empty() ? std::pair<int, int>{1, 1} : parse_shard(options.shard);
  std::vector<std::unique_ptr<Spec>> specs;
  std::vector<std::unique_ptr<Build>> builds;
  std::vector<Unit> units;
  size_t index = 0;
  for (const auto& path : options.specs) {
    specs.push_back(std::make_unique<Spec>(load_spec(path)));
    Spec& spec = *specs.back();
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
      if (options.nmi_encoding == "per-arrival") machine.nmi_encoding = MachineConfig::NmiEncoding::PerArrival;
      builds.push_back(std::make_unique<Build>(Build{&spec, profile, std::move(program), std::move(machine)}));
      const Build& b = *builds.back();
      for (const auto& scenario : spec.scenarios) {
        if (!selected(options.scenarios, scenario.name)) continue;
        if (static_cast<int>(index++ % shards) + 1 != shard) continue;
        units.push_back(Unit{&b, scenario_for(spec, b.program, scenario)});
      }
    }
  }

  std::vector<std::vector<Verdict>> results(units.size());
  std::vector<std::promise<void>> finished(units.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < units.size();) {
      try {
        results[i] = run_unit(units[i], options.trace_dir);
        finished[i].set_value();
      } catch (...) {
        finished[i].set_exception(std::current_exception());
      }
    }
  };
  int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(units.size())));
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);

  std::vector<Verdict> all;
  int status = kExitOk;
  {
    Progress progress(units.size());
    for (size_t i = 0; i < units.size(); ++i) {
      try {
        finished[i].get_future().get();  // rethrows a unit's input error
      } catch (...) {
        next = units.size();  // no new units; let the running ones finish
        for (auto& t : threads) t.join();
        throw;
      }
      progress.done(i + 1, units[i]);
      for (auto& v : results[i]) {
        if (options.format == "text") {
          std::cout << verdict_line(v) << violation_diagnostic(v);
          std::cout.flush();
        }
        if (v.kind == Verdict::Kind::Violated) status = kExitViolated;
        else if (v.kind == Verdict::Kind::Unknown && status == kExitOk) status = kExitUnknown;
        all.push_back(std::move(v));
      }
    }
  }
  for (auto& t : threads) t.join();
  if (options.format == "json") std::cout << verdicts_to_json(all);
  if (!options.sarif.empty()) write_file(options.sarif, verdicts_to_sarif(all));
  if (!options.junit.empty()) write_file(options.junit, verdicts_to_junit(all));
  return status;
}

}  // namespace ec::cli

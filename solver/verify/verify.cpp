#include "solver/verify/verify.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "model/base/diagnostic.hpp"
#include "model/spec/spec.hpp"
#include "solver/replay/replay.hpp"
#include "solver/trace/trace.hpp"

namespace ec {
namespace {

namespace fs = std::filesystem;

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
  std::vector<std::string> trace_names;  // one per invariant of the spec
};

struct Plan {
  std::vector<std::unique_ptr<Spec>> specs;
  std::vector<std::unique_ptr<Build>> builds;
  std::vector<Unit> units;  // this shard's
  size_t all_units = 0;     // of every shard
};

bool selected(const std::vector<std::string>& wanted, const std::string& name) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
}

// --profile and --scenario name what the spec has.
void check_filters(const Spec& spec, const VerifyOptions& options) {
  for (const auto& wanted : options.profiles)
    if (std::none_of(spec.profiles.begin(), spec.profiles.end(), [&](const CpuProfile& p) { return p.name == wanted; }))
      throw InputError(SourceLocation{spec.path, 0, 0}, "--profile " + wanted + ": the spec has no such CPU profile");
  for (const auto& wanted : options.scenarios)
    if (std::none_of(spec.scenarios.begin(), spec.scenarios.end(), [&](const Scenario& s) { return s.name == wanted; }))
      throw InputError(SourceLocation{spec.path, 0, 0}, "--scenario " + wanted + ": the spec has no such scenario");
}

const Spec& add_spec(Plan& plan, const std::string& path, const VerifyOptions& options) {
  plan.specs.push_back(std::make_unique<Spec>(load_spec(path)));
  Spec& spec = *plan.specs.back();
  if (options.timeout_seconds > 0) spec.timeout_seconds = options.timeout_seconds;
  check_filters(spec, options);
  return spec;
}

const Build& add_build(Plan& plan, const Spec& spec, const CpuProfile& profile, const VerifyOptions& options) {
  Program program = build_program(spec, profile);
  MachineConfig machine = machine_for(spec, program, profile);
  machine.nmi_encoding = options.nmi_encoding;
  plan.builds.push_back(std::make_unique<Build>(Build{&spec, profile, std::move(program), std::move(machine)}));
  return *plan.builds.back();
}

// The units of one spec, this shard's only; `index` counts every shard's.
void add_units(Plan& plan, const Spec& spec, const VerifyOptions& options) {
  auto [shard, shards] = options.shard;
  for (const auto& profile : spec.profiles) {
    if (!selected(options.profiles, profile.name)) continue;
    const Build& build = add_build(plan, spec, profile, options);
    for (const auto& scenario : spec.scenarios) {
      if (!selected(options.scenarios, scenario.name)) continue;
      if (static_cast<int>(plan.all_units++ % static_cast<size_t>(shards)) + 1 != shard) continue;
      plan.units.push_back(Unit{&build, scenario_for(spec, build.program, scenario), {}});
    }
  }
}

// Every verdict's trace file name, unique in the run.
void name_traces(Plan& plan) {
  std::vector<std::vector<std::string>> names;
  for (const Unit& u : plan.units)
    for (const auto& invariant : u.build->spec->invariants)
      names.push_back({u.build->spec->name, u.scenario.name, u.build->profile.name, std::string(invariant_name(invariant))});
  std::vector<std::string> files = trace_file_names(names);
  size_t next = 0;
  for (Unit& u : plan.units)
    for (size_t i = 0; i < u.build->spec->invariants.size(); ++i) u.trace_names.push_back(files[next++]);
}

Plan plan_run(const VerifyOptions& options) {
  Plan plan;
  for (const auto& path : options.specs) add_units(plan, add_spec(plan, path, options), options);
  if (plan.units.empty())
    throw InputError(SourceLocation{"--shard", 0, 0},
                     "shard " + std::to_string(options.shard.first) + "/" + std::to_string(options.shard.second) +
                         " has no work: the run has " + std::to_string(plan.all_units) +
                         " unit(s) (spec x CPU profile x scenario); use at most that many shards");
  name_traces(plan);
  return plan;
}

void write_trace(const Trace& trace, const fs::path& file) {
  std::error_code error;
  fs::create_directories(file.parent_path(), error);
  std::ofstream out(file);
  out << trace_to_json_text(trace);
  out.close();
  if (!out) throw InputError(SourceLocation{file.string(), 0, 0}, "cannot write the trace file");
}

// A violation is reported only if its trace, written out and read back
// from JSON, replays.
void confirm_by_replay(Verdict& v, const std::string& trace_dir, const std::string& name) {
  bool keep = !trace_dir.empty();
  fs::path file = keep ? fs::path(trace_dir) / name
                       : fs::temp_directory_path() / (name + "." + std::to_string(::getpid()));
  write_trace(*v.trace, file);
  ReplayResult r = replay_trace(trace_from_json_file(file.string()), file.string());
  if (!r.reproduced) {
    v.kind = Verdict::Kind::Unknown;
    v.reasons.push_back("internal: the counterexample did not replay (" +
                        (r.differences.empty() ? r.message : r.differences.front()) + ")");
    v.trace.reset();
  }
  if (keep && v.trace) v.trace_file = file.string();
  else fs::remove(file);
}

std::string unit_context(const Unit& u) {
  return "exploring spec " + u.build->spec->path + ", scenario " + u.scenario.name + ", CPU profile " +
         u.build->profile.name;
}

std::vector<Verdict> run_unit(const Unit& u, const VerifyOptions& options) {
  try {
    const Build& b = *u.build;
    std::vector<Verdict> verdicts = check_scenario(*b.spec, b.program, b.machine, u.scenario, options.explore);
    for (size_t i = 0; i < verdicts.size(); ++i)
      if (verdicts[i].kind == Verdict::Kind::Violated) confirm_by_replay(verdicts[i], options.trace_dir, u.trace_names[i]);
    return verdicts;
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InternalError(unit_context(u) + ": " + e.what());
  }
}

// Explores the units on `jobs` threads; the results are taken in unit order.
class UnitPool {
 public:
  UnitPool(const std::vector<Unit>& units, const VerifyOptions& options)
      : units_(units), options_(options), results_(units.size()), finished_(units.size()) {
    size_t jobs = std::clamp<size_t>(options.jobs, 1, units.size());
    for (size_t j = 0; j < jobs; ++j) threads_.emplace_back([this] { work(); });
  }
  ~UnitPool() {
    next_ = units_.size();  // no new units; let the running ones finish
    for (auto& t : threads_) t.join();
  }
  // Waits for unit i; rethrows its error.
  std::vector<Verdict> take(size_t i) {
    finished_[i].get_future().get();
    return std::move(results_[i]);
  }

 private:
  void work() {
    for (size_t i; (i = next_++) < units_.size();) {
      try {
        results_[i] = run_unit(units_[i], options_);
        finished_[i].set_value();
      } catch (...) {
        finished_[i].set_exception(std::current_exception());
      }
    }
  }

  const std::vector<Unit>& units_;
  const VerifyOptions& options_;
  std::vector<std::vector<Verdict>> results_;
  std::vector<std::promise<void>> finished_;
  std::atomic<size_t> next_{0};
  std::vector<std::thread> threads_;
};

std::string safe_file_name(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return s;
}

// FNV-1a, 64 bits, as 16 hex digits: stable across runs and platforms.
std::string name_hash(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = digits[h & 15];
  return out;
}

}  // namespace

std::vector<std::string> trace_file_names(const std::vector<std::vector<std::string>>& verdict_names) {
  static const std::string kSuffix = ".json";
  static constexpr size_t kKept = kMaxTraceName - kSuffix.size() - 1 - 16 - 8;  // room for "-<hash>" and a count
  std::set<std::string> used;
  std::vector<std::string> out;
  for (const auto& parts : verdict_names) {
    std::string full;
    for (const auto& p : parts) full += (full.empty() ? "" : ".") + p;
    std::string name = safe_file_name(full) + kSuffix;
    for (int n = 0; name.size() > kMaxTraceName || used.count(name); ++n)
      name = safe_file_name(full).substr(0, kKept) + "-" + name_hash(full) + (n ? "-" + std::to_string(n) : "") + kSuffix;
    used.insert(name);
    out.push_back(name);
  }
  return out;
}

void run_verification(const VerifyOptions& options, const std::function<void(UnitResult&)>& on_unit) {
  Plan plan = plan_run(options);
  UnitPool pool(plan.units, options);
  for (size_t i = 0; i < plan.units.size(); ++i) {
    const Unit& u = plan.units[i];
    UnitResult result{i + 1, plan.units.size(), u.build->spec->name, u.scenario.name, u.build->profile.name,
                      pool.take(i), u.build->program.warnings};
    on_unit(result);
  }
}

}  // namespace ec

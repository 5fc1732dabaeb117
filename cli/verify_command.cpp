// entrycheck verify: runs the verification (solver/verify) and prints each
// unit's verdicts as they come, then the JSON, SARIF and JUnit reports.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "solver/report/reports.hpp"

namespace ec::cli {
namespace {

namespace fs = std::filesystem;

// Shows how far a long run is, on a terminal only.
class Progress {
 public:
  Progress() : started_(std::chrono::steady_clock::now()), tty_(::isatty(2)) {}
  void done(const UnitResult& u) {
    if (!tty_) return;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (elapsed < 1.0) return;
    std::fprintf(stderr, "\r\033[K[%zu/%zu %.0fs] %s %s %s", u.number, u.total, elapsed, u.spec.c_str(),
                 u.scenario.c_str(), u.profile.c_str());
    shown_ = true;
  }
  void clear() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }
  ~Progress() { clear(); }

 private:
  std::chrono::steady_clock::time_point started_;
  bool tty_;
  bool shown_ = false;
};

// --domain-stats and --fold-audit: the solver's notes on one unit.
void print_domain_notes(const ExploreStats& stats) {
  if (!stats.domain_counters.empty()) std::cerr << stats.domain_counters << "\n";
  for (const auto& note : stats.fold_audit) std::cerr << note << "\n";
}

int exit_status(const std::vector<Verdict>& verdicts) {
  int status = kExitOk;
  for (const auto& v : verdicts) {
    if (v.kind == Verdict::Kind::Violated) return kExitViolated;
    if (v.kind == Verdict::Kind::Unknown) status = kExitUnknown;
  }
  return status;
}

}  // namespace

int run_verify(const VerifyCommand& command) {
  const OutputOptions& output = command.output;
  std::vector<Verdict> all;
  Progress progress;
  run_verification(command.run, [&](UnitResult& unit) {
    if (!unit.load_warnings.empty()) progress.clear();
    print_warnings(unit.load_warnings);
    progress.done(unit);
    if (!unit.verdicts.empty()) print_domain_notes(unit.verdicts.front().stats);
    for (auto& v : unit.verdicts) {
      if (output.format == OutputOptions::Format::Text) std::cout << verdict_line(v) << violation_diagnostic(v);
      all.push_back(std::move(v));
    }
    std::cout.flush();
  });
  progress.clear();
  if (output.format == OutputOptions::Format::Json) std::cout << verdicts_to_json(all);
  if (!output.sarif.empty()) write_file(output.sarif, verdicts_to_sarif(all));
  if (!output.junit.empty()) write_file(output.junit, verdicts_to_junit(all));
  return exit_status(all);
}

}  // namespace ec::cli

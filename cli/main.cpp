// entrycheck: argument parsing and dispatch; the work is in the commands.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "model/diagnostic.hpp"

namespace {

const char* kExitCodes =
    "Exit status:\n"
    "  0  every obligation proved (replay: the violation reproduced)\n"
    "  1  some obligation violated (replay: it did not reproduce)\n"
    "  2  usage or input error (bad asm, bad spec, missing file)\n"
    "  3  nothing violated, but some verdict unknown (a bound or timeout cut a path)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace ec::cli;
  CLI::App app{"entrycheck: a symbolic model checker for x86-32 kernel entry/exit code"};
  app.footer(kExitCodes);
  app.require_subcommand(1);

  VerifyOptions verify;
  auto* v = app.add_subcommand("verify", "prove or refute every invariant of the specs");
  v->add_option("specs", verify.specs, "spec files (JSON)")->required();
  v->add_option("--profile", verify.profiles, "check only this CPU profile (repeatable)");
  v->add_option("--scenario", verify.scenarios, "check only this scenario (repeatable)");
  v->add_option("--trace-dir", verify.trace_dir, "write counterexample traces (JSON) here");
  v->add_option("--format", verify.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  v->add_option("--timeout", verify.timeout_seconds, "solver timeout per query, seconds");
  v->footer(kExitCodes);

  std::string trace, spec_override;
  auto* r = app.add_subcommand("replay", "re-execute a counterexample trace on the concrete semantics");
  r->add_option("trace", trace, "trace file (JSON)")->required();
  r->add_option("--spec", spec_override, "use this spec instead of the one the trace names");

  std::string show_trace;
  auto* s = app.add_subcommand("show", "print a counterexample trace for a person");
  s->add_option("trace", show_trace, "trace file (JSON)")->required();

  CfgOptions cfg;
  auto* c = app.add_subcommand("cfg", "print the control-flow graph of a .S file");
  c->add_option("file", cfg.file, ".S file")->required();
  c->add_option("--define,-D", cfg.defines, "NAME=VALUE for the preprocessor (repeatable)");
  c->add_option("--entry", cfg.entries, "entry label (repeatable; default: global labels)");
  c->add_option("--spec", cfg.spec, "take constants and defines from this spec");
  c->add_flag("--dot", cfg.dot, "print Graphviz DOT");

  DumpOptions dump;  // hidden (empty group): for tests/differential/gas
  auto* d = app.add_subcommand("dump-program", "print the linked program as JSON lines")->group("");
  d->add_option("file", dump.file, ".S file")->required();
  d->add_option("--spec", dump.spec, "take constants and defines from this spec");
  d->add_option("--define,-D", dump.defines, "NAME=VALUE for the preprocessor (repeatable)");
  d->add_option("--const,-C", dump.constants, "NAME=VALUE link constant (repeatable)");
  d->add_option("--feature,-F", dump.features, "CPU feature for ALTERNATIVE (repeatable)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInputError;
  }
  try {
    if (*v) return run_verify(verify);
    if (*r) return run_replay(trace, spec_override);
    if (*s) return run_show(show_trace);
    if (*c) return run_cfg(cfg);
    if (*d) return run_dump_program(dump);
  } catch (const ec::InputError& e) {
    std::cerr << e.diagnostic().render();
    return kExitInputError;
  }
  return kExitInputError;
}

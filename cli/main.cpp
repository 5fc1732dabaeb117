// entrycheck: argument parsing and dispatch; the work is in the commands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/option_values.hpp"
#include "model/base/diagnostic.hpp"
#include "model/base/version.hpp"

namespace ec::cli {
namespace {

const char* const kExitCodes =
    "Exit status:\n"
    "  0  every obligation proved (replay: the violation reproduced)\n"
    "  1  some obligation violated (replay: it did not reproduce)\n"
    "  2  usage or input error (bad asm, bad spec, missing file)\n"
    "  3  nothing violated, but some verdict unknown (a bound or timeout cut a path)\n"
    "  4  internal error: a bug in entrycheck (\"internal error: ...\" on stderr; please report it)\n";

const char* const kExecHelp =
    "The run stops when the next instruction would be past the program's last\n"
    "instruction, at the instruction labelled `exec_end` (if there is one), or when\n"
    "an IRET retires with no live entry (stop \"gone\": a called C function whose\n"
    "contract says \"returns\": \"never\"). No NMI arrives; flags the SDM calls\n"
    "undefined read as 0 and are listed in \"undefined_flags\" while they stay so.\n"
    "\n"
    "STATE.json: {\"registers\": {\"eax\": \"0x1\", ...}, \"memory\": [...]}\n"
    "  registers: eax..edi, esp, ebp, eflags, es cs ss ds fs gs, cr3 as hex strings\n"
    "    (or JSON numbers); missing ones are 0, except esp 0x00800000, eflags 0x2,\n"
    "    cs 0x73, ss 0x7b. CPL is cs & 3.\n"
    "  memory: {\"address\": \"0x...\", \"value\": \"0x...\", \"size\": 1|2|4 (default 4)}\n"
    "    (little-endian) or {\"address\": \"0x...\", \"bytes\": \"de ad be ef\"}.\n"
    "    Bytes not given read as 0.\n"
    "\n"
    "Output: {\"stop\": \"end\"|\"exec_end\"|\"iret\"|\"gone\"|\"violation\"|\"cut\"|\"max-steps\",\n"
    "  \"message\", \"location\" (when stopped inside the program), \"steps\",\n"
    "  \"registers\": {eax..edi}, \"eflags\", \"flags\": {cf pf af zf sf of df tf if: 0|1},\n"
    "  \"undefined_flags\": [...], \"segments\": {es..gs}, \"cr3\", \"iret_eip\" (stop iret),\n"
    "  \"memory\": [{\"address\", \"size\": 4|1, \"value\"}] every byte written, address\n"
    "  order, an aligned dword where all four bytes were written}.\n"
    "\n"
    "Exit status: 0 the run reached its end; 1 it stopped at a violation (e.g. a\n"
    "fault with no IDT gate); 2 input error; 3 max-steps or an unsupported construct.\n";

// Every subcommand's arguments as given; checked into options by the
// functions below (a bad value: "--option: error: ...", exit 2).
struct Arguments {
  VerifyCommand verify;
  std::string format = "text", nmi_encoding = "symbolic";
  std::string jobs = "1", timeout, shard = "1/1", fold = "fast", solver_mode = "scoped", query_cache = "on",
              model_reuse = "on", fold_limit = "64";
  std::string replay_trace, replay_spec;
  ShowOptions show;
  std::string show_from = "0", show_to;
  CfgOptions cfg;
  ExecCommandOptions exec;
  std::string max_steps = "1000000";
  DumpOptions dump;
  bool instructions_json = false;
  std::string check_file;
};

CLI::App* add_verify(CLI::App& app, Arguments& a) {
  VerifyOptions& verify = a.verify.run;
  OutputOptions& output = a.verify.output;
  auto* v = app.add_subcommand("verify", "prove or refute every invariant of the specs");
  v->add_option("specs", verify.specs, "spec files (JSON)")->required();
  v->add_option("--profile", verify.profiles, "check only this CPU profile (repeatable)");
  v->add_option("--scenario", verify.scenarios, "check only this scenario (repeatable)");
  v->add_option("--trace-dir", verify.trace_dir, "write counterexample traces (JSON) here");
  v->add_option("--format", a.format, "text or json");
  v->add_option("--timeout", a.timeout, "solver timeout per query, seconds (default: the spec's)");
  v->add_option("--sarif", output.sarif, "write a SARIF 2.1.0 report (violations with their traces as code flows)");
  v->add_option("--junit", output.junit, "write a JUnit XML report (one testcase per verdict)");
  v->add_option("--jobs,-j", a.jobs, "explore this many (scenario, CPU profile) units in parallel (1..256)");
  v->add_option("--nmi-encoding", a.nmi_encoding,
                "symbolic (default: one path covers every NMI arrival point) or per-arrival (one path per first "
                "arrival point; slower, for cross-checking)");
  v->add_option("--shard", a.shard, "K/N: check only every N-th unit, starting with the K-th");
  v->add_option("--solver-mode", a.solver_mode, "scoped (default), fresh or assume (docs/performance.md)");
  v->add_option("--fold", a.fold, "fast (default) or z3: how terms are simplified (docs/performance.md)");
  v->add_option("--query-cache", a.query_cache, "on (default) or off: cache solver queries by their terms");
  v->add_option("--model-reuse", a.model_reuse, "on (default) or off: answer a branch from the last query's model");
  v->add_option("--fold-limit", a.fold_limit, "terms of up to N nodes go to Z3's simplifier (default 64)");
  v->add_flag("--domain-stats", verify.explore.solver.domain_stats,
              "print the symbolic domain's counters on stderr, one line per unit");
  v->add_flag("--fold-audit", verify.explore.solver.fold_audit,
              "print on stderr what Z3's simplifier folds that the fast folding did not (slow)");
  v->footer(kExitCodes);
  return v;
}

void check_verify(Arguments& a) {
  VerifyOptions& v = a.verify.run;
  a.verify.output.format = static_cast<OutputOptions::Format>(choice_option("--format", a.format, {"text", "json"}));
  v.nmi_encoding = static_cast<MachineConfig::NmiEncoding>(
      choice_option("--nmi-encoding", a.nmi_encoding, {"symbolic", "per-arrival"}));
  v.jobs = static_cast<unsigned>(unsigned_option("--jobs", a.jobs, 1, 256));
  // Not given: the spec's (timeout_seconds 0); given, a timeout (a 0 would be none).
  if (!a.timeout.empty()) v.timeout_seconds = static_cast<unsigned>(unsigned_option("--timeout", a.timeout, 1, 86400));
  v.shard = shard_option("--shard", a.shard);
  SolverOptions& solver = v.explore.solver;
  solver.mode = static_cast<SolverOptions::Mode>(
      choice_option("--solver-mode", a.solver_mode, {"assume", "scoped", "fresh"}));
  solver.fold = static_cast<SolverOptions::Fold>(choice_option("--fold", a.fold, {"fast", "z3"}));
  solver.query_cache = on_off_option("--query-cache", a.query_cache);
  solver.model_reuse = on_off_option("--model-reuse", a.model_reuse);
  solver.fold_limit = static_cast<unsigned>(unsigned_option("--fold-limit", a.fold_limit, 0, 1u << 20));
}

CLI::App* add_replay(CLI::App& app, Arguments& a) {
  auto* r = app.add_subcommand("replay", "re-execute a counterexample trace on the concrete semantics");
  r->add_option("trace", a.replay_trace, "trace file (JSON)")->required();
  r->add_option("--spec", a.replay_spec, "use this spec instead of the one the trace names");
  return r;
}

CLI::App* add_show(CLI::App& app, Arguments& a) {
  auto* s = app.add_subcommand("show", "print a counterexample trace for a person, or write it as an HTML page");
  s->add_option("trace", a.show.trace, "trace file (JSON)")->required();
  s->add_option("--html", a.show.html, "write a self-contained HTML viewer page to this file instead");
  s->add_flag("--full", a.show.full, "every step, with the stacks redrawn at each one");
  s->add_option("--from", a.show_from, "print from this step number on");
  s->add_option("--to", a.show_to, "print up to this step number");
  return s;
}

void check_show(Arguments& a) {
  a.show.from = unsigned_option("--from", a.show_from, 0, SIZE_MAX);
  if (!a.show_to.empty()) a.show.to = unsigned_option("--to", a.show_to, 0, SIZE_MAX);
}

CLI::App* add_cfg(CLI::App& app, Arguments& a) {
  CfgOptions& cfg = a.cfg;
  auto* c = app.add_subcommand("cfg", "print the control-flow graph of a .S file or an ELF object");
  c->add_option("file", cfg.file, ".S file or 32-bit ELF object (.o)")->required();
  c->add_option("--define,-D", cfg.defines, "NAME=VALUE for the preprocessor (repeatable)");
  c->add_option("--entry", cfg.entries, "entry label (repeatable; default: global labels)");
  c->add_option("--spec", cfg.spec, "take constants and defines from this spec");
  c->add_option("--feature,-F", cfg.features, "CPU feature present, for ALTERNATIVE (repeatable)");
  c->add_option("--cpufeatures", cfg.cpufeatures, "object input: the kernel's cpufeatures.h, to name features");
  c->add_flag("--dot", cfg.dot, "print Graphviz DOT");
  return c;
}

CLI::App* add_exec(CLI::App& app, Arguments& a) {
  ExecCommandOptions& exec = a.exec;
  auto* x = app.add_subcommand("exec", "run a .S file on the concrete semantics and print the final state (JSON)");
  x->add_option("file", exec.file, ".S file or 32-bit ELF object (.o)")->required();
  x->add_option("--entry", exec.entry, "label to start at")->required();
  x->add_option("--state", exec.state, "initial registers and memory (JSON, see below)");
  x->add_option("--cpu", exec.cpu,
                "upper half of a selector stored to a dword (push %sreg, movl %sreg, %r32): zero-extend (default), "
                "stale or any");
  x->add_option("--define,-D", exec.defines, "NAME=VALUE for the preprocessor (repeatable)");
  x->add_option("--max-steps", a.max_steps, "stop after this many instructions (default 1000000)");
  x->footer(kExecHelp);
  return x;
}

void check_exec(Arguments& a) {
  choice_option("--cpu", a.exec.cpu, {"zero-extend", "stale", "any"});
  a.exec.max_steps = unsigned_option("--max-steps", a.max_steps, 1, UINT32_MAX);
  for (const auto& d : a.exec.defines) assignment_option("--define", d);
}

CLI::App* add_dump(CLI::App& app, Arguments& a) {
  DumpOptions& dump = a.dump;  // hidden (empty group): for tests/differential/gas
  auto* d = app.add_subcommand("dump-program", "print the linked program as JSON lines")->group("");
  d->add_option("file", dump.file, ".S file or 32-bit ELF object (.o)")->required();
  d->add_option("--spec", dump.spec, "take constants and defines from this spec");
  d->add_option("--define,-D", dump.defines, "NAME=VALUE for the preprocessor (repeatable)");
  d->add_option("--const,-C", dump.constants, "NAME=VALUE link constant (repeatable)");
  d->add_option("--feature,-F", dump.features, "CPU feature for ALTERNATIVE (repeatable)");
  d->add_option("--cpufeatures", dump.cpufeatures, "object input: the kernel's cpufeatures.h, to name features");
  d->add_flag("--no-alternatives", dump.no_alternatives, "object input: decode the code as in the file");
  return d;
}

CLI::App* add_dump_instructions(CLI::App& app, Arguments& a) {
  auto* di = app.add_subcommand("dump-instructions", "print the instruction catalog (every instruction entrycheck models)");
  di->add_flag("--json", a.instructions_json, "as JSON (for tools)");
  return di;
}

CLI::App* add_check_instructions(CLI::App& app, Arguments& a) {  // hidden: for tests/differential/gas
  auto* ci = app.add_subcommand("check-instructions", "load each line of a file as its own program")->group("");
  ci->add_option("file", a.check_file, "file of instruction lines")->required();
  return ci;
}

// Bad arguments CLI11 finds itself (unknown option, missing argument).
int report_parse_error(CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help
  std::cerr << "entrycheck: error: " << e.what() << "\n(entrycheck --help lists the commands and options)\n";
  return kExitInputError;
}

// Runs `command`; input errors exit 2, anything else is a bug in
// entrycheck: "internal error: <what was being done>: <what>", exit 4.
template <typename Command>
int run_guarded(const std::string& doing, Command command) {
  try {
    return command();
  } catch (const ec::InputError& e) {
    std::cerr << e.diagnostic().render();
    return kExitInputError;
  } catch (const std::exception& e) {
    std::cerr << "entrycheck: internal error: " << doing << ": " << e.what() << "\n";
  } catch (...) {
    std::cerr << "entrycheck: internal error: " << doing << ": an exception of unknown type\n";
  }
  return kExitInternal;
}

}  // namespace
}  // namespace ec::cli

int main(int argc, char** argv) {
  using namespace ec::cli;
  int status = run_guarded("reading the command line", [&] {
    CLI::App app{"entrycheck: a symbolic model checker for x86-32 kernel entry/exit code", "entrycheck"};
    app.footer(kExitCodes);
    app.require_subcommand(1);
    app.set_version_flag("--version", "entrycheck " + ec::entrycheck_version());
    Arguments a;
    CLI::App* verify = add_verify(app, a);
    CLI::App* replay = add_replay(app, a);
    CLI::App* show = add_show(app, a);
    CLI::App* cfg = add_cfg(app, a);
    CLI::App* exec = add_exec(app, a);
    CLI::App* dump_instructions = add_dump_instructions(app, a);
    CLI::App* check_instructions = add_check_instructions(app, a);
    add_dump(app, a);  // the remaining subcommand
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return report_parse_error(app, e);
    }
    std::string doing = std::string("entrycheck ") + app.get_subcommands().front()->get_name();
    return run_guarded(doing, [&] {
      if (*verify) return check_verify(a), run_verify(a.verify);
      if (*replay) return run_replay(a.replay_trace, a.replay_spec);
      if (*show) return check_show(a), run_show(a.show);
      if (*cfg) return run_cfg(a.cfg);
      if (*exec) return check_exec(a), run_exec(a.exec);
      if (*dump_instructions) return run_dump_instructions(a.instructions_json);
      if (*check_instructions) return run_check_instructions(a.check_file);
      return run_dump_program(a.dump);
    });
  });
  // Tearing down Z3's contexts takes seconds and frees nothing the OS will
  // not: leave without running destructors.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}

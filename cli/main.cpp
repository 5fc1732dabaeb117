// entrycheck: argument parsing and dispatch; the work is in the commands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "model/base/diagnostic.hpp"
#include "model/base/version.hpp"

namespace {

const char* kExitCodes =
    "Exit status:\n"
    "  0  every obligation proved (replay: the violation reproduced)\n"
    "  1  some obligation violated (replay: it did not reproduce)\n"
    "  2  usage or input error (bad asm, bad spec, missing file)\n"
    "  3  nothing violated, but some verdict unknown (a bound or timeout cut a path)\n";

const char* kExecHelp =
    "The run stops when the next instruction would be past the program's last\n"
    "instruction, at the instruction labelled `exec_end` (if there is one), or when\n"
    "an IRET retires with no live entry. No NMI arrives; flags the SDM calls\n"
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
    "Output: {\"stop\": \"end\"|\"exec_end\"|\"iret\"|\"violation\"|\"cut\"|\"max-steps\",\n"
    "  \"message\", \"location\" (when stopped inside the program), \"steps\",\n"
    "  \"registers\": {eax..edi}, \"eflags\", \"flags\": {cf pf af zf sf of df tf if: 0|1},\n"
    "  \"undefined_flags\": [...], \"segments\": {es..gs}, \"cr3\", \"iret_eip\" (stop iret),\n"
    "  \"memory\": [{\"address\", \"size\": 4|1, \"value\"}] every byte written, address\n"
    "  order, an aligned dword where all four bytes were written}.\n"
    "\n"
    "Exit status: 0 the run reached its end; 1 it stopped at a violation (e.g. a\n"
    "fault with no IDT gate); 2 input error; 3 max-steps or an unsupported construct.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace ec::cli;
  CLI::App app{"entrycheck: a symbolic model checker for x86-32 kernel entry/exit code", "entrycheck"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", "entrycheck " + ec::entrycheck_version());

  VerifyOptions verify;
  auto* v = app.add_subcommand("verify", "prove or refute every invariant of the specs");
  v->add_option("specs", verify.specs, "spec files (JSON)")->required();
  v->add_option("--profile", verify.profiles, "check only this CPU profile (repeatable)");
  v->add_option("--scenario", verify.scenarios, "check only this scenario (repeatable)");
  v->add_option("--trace-dir", verify.trace_dir, "write counterexample traces (JSON) here");
  v->add_option("--format", verify.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  v->add_option("--timeout", verify.timeout_seconds, "solver timeout per query, seconds");
  v->add_option("--sarif", verify.sarif, "write a SARIF 2.1.0 report (violations with their traces as code flows)");
  v->add_option("--junit", verify.junit, "write a JUnit XML report (one testcase per verdict)");
  v->add_option("--jobs,-j", verify.jobs, "explore this many (scenario, CPU profile) units in parallel")
      ->check(CLI::Range(1, 256));
  v->add_option("--nmi-encoding", verify.nmi_encoding,
                "symbolic (default: one path covers every NMI arrival point) or per-arrival (one path per first "
                "arrival point; slower, for cross-checking)")
      ->check(CLI::IsMember({"symbolic", "per-arrival"}));
  v->add_option("--shard", verify.shard, "K/N: check only every N-th unit, starting with the K-th");
  v->footer(kExitCodes);

  std::string trace, spec_override;
  auto* r = app.add_subcommand("replay", "re-execute a counterexample trace on the concrete semantics");
  r->add_option("trace", trace, "trace file (JSON)")->required();
  r->add_option("--spec", spec_override, "use this spec instead of the one the trace names");

  ShowOptions show;
  auto* s = app.add_subcommand("show", "print a counterexample trace for a person, or write it as an HTML page");
  s->add_option("trace", show.trace, "trace file (JSON)")->required();
  s->add_option("--html", show.html, "write a self-contained HTML viewer page to this file instead");
  s->add_flag("--full", show.full, "every step, with the stacks redrawn at each one");
  s->add_option("--from", show.from, "print from this step number on");
  s->add_option("--to", show.to, "print up to this step number");

  CfgOptions cfg;
  auto* c = app.add_subcommand("cfg", "print the control-flow graph of a .S file");
  c->add_option("file", cfg.file, ".S file")->required();
  c->add_option("--define,-D", cfg.defines, "NAME=VALUE for the preprocessor (repeatable)");
  c->add_option("--entry", cfg.entries, "entry label (repeatable; default: global labels)");
  c->add_option("--spec", cfg.spec, "take constants and defines from this spec");
  c->add_flag("--dot", cfg.dot, "print Graphviz DOT");

  ExecCommandOptions exec;
  auto* x = app.add_subcommand("exec", "run a .S file on the concrete semantics and print the final state (JSON)");
  x->add_option("file", exec.file, ".S file")->required();
  x->add_option("--entry", exec.entry, "label to start at")->required();
  x->add_option("--state", exec.state, "initial registers and memory (JSON, see below)");
  x->add_option("--cpu", exec.cpu, "upper half of a selector stored to a dword (push %sreg, movl %sreg, %r32); default zero-extend")
      ->check(CLI::IsMember({"zero-extend", "stale", "any"}));
  x->add_option("--define,-D", exec.defines, "NAME=VALUE for the preprocessor (repeatable)");
  x->add_option("--max-steps", exec.max_steps, "stop after this many instructions (default 1000000)");
  x->footer(kExecHelp);

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
  int status = kExitInputError;
  try {
    if (*v) status = run_verify(verify);
    else if (*r) status = run_replay(trace, spec_override);
    else if (*s) status = run_show(show);
    else if (*c) status = run_cfg(cfg);
    else if (*x) status = run_exec(exec);
    else if (*d) status = run_dump_program(dump);
  } catch (const ec::InputError& e) {
    std::cerr << e.diagnostic().render();
    status = kExitInputError;
  }
  // Tearing down Z3's contexts takes seconds and frees nothing the OS will
  // not: leave without running destructors.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}

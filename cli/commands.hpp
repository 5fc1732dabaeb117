// The entrycheck subcommands. Each returns the process exit status.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "solver/verify/verify.hpp"

namespace ec::cli {

// Exit statuses (docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,          // all proved / replay reproduced / command done
  kExitViolated = 1,    // some obligation violated / replay did not reproduce
  kExitInputError = 2,  // usage or input error
  kExitUnknown = 3,     // none violated, some unknown
  kExitInternal = 4,    // a bug in entrycheck: "internal error: ..." on stderr
};

// How verify reports its verdicts.
struct OutputOptions {
  enum class Format { Text, Json } format = Format::Text;
  std::string sarif, junit;  // report files, if wanted
};

struct VerifyCommand {
  VerifyOptions run;  // what to verify and how (solver/verify)
  OutputOptions output;
};
int run_verify(const VerifyCommand& command);

int run_replay(const std::string& trace_path, const std::string& spec_override);
// Writes a report or page, creating its folder (InputError if it cannot).
void write_file(const std::string& path, const std::string& text);

struct ShowOptions {
  std::string trace;
  std::string html;          // write the viewer page here instead of printing text
  bool full = false;         // every step with the stacks redrawn (the old output)
  size_t from = 0, to = SIZE_MAX;  // step numbers to print
};
int run_show(const ShowOptions& options);

struct CfgOptions {
  std::string file;
  std::vector<std::string> defines;  // NAME=VALUE
  std::vector<std::string> entries;
  std::string spec;                  // constants for symbols the source leaves to the spec
  std::vector<std::string> features; // CPU features (ALTERNATIVE; an object's .altinstructions)
  std::string cpufeatures;           // object input: the kernel's cpufeatures.h (feature names)
  bool dot = false;
};
int run_cfg(const CfgOptions& options);

struct ExecCommandOptions {
  std::string file;
  std::string entry;
  std::string state;                 // STATE.json; empty: every register at its default
  std::string cpu = "zero-extend";   // zero-extend, stale or any: upper half of a stored selector
  std::vector<std::string> defines;  // NAME=VALUE
  size_t max_steps = 1000000;
};
int run_exec(const ExecCommandOptions& options);

// Hidden, for tests (tests/differential/gas): the linked program as JSON lines.
struct DumpOptions {
  std::string file;
  std::string spec;                    // constants and defines from this spec
  std::vector<std::string> defines;    // NAME=VALUE
  std::vector<std::string> constants;  // NAME=VALUE, added to the spec's
  std::vector<std::string> features;   // CPU features for ALTERNATIVE
  std::string cpufeatures;             // object input: the kernel's cpufeatures.h (feature names)
  bool no_alternatives = false;        // object input: the code as in the file
};
int run_dump_program(const DumpOptions& options);

// The instruction catalog (model/program/instructions.def), as text or JSON.
int run_dump_instructions(bool json);
// Hidden, for tests/differential/gas: each line of FILE loaded as its own
// program; one JSON line each saying ok, warning or error.
int run_check_instructions(const std::string& file);

// Warnings from loading a program (e.g. GNU as's "shortened" warnings), on
// stderr, each once.
void print_warnings(const std::vector<Diagnostic>& warnings);

}  // namespace ec::cli

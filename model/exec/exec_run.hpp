// `entrycheck exec`: runs a program on the concrete semantics from a label,
// with registers and memory from a state file, and reports the final state.
// It is how the semantics is compared with a real (emulated) CPU: see
// tests/differential/qemu_diff.py.
//
// Stop rule: the run ends when the next instruction would be the one after
// the program's last instruction (index == instructions.size()), when it
// reaches the instruction labelled `exec_end` (if the program has that
// label), or when an outermost IRET retires. Anything else that ends it (a
// fault without an IDT gate, ret to an address outside the program, the
// step bound) is reported with its reason.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/machine/machine_config.hpp"
#include "model/program/program.hpp"

namespace ec {

// The initial state of an exec run (from STATE.json).
struct ExecState {
  std::map<std::string, uint32_t> registers;  // eax..edi, esp, eflags, es..gs, cr3: every one set
  std::map<uint32_t, uint8_t> memory;         // initial bytes; every other byte reads as 0
};

// Registers and their defaults when the state file leaves them out.
ExecState default_exec_state();

// Parses a state document. `source` names it in diagnostics (a file path).
// Throws InputError on unknown keys, bad values or overlapping memory.
ExecState parse_exec_state(const nlohmann::json& doc, const std::string& source);
// Reads and parses a state file; JSON syntax errors are located (line:col).
ExecState load_exec_state(const std::string& path);

struct ExecOptions {
  std::string entry;                                      // label to start at
  SegmentStore segment_store = SegmentStore::ZeroExtend;  // --cpu
  size_t max_steps = 1000000;
};

struct ExecResult {
  std::string stop;     // "end", "exec_end", "iret", "gone", "max-steps", "violation", "cut"
  std::string message;  // for violation / cut / max-steps
  std::string location; // the instruction the run stopped at, when inside the program
  size_t steps = 0;
  std::map<std::string, uint32_t> registers;  // eax..edi, es..gs, cr3, eflags
  uint32_t eflags = 0;
  std::set<std::string> undefined_flags;      // cf pf af zf sf of: left undefined by the last writer
  std::optional<uint32_t> iret_eip;           // stop == "iret"
  std::map<uint32_t, uint8_t> written;        // every byte the run stored, final values
  bool ok() const { return stop == "end" || stop == "exec_end" || stop == "iret" || stop == "gone"; }
};

ExecResult run_exec(const Program& program, const ExecState& initial, const ExecOptions& options);

// The documented output format (docs in `entrycheck exec --help`).
nlohmann::ordered_json exec_result_to_json(const ExecResult& result);

}  // namespace ec

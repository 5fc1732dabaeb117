// A counterexample as data: the inputs that drive it and the steps it takes.
// Built by re-running the concrete semantics on a Z3 model; printed by
// trace_json.cpp (JSON, docs/trace-format.md), trace_text.cpp (text) and
// trace_html.cpp (the viewer page).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ec {

struct TraceMemWrite {
  uint32_t address = 0;
  std::vector<uint8_t> bytes;  // in address order
};

struct TraceStep {
  size_t index = 0;
  std::string location;                   // file:line:col of the instruction
  std::vector<std::string> expanded_from;  // "MACRO at file:line:col", innermost first
  uint32_t address = 0;
  std::string instruction;
  std::string event_kind;                 // "", "nmi", "exception", "handler-call", "resumed"
  std::string event;
  int depth = 0;                          // live entries after the step
  std::map<std::string, uint32_t> registers;  // changed by the step
  std::vector<TraceMemWrite> memory;          // changed by the step
  uint32_t esp = 0;                           // after the step
};

// A named slot of a saved frame: `offset` bytes from the frame's origin (the
// slot where the hardware saved EIP), `size` bytes. `selector`: the slot
// holds a segment selector in its low half (its high half is whatever the
// CPU left there: docs/trace-format.md#frames).
struct TraceFrameField {
  std::string name;
  int32_t offset = 0;
  uint32_t size = 4;
  bool selector = false;
};

// One entry into the kernel: the step that delivered it, the frame the
// hardware pushed, and the step whose IRET undid it (if one did).
struct TraceEntry {
  size_t first_step = 0;            // position in Trace::steps of the delivery
  std::optional<size_t> last_step;  // position of the step that retired it; none: live when the trace ends
  int vector = 0;                   // -1: SYSENTER
  std::string from;                 // "user", "kernel", "vm86" or "sysenter"
  uint32_t frame = 0;               // the frame's origin: the saved EIP slot (SYSENTER: the new ESP)
  std::vector<TraceFrameField> hardware_frame;  // what the CPU pushed (SYSENTER: nothing)
};

// How to tell the user CR3 from the kernel CR3 (PTI).
struct TracePti {
  bool enabled = false;
  uint32_t switch_mask = 0x1000;  // set in the user CR3
};

struct TraceRegion {
  std::string name;
  uint32_t base = 0, size = 0;
  bool stack = false;
};

struct Trace {
  int version = 1;
  std::string entrycheck_version;             // the entrycheck that wrote it ("" in older traces)
  std::string spec_path;
  std::string spec_name;
  std::string scenario;
  std::string profile;
  std::string invariant;
  std::map<std::string, uint64_t> inputs;     // every free input the run read
  std::map<uint32_t, bool> selectors;         // seg_valid for each selector loaded
  std::vector<TraceRegion> layout;            // the spec's regions, for drawing stacks
  std::map<uint32_t, uint32_t> initial_dwords;  // the spec's initial memory
  std::map<std::string, uint32_t> interrupted;  // the interrupted context's registers
  std::map<std::string, uint32_t> final_state;  // registers when the run ended
  std::vector<TraceStep> steps;
  std::vector<std::string> violated;          // the conditions that fail
  std::string message;                        // one-line summary of the violation
  std::string location;                       // where the violation shows (file:line:col): the
                                              // instruction after the last step, which did not complete
  std::string violation_instruction;          // that instruction ("" in older traces)
  std::map<std::string, uint32_t> expected;   // resume: the context the invariant expects back
  std::vector<TraceEntry> entries;            // every entry, in delivery order (older traces: none)
  std::vector<TraceFrameField> frame_fields;  // the spec's saved-frame layout, from each entry's origin
  std::optional<TracePti> pti;                // none in older traces
};

// The hardware frame the CPU pushes on delivery (SDM Vol.3 6.12.1, Figure
// 6-4): EIP, CS, EFLAGS; ESP, SS from a less privileged level; ES, DS, FS,
// GS from virtual-8086 mode; the error code below EIP.
std::vector<TraceFrameField> hardware_frame_fields(const std::string& from, bool error_code);

std::string trace_to_json_text(const Trace& t);
Trace trace_from_json_file(const std::string& path);  // throws InputError

// For people (entrycheck show): compact by default (one line per step with
// what it changed, the stacks once, at the violation), or every step with
// the stacks redrawn at each (full). Steps whose index lies in [from, to].
struct TextOptions {
  bool full = false;
  size_t from = 0;
  size_t to = SIZE_MAX;
};
std::string trace_to_text(const Trace& t, const TextOptions& options = {});

}  // namespace ec

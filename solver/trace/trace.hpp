// A counterexample as data: the inputs that drive it and the steps it takes.
// Built by re-running the concrete semantics on a Z3 model; printed by
// trace_json.cpp (JSON, docs/trace-format.md) and trace_text.cpp.
#pragma once
#include <cstdint>
#include <map>
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

struct TraceRegion {
  std::string name;
  uint32_t base = 0, size = 0;
  bool stack = false;
};

struct Trace {
  int version = 1;
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
  std::string location;                       // where the violation shows (file:line:col)
};

std::string trace_to_json_text(const Trace& t);
Trace trace_from_json_file(const std::string& path);  // throws InputError
std::string trace_to_text(const Trace& t);            // for people (entrycheck show)

}  // namespace ec

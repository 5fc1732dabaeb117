// What the trace printers (text, HTML, SARIF messages) share: memory as it
// stands after a step, with where each byte came from; the names of stack
// slots (the frame fields of the live entries, else region and offset); and
// registers decoded for people (EFLAGS, selectors with RPL, CR3 user/kernel).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "solver/trace/trace.hpp"

namespace ec {

// Spec: the spec's initial memory. Stale: never written on the run, its
// value the initial content the run read (input mem0@addr): what a CPU that
// does not write a byte leaves there. Written: by the step at `writer`.
enum class ByteOrigin { Spec, Stale, Written };

struct TraceByte {
  uint8_t value = 0;
  ByteOrigin origin = ByteOrigin::Stale;
  size_t writer = 0;  // position in Trace::steps (origin Written)
};

class MemoryImage {
 public:
  explicit MemoryImage(const Trace& t);  // before the first step
  void apply(const TraceStep& s, size_t position);
  const TraceByte* byte(uint32_t address) const;  // null: neither read nor written on the run
  const std::map<uint32_t, TraceByte>& bytes() const { return bytes_; }
  // `size` bytes at `address` as one little-endian hex number ("80000060");
  // "??" for each byte the run never fixed.
  std::string hex(uint32_t address, uint32_t size = 4) const;
  std::optional<uint32_t> value(uint32_t address, uint32_t size = 4) const;
  bool any_stale(uint32_t address, uint32_t size) const;

 private:
  std::map<uint32_t, TraceByte> bytes_;
};

// Entries live after the step at `position`; position == steps.size() means
// before the violating instruction (the one after the last step).
std::vector<size_t> live_entries(const Trace& t, size_t position);

// A named slot of a live entry's frame: "#1 CS" (entry numbers count from 1
// in delivery order), hardware fields first, then the spec's frame_fields.
struct FrameSlot {
  size_t entry = 0;
  TraceFrameField field;
  uint32_t address = 0;
  std::string label;
};
std::vector<FrameSlot> frame_slots(const Trace& t, const std::vector<size_t>& entries);
const FrameSlot* slot_at(const std::vector<FrameSlot>& slots, uint32_t address);

// "task_stack top-0x50" (stack regions count down from the top),
// "percpu+0x4", or the bare address outside every region.
std::string region_offset_name(const Trace& t, uint32_t address);
const TraceRegion* region_of(const Trace& t, uint32_t address);

std::string eflags_flags(uint32_t eflags);                // "IF ZF PF", "IOPL=3 VM"
std::string selector_fields(uint32_t selector);           // "index 12, GDT, RPL 0"
std::string cr3_name(const Trace& t, uint32_t cr3);       // "user", "kernel" or "" (older traces)
std::string register_value(const std::string& name, uint32_t value);  // "0x0060" for selectors, else hex32

// The CS_FROM_* marker bits Linux 6.1's entry_32.S keeps in the CS slot's
// high half (bit, name), and the names of those set in `value`.
const std::vector<std::pair<int, std::string>>& cs_marker_bits();
std::string marker_note(uint32_t value);

// What a selector slot holds beyond its selector: "high half 0x8000 stale:
// never written, marker bit 31 CS_FROM_ENTRY_STACK" (markers for CS only), or "".
std::string selector_slot_note(const MemoryImage& mem, uint32_t address, bool cs);

// What the steps at positions first..last changed, by name: registers
// (their values after `last`) and memory slots (frame fields, else region
// offsets; values from `after`, the image after `last`).
std::string changes_text(const Trace& t, size_t first, size_t last, const MemoryImage& after);

// changes_text for each step on its own, in order (SARIF code-flow messages).
std::vector<std::string> step_change_texts(const Trace& t);

// What an invariant states, for people ("" for an unknown id).
std::string invariant_statement(const std::string& id);

// The step number the violating instruction would have: the instruction
// after the last step, which did not complete.
size_t violation_index(const Trace& t);

// "file:line" with the directories cut, for compact listings.
std::string short_location(const std::string& location);

}  // namespace ec

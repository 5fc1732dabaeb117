// A counterexample for a person, as text.
//
// Compact (the default): one line per step with only what it changed
// (registers, memory slots by name: frame fields of the live entries, else
// region offsets), pushes, pops and string iterations folded into one line;
// then the violation, with the stacks drawn once, before the instruction
// that breaks the invariant.
//
// Full (--full): every step, and at every step that moves ESP or writes a
// stack, the stacks drawn side by side (dword slots, values, ESP marked,
// slots the step changed starred).
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "model/base/hex.hpp"
#include "solver/trace/trace.hpp"
#include "solver/trace/trace_view.hpp"

namespace ec {
namespace {

constexpr int kWindowSlots = 20;       // slots drawn per stack (full)
constexpr uint32_t kCompactRows = 14;  // slots drawn per stack (compact)

bool is_delivery(const TraceStep& s) { return s.instruction.rfind("<hardware", 0) == 0; }

bool in_range(const TraceStep& s, const TextOptions& o) { return o.from <= s.index && s.index <= o.to; }

std::string step_number(const TraceStep& s) { return is_delivery(s) ? "#hw" : "#" + std::to_string(s.index); }

bool touches(const TraceStep& s, const TraceRegion& r) {
  for (const auto& w : s.memory)
    if (w.address - r.base < r.size) return true;
  return false;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Columns of text lines, side by side.
void print_columns(std::ostream& out, const std::vector<std::vector<std::string>>& columns, size_t width,
                   const std::string& indent) {
  size_t rows = 0;
  for (const auto& c : columns) rows = std::max(rows, c.size());
  for (size_t i = 0; i < rows; ++i) {
    std::string line = indent;
    for (const auto& c : columns) line += pad(i < c.size() ? c[i] : "", width);
    out << trim_right(line) << "\n";
  }
}

// ---- full ------------------------------------------------------------------

// One column of text lines for one stack region.
std::vector<std::string> draw_stack(const TraceRegion& r, const MemoryImage& mem, const TraceStep& s) {
  uint32_t top = r.base + r.size;
  bool esp_here = s.esp - r.base <= r.size;
  uint32_t low = esp_here ? s.esp : top;
  for (const auto& w : s.memory)
    if (w.address - r.base < r.size) low = std::min(low, w.address);
  low &= ~3u;
  uint32_t high = std::min<uint64_t>(top, uint64_t(low) + 4 * kWindowSlots);
  std::vector<std::string> lines = {r.name + (esp_here ? "  (esp here)" : "")};
  for (uint32_t a = high; a > low;) {
    a -= 4;
    bool changed = false;
    for (const auto& w : s.memory)
      if (w.address < a + 4 && a < w.address + w.bytes.size()) changed = true;
    std::string line = (esp_here && a == s.esp ? "esp> " : "     ") + hex32(a) + "  " + mem.hex(a) + (changed ? " *" : "  ");
    lines.push_back(line);
  }
  if (high < top) lines.push_back("     ... up to " + hex32(top));
  return lines;
}

void draw_stacks(std::ostream& out, const Trace& t, const MemoryImage& mem, const TraceStep& s, uint32_t esp_before) {
  std::vector<std::vector<std::string>> columns;
  for (const auto& r : t.layout) {
    if (!r.stack) continue;
    bool esp_in = s.esp - r.base <= r.size || esp_before - r.base <= r.size;
    if (esp_in || touches(s, r)) columns.push_back(draw_stack(r, mem, s));
  }
  print_columns(out, columns, 36, "        ");
}

void full_text(std::ostream& out, const Trace& t, const TextOptions& o) {
  out << "counterexample: " << t.invariant << " violated\n"
      << "  spec " << t.spec_name << " (" << t.spec_path << "), scenario " << t.scenario << ", CPU profile "
      << t.profile << "\n"
      << "  " << t.message << "\n"
      << "  at " << t.location << "\n\ninterrupted context:";
  for (const auto& [name, value] : t.interrupted) out << " " << name << "=" << hex32(value);
  out << "\n\n";
  MemoryImage mem(t);
  uint32_t esp = t.interrupted.count("esp") ? t.interrupted.at("esp") : 0;
  for (size_t p = 0; p < t.steps.size(); ++p) {
    const TraceStep& s = t.steps[p];
    mem.apply(s, p);
    bool shown = in_range(s, o);
    if (shown) {
      out << step_number(s) << "  " << s.location << "  [depth " << s.depth << "]  " << s.instruction << "\n";
      for (const auto& e : s.expanded_from) out << "        in " << e << "\n";
      if (!s.event_kind.empty()) out << "        ** " << s.event_kind << ": " << s.event << "\n";
      if (!s.registers.empty()) {
        out << "        regs:";
        for (const auto& [name, value] : s.registers) out << " " << name << "=" << hex32(value);
        out << "\n";
      }
    }
    bool stack_write = false;
    for (const auto& r : t.layout) stack_write = stack_write || (r.stack && touches(s, r));
    if (shown && (s.esp != esp || stack_write)) draw_stacks(out, t, mem, s, esp);
    esp = s.esp;
  }
  out << "\nfinal state:";
  for (const auto& [name, value] : t.final_state) out << " " << name << "=" << hex32(value);
  out << "\nviolated:";
  for (const auto& c : t.violated) out << "\n  - " << c;
  out << "\n";
}

// ---- compact ---------------------------------------------------------------

std::string mnemonic(const std::string& instruction) { return instruction.substr(0, instruction.find(' ')); }

std::string operands(const std::string& instruction) {
  auto space = instruction.find(' ');
  return space == std::string::npos ? "" : instruction.substr(space + 1);
}

// Steps at positions a and b belong on one line: the same instruction
// repeated (string iterations), or a run of pushes or of pops, with no event,
// from the same macro expansion.
bool folds_with(const TraceStep& a, const TraceStep& b) {
  if (!a.event_kind.empty() || !b.event_kind.empty() || a.expanded_from != b.expanded_from) return false;
  if (a.location == b.location && a.instruction == b.instruction) return true;
  std::string m = mnemonic(a.instruction);
  return m == mnemonic(b.instruction) && (m.rfind("push", 0) == 0 || m.rfind("pop", 0) == 0);
}

std::string expansion_note(const TraceStep& s) {
  if (s.expanded_from.empty()) return "";
  const std::string& outer = s.expanded_from.back();  // "MACRO at file:line:col"
  auto at = outer.find(" at ");
  if (at == std::string::npos) return "  {" + outer + "}";
  std::string where = short_location(outer.substr(at + 4));
  return "  {" + outer.substr(0, at) + "@" + where.substr(where.rfind(':') + 1) + "}";
}

std::string folded_instruction(const Trace& t, size_t first, size_t last) {
  const TraceStep& a = t.steps[first];
  size_t n = last - first + 1;
  if (n == 1) return a.instruction;
  if (a.instruction == t.steps[last].instruction) return a.instruction + " x" + std::to_string(n);
  std::string list;
  for (size_t p = first; p <= last; ++p) list += (p == first ? "" : " ") + operands(t.steps[p].instruction);
  return mnemonic(a.instruction) + " x" + std::to_string(n) + ": " + list;
}

std::string folded_location(const Trace& t, size_t first, size_t last) {
  std::string a = short_location(t.steps[first].location), b = short_location(t.steps[last].location);
  return a == b ? a : a + "-" + b.substr(b.rfind(':') + 1);
}

std::string step_line(const Trace& t, size_t first, size_t last, const MemoryImage& mem) {
  const TraceStep& a = t.steps[first];
  std::string number = step_number(a);
  if (last > first) number += ".." + std::to_string(t.steps[last].index);
  std::string line = pad(number + " ", 9) + pad(folded_location(t, first, last) + " ", 16) + folded_instruction(t, first, last) +
                     expansion_note(a);
  if (!a.event_kind.empty()) line += "  ** " + a.event_kind + ": " + a.event;
  std::string changes = changes_text(t, first, last, mem);
  if (!changes.empty()) line += "  -> " + changes;
  return line;
}

std::string context_line(const Trace& t, const std::map<std::string, uint32_t>& regs) {
  std::string out;
  for (const char* name : {"eip", "cs", "ss", "esp", "eflags", "cr3", "ds", "es", "fs", "gs"}) {
    auto it = regs.find(name);
    if (it == regs.end()) continue;
    out += std::string(" ") + name + "=" + register_value(name, it->second);
    if (std::string(name) == "eflags") out += " (" + eflags_flags(it->second) + ")";
    if (std::string(name) == "cr3" && !cr3_name(t, it->second).empty()) out += " (" + cr3_name(t, it->second) + ")";
  }
  bool zero = true;
  for (const char* name : {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"}) {
    auto it = regs.find(name);
    if (it == regs.end()) continue;
    if (it->second) out += std::string(" ") + name + "=" + hex32(it->second);
    else zero = false;
  }
  if (!zero) out += " (other general registers 0)";
  return out;
}

// A live entry's selector slots as the CPU left them at delivery, where
// that differs from now or holds stale bytes: "delivered 80000060: high
// half 0x8000 stale: never written, marker bit 31 CS_FROM_ENTRY_STACK".
std::map<uint32_t, std::string> delivered_notes(const Trace& t) {
  std::map<uint32_t, std::string> notes;
  MemoryImage mem(t);
  auto live = live_entries(t, t.steps.size());
  for (size_t p = 0; p < t.steps.size(); ++p) {
    mem.apply(t.steps[p], p);
    for (const auto& slot : frame_slots(t, live)) {
      if (t.entries[slot.entry].first_step != p || !slot.field.selector) continue;
      std::string note = selector_slot_note(mem, slot.address, slot.field.name == "CS");
      if (!note.empty()) notes[slot.address] = "delivered " + mem.hex(slot.address) + ": " + note;
    }
  }
  return notes;
}

// The ranges worth drawing before the violation: the slots at and above
// ESP (what a POP or an IRET would take), the live frames, and (resume) the
// interrupted ESP; one slot of margin below each.
std::vector<std::pair<uint32_t, uint32_t>> ranges_of_interest(const Trace& t, const std::vector<FrameSlot>& frames) {
  std::vector<std::pair<uint32_t, uint32_t>> out;  // [low, high] slot addresses
  auto add = [&](uint32_t a, uint32_t slots_above) { out.push_back({(a & ~3u) - 4, (a & ~3u) + 4 * slots_above}); };
  if (!t.steps.empty()) add(t.steps.back().esp, 3);
  for (const auto& f : frames) add(f.address, 0);
  if (auto it = t.interrupted.find("esp"); it != t.interrupted.end()) add(it->second, 1);
  return out;
}

std::vector<std::string> violation_stack(const Trace& t, const TraceRegion& r, const MemoryImage& mem,
                                         const std::vector<FrameSlot>& frames,
                                         const std::map<uint32_t, std::string>& notes, uint32_t lo, uint32_t hi) {
  uint32_t esp = t.steps.empty() ? 0 : t.steps.back().esp;
  std::vector<std::string> lines = {r.name + " (top " + hex32(r.base + r.size) + (esp - r.base <= r.size ? ", esp here)" : ")")};
  for (uint32_t a = hi + 4; a > lo;) {
    a -= 4;
    std::string line = (a == esp ? "esp> " : "     ") + hex32(a) + "  " + mem.hex(a) + (mem.any_stale(a, 4) ? " s" : "  ");
    if (const FrameSlot* f = slot_at(frames, a)) line += "  " + f->label;
    if (auto note = notes.find(a); note != notes.end()) line += " (" + note->second + ")";
    lines.push_back(line);
  }
  return lines;
}

void draw_violation_stacks(std::ostream& out, const Trace& t, const MemoryImage& mem) {
  auto frames = frame_slots(t, live_entries(t, t.steps.size()));
  auto notes = delivered_notes(t);
  auto ranges = ranges_of_interest(t, frames);
  for (const auto& r : t.layout) {
    if (!r.stack) continue;
    uint32_t top = r.base + r.size - 4;
    std::optional<std::pair<uint32_t, uint32_t>> window;
    for (auto [lo, hi] : ranges) {
      if (hi < r.base || lo > top) continue;
      lo = std::max(lo, r.base);
      hi = std::min(hi, top);
      window = window ? std::pair{std::min(window->first, lo), std::max(window->second, hi)} : std::pair{lo, hi};
    }
    if (!window) continue;
    uint32_t high = window->second;
    if (high - window->first >= 4 * kCompactRows) high = window->first + 4 * (kCompactRows - 1);
    for (const auto& line : violation_stack(t, r, mem, frames, notes, window->first, high))
      out << "  " << trim_right(line) << "\n";
  }
}

void expected_vs_actual(std::ostream& out, const Trace& t) {
  if (t.expected.empty()) return;
  out << "  expected vs actual:";
  size_t same = 0;
  for (const auto& [name, want] : t.expected) {
    auto got = t.final_state.find(name);
    bool violated = std::find(t.violated.begin(), t.violated.end(), name) != t.violated.end();
    if (got != t.final_state.end() && got->second == want && !violated) {
      ++same;
      continue;
    }
    out << "  " << name << " " << register_value(name, want) << " vs "
        << (got == t.final_state.end() ? "?" : register_value(name, got->second)) << (violated ? " (violated)" : "");
  }
  out << "  (" << same << " more equal)\n";
}

// The failing conditions the expected-vs-actual line does not already show.
void other_conditions(std::ostream& out, const Trace& t) {
  std::string others;
  for (const auto& c : t.violated)
    if (!t.expected.count(c) && c != t.message) others += (others.empty() ? "" : ", ") + c;
  if (!others.empty()) out << "  failing conditions: " << others << "\n";
}

void violation_block(std::ostream& out, const Trace& t, const MemoryImage& mem) {
  out << "\nviolation at #" << violation_index(t) << "  " << short_location(t.location) << "  "
      << (t.violation_instruction.empty() ? "(instruction not recorded)" : t.violation_instruction) << ": " << t.message
      << "\n";
  std::string statement = invariant_statement(t.invariant);
  out << "  " << t.invariant << (statement.empty() ? "" : ": " + statement) << "\n";
  expected_vs_actual(out, t);
  other_conditions(out, t);
  out << "  stacks before it (s: stale bytes, never written):\n";
  draw_violation_stacks(out, t, mem);
}

void compact_text(std::ostream& out, const Trace& t, const TextOptions& o) {
  out << "counterexample: " << t.invariant << " violated (spec " << t.spec_name << ", scenario " << t.scenario
      << ", CPU profile " << t.profile << ")\n"
      << "  " << t.message << (ends_with(t.message, t.location) ? "" : ", at " + t.location) << "\n"
      << "interrupted:" << context_line(t, t.interrupted) << "\n";
  MemoryImage mem(t);
  for (size_t p = 0; p < t.steps.size();) {
    size_t last = p;
    while (last + 1 < t.steps.size() && folds_with(t.steps[last], t.steps[last + 1]) &&
           in_range(t.steps[last + 1], o) == in_range(t.steps[p], o))
      ++last;
    for (size_t q = p; q <= last; ++q) mem.apply(t.steps[q], q);
    if (in_range(t.steps[p], o)) out << trim_right(step_line(t, p, last, mem)) << "\n";
    p = last + 1;
  }
  violation_block(out, t, mem);
}

}  // namespace

std::string trace_to_text(const Trace& t, const TextOptions& options) {
  std::ostringstream out;
  if (options.full) full_text(out, t, options);
  else compact_text(out, t, options);
  return out.str();
}

}  // namespace ec

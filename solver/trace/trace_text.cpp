// A counterexample for a person: the steps with their source lines, and at
// every step that moves ESP or writes a stack, the stacks drawn side by side
// (dword slots, values, ESP marked, slots the step changed starred).
#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include "model/base/hex.hpp"
#include "solver/trace/trace.hpp"

namespace ec {
namespace {

constexpr int kWindowSlots = 20;  // slots drawn per stack

// What memory holds as the trace goes: the spec's initial dwords, the
// initial bytes the run read (inputs mem0@addr), and every step's writes.
class MemoryImage {
 public:
  explicit MemoryImage(const Trace& t) {
    for (const auto& [address, value] : t.initial_dwords)
      for (int i = 0; i < 4; ++i) bytes_[address + i] = static_cast<uint8_t>(value >> (8 * i));
    for (const auto& [name, value] : t.inputs)
      if (name.rfind("mem0@", 0) == 0) bytes_[static_cast<uint32_t>(std::stoul(name.substr(5), nullptr, 0))] = static_cast<uint8_t>(value);
  }
  void apply(const TraceStep& s) {
    for (const auto& w : s.memory)
      for (size_t i = 0; i < w.bytes.size(); ++i) bytes_[w.address + static_cast<uint32_t>(i)] = w.bytes[i];
  }
  std::string slot(uint32_t address) const {
    std::string out;
    for (int i = 3; i >= 0; --i) {
      auto it = bytes_.find(address + i);
      char buf[4];
      if (it == bytes_.end()) out += "??";
      else {
        std::snprintf(buf, sizeof buf, "%02x", it->second);
        out += buf;
      }
    }
    return out;
  }
  std::optional<uint32_t> lowest_in(const TraceRegion& r) const {
    auto it = bytes_.lower_bound(r.base);
    if (it == bytes_.end() || it->first >= r.base + r.size) return std::nullopt;
    return it->first;
  }

 private:
  std::map<uint32_t, uint8_t> bytes_;
};

bool touches(const TraceStep& s, const TraceRegion& r) {
  for (const auto& w : s.memory)
    if (w.address - r.base < r.size) return true;
  return false;
}

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
    std::string line = (esp_here && a == s.esp ? "esp> " : "     ") + hex32(a) + "  " + mem.slot(a) + (changed ? " *" : "  ");
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
  size_t rows = 0;
  for (const auto& c : columns) rows = std::max(rows, c.size());
  for (size_t i = 0; i < rows; ++i) {
    std::string line = "        ";
    for (const auto& c : columns) {
      std::string cell = i < c.size() ? c[i] : "";
      cell.resize(36, ' ');
      line += cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

}  // namespace

std::string trace_to_text(const Trace& t) {
  std::ostringstream out;
  out << "counterexample: " << t.invariant << " violated\n"
      << "  spec " << t.spec_name << " (" << t.spec_path << "), scenario " << t.scenario << ", CPU profile "
      << t.profile << "\n"
      << "  " << t.message << "\n"
      << "  at " << t.location << "\n\ninterrupted context:";
  for (const auto& [name, value] : t.interrupted) out << " " << name << "=" << hex32(value);
  out << "\n\n";
  MemoryImage mem(t);
  uint32_t esp = t.interrupted.count("esp") ? t.interrupted.at("esp") : 0;
  for (const auto& s : t.steps) {
    bool delivery = s.instruction.rfind("<hardware", 0) == 0;
    out << (delivery ? std::string("#hw") : "#" + std::to_string(s.index)) << "  " << s.location << "  [depth " << s.depth << "]  " << s.instruction << "\n";
    for (const auto& e : s.expanded_from) out << "        in " << e << "\n";
    if (!s.event_kind.empty()) out << "        ** " << s.event_kind << ": " << s.event << "\n";
    if (!s.registers.empty()) {
      out << "        regs:";
      for (const auto& [name, value] : s.registers) out << " " << name << "=" << hex32(value);
      out << "\n";
    }
    mem.apply(s);
    bool stack_write = false;
    for (const auto& r : t.layout) stack_write = stack_write || (r.stack && touches(s, r));
    if (s.esp != esp || stack_write) draw_stacks(out, t, mem, s, esp);
    esp = s.esp;
  }
  out << "\nfinal state:";
  for (const auto& [name, value] : t.final_state) out << " " << name << "=" << hex32(value);
  out << "\nviolated:";
  for (const auto& c : t.violated) out << "\n  - " << c;
  out << "\n";
  return out.str();
}

}  // namespace ec

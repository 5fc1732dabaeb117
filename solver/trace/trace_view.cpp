#include "solver/trace/trace_view.hpp"

#include <algorithm>
#include <cstdio>

#include "model/base/hex.hpp"
#include "model/base/invariant_ids.hpp"
#include "model/base/numbers.hpp"

namespace ec {
namespace {

bool is_segment_register(const std::string& name) {
  return name == "cs" || name == "ss" || name == "ds" || name == "es" || name == "fs" || name == "gs";
}

std::string hex_digits(uint64_t value, int digits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(value));
  return buf;
}

// Memory the steps first..last wrote, as slots: the frame field holding a
// byte if there is one, else its aligned dword. In the order first written.
struct WrittenSlot {
  uint32_t address;
  uint32_t size;
  const FrameSlot* frame;  // null: an unnamed dword
};

std::vector<WrittenSlot> written_slots(const Trace& t, size_t first, size_t last, const std::vector<FrameSlot>& frames) {
  std::vector<WrittenSlot> out;
  auto add = [&](uint32_t byte) {
    const FrameSlot* f = slot_at(frames, byte);
    WrittenSlot w = f ? WrittenSlot{f->address, f->field.size, f} : WrittenSlot{byte & ~3u, 4, nullptr};
    for (const auto& o : out)
      if (o.address == w.address && o.frame == w.frame) return;
    out.push_back(w);
  };
  for (size_t p = first; p <= last && p < t.steps.size(); ++p)
    for (const auto& write : t.steps[p].memory)
      for (size_t i = 0; i < write.bytes.size(); ++i) add(write.address + static_cast<uint32_t>(i));
  return out;
}

std::string slot_text(const Trace& t, const MemoryImage& mem, const WrittenSlot& w) {
  std::string name = w.frame ? w.frame->label : region_offset_name(t, w.address);
  std::string text = "[" + name + "]=" + mem.hex(w.address, w.size);
  if (w.frame && w.frame->field.selector) {
    std::string note = selector_slot_note(mem, w.address, w.frame->field.name == "CS");
    if (!note.empty()) text += " (" + note + ")";
  }
  return text;
}

// More than a few unnamed slots of one region (a rep movs, a clobber) are
// summarised as a count and a range.
constexpr size_t kListedSlots = 4;

std::string memory_text(const Trace& t, const MemoryImage& mem, const std::vector<WrittenSlot>& slots) {
  std::string out;
  std::map<std::string, std::vector<uint32_t>> unnamed;  // region -> slot addresses
  for (const auto& w : slots) {
    const TraceRegion* r = region_of(t, w.address);
    if (!w.frame) unnamed[r ? r->name : ""].push_back(w.address);
  }
  for (const auto& w : slots) {
    const TraceRegion* r = region_of(t, w.address);
    const auto& group = unnamed[r ? r->name : ""];
    if (!w.frame && group.size() > kListedSlots) {
      if (w.address != group.front()) continue;
      auto [lo, hi] = std::minmax_element(group.begin(), group.end());
      out += " " + std::to_string(group.size()) + " slots [" + region_offset_name(t, *lo) + " .. " +
             region_offset_name(t, *hi) + "]";
      continue;
    }
    out += " " + slot_text(t, mem, w);
  }
  return out;
}

}  // namespace

MemoryImage::MemoryImage(const Trace& t) {
  for (const auto& [name, value] : t.inputs) {
    // The reader has checked the address of every mem0@ADDRESS input.
    std::optional<uint64_t> address = name.rfind("mem0@", 0) == 0 ? parse_unsigned(name.substr(5), UINT32_MAX)
                                                                   : std::nullopt;
    if (address) bytes_[static_cast<uint32_t>(*address)] = TraceByte{static_cast<uint8_t>(value), ByteOrigin::Stale, 0};
  }
  for (const auto& [address, value] : t.initial_dwords)
    for (uint32_t i = 0; i < 4; ++i)
      bytes_[address + i] = TraceByte{static_cast<uint8_t>(value >> (8 * i)), ByteOrigin::Spec, 0};
}

void MemoryImage::apply(const TraceStep& s, size_t position) {
  for (const auto& w : s.memory)
    for (size_t i = 0; i < w.bytes.size(); ++i)
      bytes_[w.address + static_cast<uint32_t>(i)] = TraceByte{w.bytes[i], ByteOrigin::Written, position};
}

const TraceByte* MemoryImage::byte(uint32_t address) const {
  auto it = bytes_.find(address);
  return it == bytes_.end() ? nullptr : &it->second;
}

std::string MemoryImage::hex(uint32_t address, uint32_t size) const {
  std::string out;
  for (uint32_t i = size; i-- > 0;) {
    const TraceByte* b = byte(address + i);
    out += b ? hex_digits(b->value, 2) : "??";
  }
  return out;
}

std::optional<uint32_t> MemoryImage::value(uint32_t address, uint32_t size) const {
  uint32_t v = 0;
  for (uint32_t i = size; i-- > 0;) {
    const TraceByte* b = byte(address + i);
    if (!b) return std::nullopt;
    v = (v << 8) | b->value;
  }
  return v;
}

bool MemoryImage::any_stale(uint32_t address, uint32_t size) const {
  for (uint32_t i = 0; i < size; ++i) {
    const TraceByte* b = byte(address + i);
    if (b && b->origin == ByteOrigin::Stale) return true;
  }
  return false;
}

std::vector<size_t> live_entries(const Trace& t, size_t position) {
  std::vector<size_t> out;
  for (size_t i = 0; i < t.entries.size(); ++i) {
    const auto& e = t.entries[i];
    if (e.first_step <= position && (!e.last_step || position < *e.last_step)) out.push_back(i);
  }
  return out;
}

std::vector<FrameSlot> frame_slots(const Trace& t, const std::vector<size_t>& entries) {
  std::vector<FrameSlot> out;
  for (size_t i : entries) {
    const TraceEntry& e = t.entries[i];
    std::string number = "#" + std::to_string(i + 1) + " ";
    for (const auto& f : e.hardware_frame)
      out.push_back({i, f, e.frame + static_cast<uint32_t>(f.offset), number + f.name});
    if (e.from == "sysenter") continue;  // no frame for the spec's layout to hang from
    for (const auto& f : t.frame_fields)
      out.push_back({i, f, e.frame + static_cast<uint32_t>(f.offset), number + f.name});
  }
  return out;
}

const FrameSlot* slot_at(const std::vector<FrameSlot>& slots, uint32_t address) {
  // The innermost entry's fields win where frames overlap (a frame copied
  // over an older one); within an entry, the hardware's name comes first.
  const FrameSlot* found = nullptr;
  for (const auto& s : slots)
    if (address - s.address < s.field.size && (!found || s.entry > found->entry)) found = &s;
  return found;
}

const TraceRegion* region_of(const Trace& t, uint32_t address) {
  for (const auto& r : t.layout)
    if (address - r.base < r.size) return &r;
  return nullptr;
}

std::string region_offset_name(const Trace& t, uint32_t address) {
  const TraceRegion* r = region_of(t, address);
  if (!r) return hex32(address);
  char buf[64];
  if (r->stack) std::snprintf(buf, sizeof buf, " top-0x%x", r->base + r->size - address);
  else std::snprintf(buf, sizeof buf, "+0x%x", address - r->base);
  return r->name + buf;
}

std::string eflags_flags(uint32_t eflags) {
  static const std::vector<std::pair<uint32_t, const char*>> bits = {
      {1u << 0, "CF"}, {1u << 2, "PF"}, {1u << 4, "AF"}, {1u << 6, "ZF"}, {1u << 7, "SF"}, {1u << 8, "TF"},
      {1u << 9, "IF"}, {1u << 10, "DF"}, {1u << 11, "OF"}, {1u << 14, "NT"}, {1u << 16, "RF"}, {1u << 17, "VM"},
      {1u << 18, "AC"}, {1u << 19, "VIF"}, {1u << 20, "VIP"}, {1u << 21, "ID"}};
  std::string out;
  for (const auto& [bit, name] : bits)
    if (eflags & bit) out += (out.empty() ? "" : " ") + std::string(name);
  if (uint32_t iopl = (eflags >> 12) & 3) out += (out.empty() ? "" : " ") + std::string("IOPL=") + std::to_string(iopl);
  return out.empty() ? "none" : out;
}

std::string selector_fields(uint32_t selector) {
  return "index " + std::to_string((selector >> 3) & 0x1fff) + ((selector & 4) ? ", LDT" : ", GDT") + ", RPL " +
         std::to_string(selector & 3);
}

std::string cr3_name(const Trace& t, uint32_t cr3) {
  if (!t.pti) return "";
  if (!t.pti->enabled) return "kernel";
  return (cr3 & t.pti->switch_mask) ? "user" : "kernel";
}

std::string register_value(const std::string& name, uint32_t value) {
  return is_segment_register(name) ? "0x" + hex_digits(value & 0xffff, 4) : hex32(value);
}

const std::vector<std::pair<int, std::string>>& cs_marker_bits() {
  // arch/x86/entry/entry_32.S (Linux 6.1): the entry code's own marks in
  // the high half of the CS slot, which the CPU leaves undefined.
  static const std::vector<std::pair<int, std::string>> bits = {
      {31, "CS_FROM_ENTRY_STACK"}, {30, "CS_FROM_USER_CR3"}, {29, "CS_FROM_KERNEL"}, {28, "CS_FROM_ESPFIX"}};
  return bits;
}

std::string marker_note(uint32_t value) {
  std::string out;
  for (const auto& [bit, name] : cs_marker_bits())
    if (value & (1u << bit)) out += (out.empty() ? "" : ", ") + std::string("bit ") + std::to_string(bit) + " " + name;
  return out;
}

std::string selector_slot_note(const MemoryImage& mem, uint32_t address, bool cs) {
  std::string high = mem.hex(address + 2, 2);
  bool stale = mem.any_stale(address + 2, 2);
  auto value = mem.value(address, 4);
  std::string out;
  if (stale) out = "high half 0x" + high + " stale: never written";
  else if (value && (*value >> 16)) out = "high half 0x" + high;
  std::string marks = cs && value ? marker_note(*value) : "";
  if (!marks.empty()) out += (out.empty() ? "" : ", ") + std::string("marker ") + marks;
  return out;
}

std::string changes_text(const Trace& t, size_t first, size_t last, const MemoryImage& after) {
  std::map<std::string, uint32_t> regs;
  for (size_t p = first; p <= last && p < t.steps.size(); ++p)
    for (const auto& [name, value] : t.steps[p].registers) regs[name] = value;
  std::string out;
  for (const auto& [name, value] : regs) {
    out += " " + name + "=" + register_value(name, value);
    if (name == "eflags") out += " (" + eflags_flags(value) + ")";
    if (name == "cr3" && !cr3_name(t, value).empty()) out += " (" + cr3_name(t, value) + ")";
  }
  auto frames = frame_slots(t, live_entries(t, last));
  out += memory_text(t, after, written_slots(t, first, last, frames));
  return out.empty() ? out : out.substr(1);
}

std::vector<std::string> step_change_texts(const Trace& t) {
  std::vector<std::string> out;
  MemoryImage mem(t);
  for (size_t p = 0; p < t.steps.size(); ++p) {
    mem.apply(t.steps[p], p);
    out.push_back(changes_text(t, p, p, mem));
  }
  return out;
}

std::string invariant_statement(const std::string& id) {
  auto known = invariant_by_name(id);
  return known ? std::string(invariant_meaning(*known)) : "";
}

size_t violation_index(const Trace& t) {
  if (t.steps.empty()) return 0;
  const TraceStep& last = t.steps.back();
  // A delivery takes no step number: the instruction after it has its index.
  bool delivery = last.instruction.rfind("<hardware", 0) == 0;
  return delivery ? last.index : last.index + 1;
}

std::string short_location(const std::string& location) {
  std::string s = location.substr(location.find_last_of('/') + 1);
  auto last = s.rfind(':');
  auto prev = last == std::string::npos || last == 0 ? std::string::npos : s.rfind(':', last - 1);
  return prev == std::string::npos ? s : s.substr(0, last);
}

std::vector<TraceFrameField> hardware_frame_fields(const std::string& from, bool error_code) {
  std::vector<TraceFrameField> out = {{"EIP", 0, 4, false}, {"CS", 4, 4, true}, {"EFLAGS", 8, 4, false}};
  if (from == "user" || from == "vm86") {
    out.push_back({"ESP", 12, 4, false});
    out.push_back({"SS", 16, 4, true});
  }
  if (from == "vm86")
    for (int i = 0; i < 4; ++i) out.push_back({std::vector<std::string>{"ES", "DS", "FS", "GS"}[i], 20 + 4 * i, 4, true});
  if (error_code) out.insert(out.begin(), {"error code", -4, 4, false});
  return out;
}

}  // namespace ec

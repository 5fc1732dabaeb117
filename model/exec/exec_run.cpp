#include "model/exec/exec_run.hpp"

#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

#include "model/exec/concrete_domain.hpp"
#include "model/base/hex.hpp"
#include "model/base/input_file.hpp"
#include "model/base/located_json.hpp"
#include "model/semantics/step.hpp"

namespace ec {
namespace {

using json = nlohmann::json;
using CState = State<ConcreteDomain>;

const std::array<const char*, 6> kArithFlags = {"cf", "pf", "af", "zf", "sf", "of"};

[[noreturn]] void bad(const std::string& source, const std::string& where, const std::string& what) {
  throw InputError(SourceLocation{source, 0, 0}, (where.empty() ? "" : where + ": ") + what);
}

// A value: a JSON number, or a string of hex digits with or without 0x.
uint64_t parse_value(const json& v, const std::string& source, const std::string& where) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i < 0) bad(source, where, "negative value " + std::to_string(i));
    return static_cast<uint64_t>(i);
  }
  if (!v.is_string()) bad(source, where, "expected a hex string such as \"0x1f\", got " + v.dump());
  std::string s = v.get<std::string>();
  std::string digits = s;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits = digits.substr(2);
  if (digits.empty() || digits.size() > 16) bad(source, where, "bad hex value \"" + s + "\"");
  for (char c : digits)
    if (!std::isxdigit(static_cast<unsigned char>(c))) bad(source, where, "bad hex value \"" + s + "\"");
  return std::stoull(digits, nullptr, 16);
}

uint32_t parse_u32(const json& v, const std::string& source, const std::string& where, uint64_t max = 0xffffffffu) {
  uint64_t x = parse_value(v, source, where);
  if (x > max) bad(source, where, "value " + hex32(x) + " does not fit (maximum " + hex32(max) + ")");
  return static_cast<uint32_t>(x);
}

bool is_segment_name(const std::string& n) {
  return n == "es" || n == "cs" || n == "ss" || n == "ds" || n == "fs" || n == "gs";
}

void put_byte(ExecState& st, uint32_t address, uint8_t value, const std::string& source, const std::string& where) {
  if (!st.memory.emplace(address, value).second)
    bad(source, where, "byte " + hex32(address) + " is given twice");
}

void parse_memory(ExecState& st, const json& mem, const std::string& source) {
  if (!mem.is_array()) bad(source, "memory", "expected a list of {\"address\", \"value\", \"size\"} or {\"address\", \"bytes\"}");
  for (size_t i = 0; i < mem.size(); ++i) {
    const json& e = mem[i];
    std::string where = "memory[" + std::to_string(i) + "]";
    if (!e.is_object()) bad(source, where, "expected an object");
    for (const auto& [key, _] : e.items())
      if (key != "address" && key != "value" && key != "size" && key != "bytes")
        bad(source, where, "unknown key \"" + key + "\" (expected address, value, size or bytes)");
    if (!e.contains("address")) bad(source, where, "missing \"address\"");
    uint32_t address = parse_u32(e["address"], source, where + ".address");
    if (e.contains("bytes")) {
      if (e.contains("value") || e.contains("size")) bad(source, where, "give either \"bytes\" or \"value\"/\"size\"");
      if (!e["bytes"].is_string()) bad(source, where + ".bytes", "expected a string of hex byte pairs");
      std::string hexdigits;
      for (char c : e["bytes"].get<std::string>()) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) bad(source, where + ".bytes", std::string("bad hex digit '") + c + "'");
        hexdigits += c;
      }
      if (hexdigits.size() % 2) bad(source, where + ".bytes", "odd number of hex digits");
      if (hexdigits.size() / 2 > uint64_t{0x100000000} - address)
        bad(source, where + ".bytes", "the bytes run past 0xffffffff");
      for (size_t k = 0; k < hexdigits.size(); k += 2)
        put_byte(st, address + static_cast<uint32_t>(k / 2),
                 static_cast<uint8_t>(std::stoul(hexdigits.substr(k, 2), nullptr, 16)), source, where);
      continue;
    }
    if (!e.contains("value")) bad(source, where, "missing \"value\" (or \"bytes\")");
    int size = 4;
    if (e.contains("size")) {
      if (!e["size"].is_number_integer()) bad(source, where + ".size", "expected 1, 2 or 4");
      size = e["size"].get<int>();
      if (size != 1 && size != 2 && size != 4) bad(source, where + ".size", "expected 1, 2 or 4");
    }
    uint32_t value = parse_u32(e["value"], source, where + ".value", size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
    if (static_cast<uint64_t>(size) > uint64_t{0x100000000} - address) bad(source, where, "the value runs past 0xffffffff");
    for (int k = 0; k < size; ++k)
      put_byte(st, address + static_cast<uint32_t>(k), static_cast<uint8_t>(value >> (8 * k)), source, where);
  }
}

struct FlagBits {
  std::array<bool, 6> v;
};
FlagBits flags_of(const CState& s) { return {{s.cf, s.pf, s.af, s.zf, s.sf, s.of}}; }
bool& flag_ref(CState& s, int i) {
  switch (i) {
    case 0: return s.cf;
    case 1: return s.pf;
    case 2: return s.af;
    case 3: return s.zf;
    case 4: return s.sf;
    default: return s.of;
  }
}

// Runs one step on a copy, for the undefined-flag probes; nullopt when it throws.
std::optional<CState> probe(const Program& program, const MachineConfig& config, ConcreteDomain d, CState s) {
  Machine<ConcreteDomain> m{d, program, config, {}};
  try {
    step(m, s);
  } catch (...) {
    return std::nullopt;
  }
  return s;
}

}  // namespace

ExecState default_exec_state() {
  ExecState st;
  for (int i = 0; i < kNumGeneral; ++i) st.registers[std::string(gpr_name(i))] = 0;
  st.registers["esp"] = 0x00800000;
  st.registers["eflags"] = FL_FIXED1;
  for (int i = 0; i < kNumSegment; ++i) st.registers[std::string(segment_name(i))] = 0;
  st.registers["cs"] = 0x73;
  st.registers["ss"] = 0x7b;
  st.registers["cr3"] = 0;
  return st;
}

ExecState parse_exec_state(const json& doc, const std::string& source) {
  ExecState st = default_exec_state();
  if (!doc.is_object()) bad(source, "", "the state must be a JSON object with \"registers\" and/or \"memory\"");
  for (const auto& [key, value] : doc.items()) {
    if (key == "memory") {
      parse_memory(st, value, source);
    } else if (key == "registers") {
      if (!value.is_object()) bad(source, "registers", "expected an object such as {\"eax\": \"0x1\"}");
      for (const auto& [name, v] : value.items()) {
        std::string lower;
        for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!st.registers.count(lower))
          bad(source, "registers." + name,
              "unknown register (expected eax..edi, esp, ebp, eflags, es, cs, ss, ds, fs, gs or cr3)");
        st.registers[lower] = parse_u32(v, source, "registers." + name, is_segment_name(lower) ? 0xffff : 0xffffffffu);
      }
    } else if (key == "comment" || key == "$comment") {
      continue;
    } else {
      bad(source, key, "unknown key (expected \"registers\" or \"memory\")");
    }
  }
  return st;
}

ExecState load_exec_state(const std::string& path) {
  // The located reader finds every syntax error and out-of-range number
  // (with line and column); the plain parse after it cannot fail.
  std::optional<std::string> text = read_input_file(path, SourceLocation{path, 0, 0});
  if (!text) throw InputError(SourceLocation{path, 0, 0}, "cannot open state file");
  (void)parse_located_json(*text, path);
  return parse_exec_state(json::parse(*text, nullptr, true, /*ignore_comments=*/true), path);
}

namespace {

MachineConfig exec_config(const ExecOptions& options) {
  MachineConfig config;
  config.profile.name = "exec";
  config.profile.segment_store = options.segment_store;
  config.bounds.nmi = false;
  config.bounds.max_steps = options.max_steps;
  return config;
}

CState initial_state(Machine<ConcreteDomain>& m, const ExecState& initial, size_t entry) {
  ConcreteDomain& d = m.d;
  CState s;
  auto reg = [&](const std::string& n) { return initial.registers.at(n); };
  for (int i = 0; i < kNumGeneral; ++i) s.gpr[i] = d.c(reg(std::string(gpr_name(i))), 32);
  for (int i = 0; i < kNumSegment; ++i) s.seg[i] = d.c(reg(std::string(segment_name(i))), 16);
  s.cr3 = d.c(reg("cr3"), 32);
  s.eflags_rest = d.c(0, 32);
  s.resumed_eip = d.c(0, 32);
  m.set_eflags(s, d.c(reg("eflags"), 32),
               FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF | kEflagsRestMask);
  s.cpl = static_cast<int>(reg("cs") & 3);
  s.pc = entry;
  return s;
}

// Why the run stops before the next step, if it does.
bool stopped(const CState& s, const Program& program, std::optional<size_t> end_label, const ExecOptions& options,
             ExecResult& r) {
  if (s.resumed) r.stop = "iret", r.iret_eip = s.resumed_eip.v;
  else if (s.gone) r.stop = "gone", r.message = "a called function does not return (its contract: \"returns\": \"never\")";
  else if (s.pc >= program.instructions.size()) r.stop = "end";
  else if (end_label && s.pc == *end_label) r.stop = "exec_end";
  else if (s.step >= options.max_steps)
    r.stop = "max-steps", r.message = "max-steps bound " + std::to_string(options.max_steps) + " reached";
  return !r.stop.empty();
}

// Which flags are undefined after a step from `before`: those that change
// when this step's undefined-flag inputs read 1 instead of 0, and those that
// still follow an undefined value from before (flip it and watch).
void track_undefined_flags(const Program& program, const MachineConfig& config, const ConcreteDomain& d,
                           const CState& before, const CState& after, std::array<bool, 6>& undefined) {
  FlagBits now = flags_of(after);
  ConcreteDomain ones = d;
  for (const char* f : kArithFlags) ones.inputs["undef." + std::string(f) + "@" + std::to_string(before.step)] = 1;
  auto a = probe(program, config, ones, before);
  CState flipped = before;
  bool any_old = false;
  for (int i = 0; i < 6; ++i)
    if (undefined[i]) { flag_ref(flipped, i) = !flag_ref(flipped, i); any_old = true; }
  std::optional<CState> b;
  if (any_old) b = probe(program, config, d, flipped);
  for (int i = 0; i < 6; ++i) {
    bool fresh = a && flags_of(*a).v[i] != now.v[i];
    bool carried = b && flags_of(*b).v[i] != now.v[i];
    undefined[i] = fresh || carried;
  }
}

void record_final_state(Machine<ConcreteDomain>& m, const CState& s, const std::array<bool, 6>& undefined,
                        ExecResult& r) {
  if (s.pc < m.program.instructions.size()) r.location = m.program.instructions[s.pc].loc.str();
  r.steps = s.step;
  for (int i = 0; i < kNumGeneral; ++i) r.registers[std::string(gpr_name(i))] = s.gpr[i].v;
  for (int i = 0; i < kNumSegment; ++i) r.registers[std::string(segment_name(i))] = s.seg[i].v;
  r.registers["cr3"] = s.cr3.v;
  r.eflags = m.eflags(s).v;
  r.registers["eflags"] = r.eflags;
  for (int i = 0; i < 6; ++i)
    if (undefined[i]) r.undefined_flags.insert(kArithFlags[i]);
  for (const auto& [address, value] : s.mem) r.written[address] = static_cast<uint8_t>(value.v);
}

}  // namespace

ExecResult run_exec(const Program& program, const ExecState& initial, const ExecOptions& options) {
  auto entry = program.label_index(options.entry);
  if (!entry) {
    std::string where = program.files.empty() ? std::string() : program.files.front();
    throw InputError(SourceLocation{where, 0, 0}, "no label '" + options.entry + "' in the program");
  }
  std::optional<size_t> end_label = program.label_index("exec_end");
  MachineConfig config = exec_config(options);
  ConcreteDomain d;
  for (const auto& [address, byte] : initial.memory) d.inputs["mem0@" + hex32(address)] = byte;
  Machine<ConcreteDomain> m{d, program, config, {}};
  CState s = initial_state(m, initial, *entry);
  ExecResult r;
  std::array<bool, 6> undefined{};
  try {
    while (!stopped(s, program, end_label, options, r)) {
      CState before = s;
      step(m, s);
      track_undefined_flags(program, config, d, before, s, undefined);
    }
  } catch (const MachineStop& v) {
    r.stop = "violation";
    r.message = v.message;
  } catch (const PathCut& c) {
    r.stop = "cut";
    r.message = c.what();
  }
  record_final_state(m, s, undefined, r);
  return r;
}

nlohmann::ordered_json exec_result_to_json(const ExecResult& r) {
  using ojson = nlohmann::ordered_json;
  ojson out = ojson::object();
  out["stop"] = r.stop;
  if (!r.message.empty()) out["message"] = r.message;
  if (!r.location.empty()) out["location"] = r.location;
  out["steps"] = r.steps;
  ojson regs = ojson::object();
  for (int i = 0; i < kNumGeneral; ++i) {
    std::string n(gpr_name(i));
    regs[n] = hex32(r.registers.at(n));
  }
  out["registers"] = regs;
  out["eflags"] = hex32(r.eflags);
  ojson flags = ojson::object();
  const std::pair<const char*, uint32_t> bits[] = {{"cf", FL_CF}, {"pf", FL_PF}, {"af", FL_AF}, {"zf", FL_ZF},
                                                   {"sf", FL_SF}, {"of", FL_OF}, {"df", FL_DF}, {"tf", FL_TF},
                                                   {"if", FL_IF}};
  for (const auto& [name, bit] : bits) flags[name] = (r.eflags & bit) ? 1 : 0;
  out["flags"] = flags;
  out["undefined_flags"] = ojson::array();
  for (const char* f : kArithFlags)  // in EFLAGS bit order
    if (r.undefined_flags.count(f)) out["undefined_flags"].push_back(f);
  ojson segs = ojson::object();
  for (int i = 0; i < kNumSegment; ++i) {
    std::string n(segment_name(i));
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", r.registers.at(n) & 0xffff);
    segs[n] = buf;
  }
  out["segments"] = segs;
  out["cr3"] = hex32(r.registers.at("cr3"));
  if (r.iret_eip) out["iret_eip"] = hex32(*r.iret_eip);
  // Written memory: an aligned dword where all four bytes were written, else single bytes.
  ojson mem = ojson::array();
  for (auto it = r.written.begin(); it != r.written.end();) {
    uint32_t a = it->first;
    bool dword = (a & 3) == 0;
    for (uint32_t k = 1; dword && k < 4; ++k) dword = r.written.count(a + k) != 0;
    if (dword) {
      uint32_t v = 0;
      for (uint32_t k = 0; k < 4; ++k) v |= uint32_t(r.written.at(a + k)) << (8 * k);
      mem.push_back({{"address", hex32(a)}, {"size", 4}, {"value", hex32(v)}});
      std::advance(it, 4);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", it->second);
      mem.push_back({{"address", hex32(a)}, {"size", 1}, {"value", buf}});
      ++it;
    }
  }
  out["memory"] = mem;
  return out;
}

}  // namespace ec

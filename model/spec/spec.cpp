#include "model/spec/spec.hpp"

#include "model/object/load_sources.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>

#include "model/base/hex.hpp"
#include "model/base/numbers.hpp"
#include "model/machine/state.hpp"
#include "model/spec/platform.hpp"
#include "model/spec/spec_document.hpp"
#include "model/spec/spec_reader.hpp"
#include "model/spec/spec_schema.hpp"

namespace ec {
namespace {

using Json = SpecJson;
using Reader = SpecReader;
namespace fs = std::filesystem;

std::string at(const std::string& base, size_t i) { return json_element(base, i); }

int gpr_index(const Reader& r, const Json& j, const std::string& where) {
  std::string name = r.string(j, where);
  auto reg = reg_by_name(name);
  if (!reg || reg_info(*reg).family != RegFamily::General || reg_info(*reg).width_bits != 32)
    r.fail(where, "expected a 32-bit general register name (eax..edi), got '" + name + "'");
  return reg_info(*reg).index;
}

CpuProfile read_profile(const Reader& r, const Json& j, const std::string& where) {
  CpuProfile p;
  auto store = [&](const std::string& s, const std::string& w) {
    if (s == "zero-extend") return SegmentStore::ZeroExtend;
    if (s == "stale") return SegmentStore::Stale;
    if (s == "any") return SegmentStore::Any;
    r.fail(w, "expected \"zero-extend\", \"stale\" or \"any\", got \"" + s + "\"");
  };
  if (j.is_string()) {
    p.name = j.get<std::string>();
    p.segment_store = store(p.name, where);
    return p;
  }
  r.keys(j, where, {"name", "segment_store", "features", "pti"}, {"name", "segment_store"});
  if (j.contains("pti")) p.pti = r.boolean(j["pti"], where + ".pti");
  p.name = r.string(j["name"], where + ".name");
  p.segment_store = store(r.string(j["segment_store"], where + ".segment_store"), where + ".segment_store");
  if (j.contains("features"))
    for (size_t i = 0; i < r.array(j["features"], where + ".features").size(); ++i)
      p.features.insert(r.string(j["features"][i], at(where + ".features", i)));
  // ALTERNATIVE code keyed on PTI follows the profile.
  if (p.pti) p.features.insert("X86_FEATURE_PTI");
  return p;
}

// The scenario's mode, stack region and interrupted stack pointer.
void read_scenario_mode(const Reader& r, const Json& j, const std::string& where, const Spec& spec,
                        StartContext& st) {
  std::string mode = r.string(j["mode"], where + ".mode");
  if (mode != "user" && mode != "kernel" && mode != "vm86")
    r.fail(where + ".mode", "expected \"user\", \"kernel\" or \"vm86\"");
  st.vm86 = mode == "vm86";
  st.user_mode = mode != "kernel";  // virtual-8086 mode runs at CPL3
  st.stack_region = st.user_mode ? "user_stack" : "task_stack";
  // A virtual-8086 stack is SS:SP, not a linear address: by default no region.
  if (st.vm86 && !spec.machine.region_named(st.stack_region)) st.stack_region.clear();
  if (j.contains("stack_region")) st.stack_region = r.string(j["stack_region"], where + ".stack_region");
  if (!st.stack_region.empty() && !spec.machine.region_named(st.stack_region))
    r.fail(where + ".stack_region", "no region named '" + st.stack_region + "' in $.regions");
  if (j.contains("esp")) st.esp = r.u32(j["esp"], where + ".esp");
  if (!st.user_mode && !st.esp) r.fail(where, "a kernel-mode scenario needs \"esp\" (the interrupted stack pointer)");
}

// CS, SS and the data segment registers of the interrupted context.
void read_scenario_selectors(const Reader& r, const Json& j, const std::string& where, const Spec& spec,
                             StartContext& st) {
  auto selector = [&](const char* key, uint16_t dflt) {
    return j.contains(key) ? r.selector(j[key], where + "." + key) : dflt;
  };
  auto named = [&](const char* n, uint16_t dflt) {
    auto it = r.constants.find(n);
    return it == r.constants.end() ? dflt : static_cast<uint16_t>(it->second);
  };
  st.cs = selector("cs", st.user_mode ? named("__USER_CS", 0x73) : spec.machine.kernel_cs);
  st.ss = selector("ss", st.user_mode ? named("__USER_DS", 0x7b) : spec.machine.kernel_ss);
  if (st.vm86) {
    // Real-mode segment values: any, unless the scenario fixes them; the
    // RPL bits of CS say nothing about privilege there.
    st.free_cs = !j.contains("cs");
    st.free_ss = !j.contains("ss");
    if (j.contains("at")) r.fail(where + ".at", "a virtual-8086 context runs below 64 KiB, not at a label of the program");
    if (j.contains("event")) r.fail(where + ".event", "SYSENTER is not available in virtual-8086 mode");
  } else if ((st.cs & 3) != (st.user_mode ? 3 : 0)) {
    r.fail(where + ".cs", "the selector's RPL does not match the mode");
  }
  if (j.contains("segments")) {
    const Json& segs = j["segments"];
    r.keys(segs, where + ".segments", {"ds", "es", "fs", "gs"});
    for (auto it = segs.begin(); it != segs.end(); ++it) {
      int index = reg_info(*reg_by_name(it.key())).index;
      st.segments[index] = r.selector(it.value(), where + ".segments." + it.key());
    }
  }
}

// CR3, the start label and a SYSENTER event.
void read_scenario_event(const Reader& r, const Json& j, const std::string& where, const Spec& spec,
                         StartContext& st) {
  st.user_cr3 = st.user_mode;
  if (j.contains("cr3")) {
    std::string cr3 = r.string(j["cr3"], where + ".cr3");
    if (cr3 != "user" && cr3 != "kernel") r.fail(where + ".cr3", "expected \"user\" or \"kernel\"");
    st.user_cr3 = cr3 == "user";
  }
  if (j.contains("at")) st.at_label = r.string(j["at"], where + ".at");
  if (j.contains("in_nmi")) st.in_nmi = r.boolean(j["in_nmi"], where + ".in_nmi");
  if (st.in_nmi && st.user_mode) r.fail(where + ".in_nmi", "an NMI handler runs in kernel mode: use \"mode\": \"kernel\"");
  if (j.contains("event")) {
    std::string event = r.string(j["event"], where + ".event");
    if (event != "sysenter") r.fail(where + ".event", "expected \"sysenter\" (or give \"vector\" instead)");
    if (!st.user_mode) r.fail(where + ".event", "SYSENTER is executed in user mode: use \"mode\": \"user\"");
    if (j.contains("vector")) r.fail(where, "give either \"vector\" or \"event\", not both");
    if (!spec.machine.sysenter.present) r.fail(where + ".event", "a SYSENTER scenario needs $.sysenter");
    st.sysenter = true;
    st.external_interrupt = false;
  } else if (!j.contains("vector")) {
    r.fail(where, "missing required key 'vector' (or \"event\": \"sysenter\")");
  }
}

void read_scenario_flags(const Reader& r, const Json& j, const std::string& where, StartContext& st) {
  static const std::map<std::string, uint32_t> bits = {{"tf", FL_TF}, {"if", FL_IF}, {"df", FL_DF},
                                                        {"nt", FL_NT}, {"ac", FL_AC}};
  const Json& flags = r.object(j, where);
  for (auto it = flags.begin(); it != flags.end(); ++it) {
    auto bit = bits.find(it.key());
    if (bit == bits.end()) r.fail(where + "." + it.key(), "unknown key (tf, if, df, nt, ac)");
    st.flags[bit->second] = r.boolean(it.value(), where + "." + it.key());
  }
}

// A `resume` condition's name as the resume invariant spells it
// (solver/invariants/resume.hpp): eip, cs, ss, eflags, a 32-bit general
// register, es ds fs gs, or "stack byte 0x<8 hex digits>".
std::string resume_condition(const Reader& r, const Json& j, const std::string& where) {
  std::string name = r.string(j, where);
  static const std::set<std::string> named = {"eip", "cs",  "ss",  "eflags", "eax", "ecx", "edx", "ebx",
                                              "esp", "ebp", "esi", "edi",    "es",  "ds",  "fs",  "gs"};
  if (named.count(name)) return name;
  static const std::string byte = "stack byte ";
  if (name.rfind(byte, 0) == 0)
    if (auto address = parse_unsigned(name.substr(byte.size()), UINT32_MAX); address && name[byte.size() + 1] == 'x')
      return byte + hex32(static_cast<uint32_t>(*address));
  r.fail(where, "'" + name + "' is not a resume condition (eip, cs, ss, eflags, eax..edi, es, ds, fs, gs, "
                              "\"stack byte 0x...\")");
}

// What the resume invariant ignores and what it expects instead.
void read_scenario_resume(const Reader& r, const Json& j, const std::string& where, StartContext& st) {
  if (j.contains("resume_ignores"))
    for (size_t i = 0; i < r.array(j["resume_ignores"], where + ".resume_ignores").size(); ++i)
      st.resume_ignores.push_back(resume_condition(r, j["resume_ignores"][i], at(where + ".resume_ignores", i)));
  if (!j.contains("resume_expect")) return;
  const Json& ex = r.object(j["resume_expect"], where + ".resume_expect");
  for (auto it = ex.begin(); it != ex.end(); ++it) {
    const std::string& name = it.key();
    std::string w = where + ".resume_expect." + name;
    auto reg = reg_by_name(name);
    bool gpr = reg && reg_info(*reg).family == RegFamily::General && reg_info(*reg).width_bits == 32;
    if (name != "eip" && name != "eflags" && !gpr) r.fail(w, "expected eip, eflags or a 32-bit general register");
    if (std::find(st.resume_ignores.begin(), st.resume_ignores.end(), name) != st.resume_ignores.end())
      r.fail(w, "'" + name + "' is also in resume_ignores");
    st.resume_expect.emplace_back(name, r.string(it.value(), w));
  }
}

// The vector delivered, and its error code.
void read_scenario_vector(const Reader& r, const Json& j, const std::string& where, const Spec& spec,
                          StartContext& st) {
  st.vector = static_cast<int>(r.integer_in(j["vector"], where + ".vector", 0, 255));
  if (!spec.idt_labels.count(st.vector))
    r.fail(where + ".vector", "vector " + std::to_string(st.vector) + " has no gate in $.idt");
  st.external_interrupt = st.vector >= 32;
  if (j.contains("interrupt")) st.external_interrupt = r.boolean(j["interrupt"], where + ".interrupt");
  if (vector_has_error_code(st.vector) && !st.external_interrupt)
    st.error_code = j.contains("error_code") ? r.u32(j["error_code"], where + ".error_code") : 0;
  else if (j.contains("error_code"))
    r.fail(where + ".error_code", "vector " + std::to_string(st.vector) + " delivered this way pushes no error code");
}

Scenario read_scenario(const Reader& r, const Json& j, const std::string& where, const Spec& spec) {
  r.keys(j, where, {"name", "mode", "esp", "stack_region", "cs", "ss", "segments", "vector", "error_code", "interrupt",
                    "cr3", "at", "event", "flags", "resume_ignores", "resume_expect", "in_nmi"},
         {"name", "mode"});
  Scenario sc;
  sc.name = r.string(j["name"], where + ".name");
  StartContext& st = sc.start;
  read_scenario_mode(r, j, where, spec, st);
  read_scenario_selectors(r, j, where, spec, st);
  read_scenario_event(r, j, where, spec, st);
  if (j.contains("flags")) read_scenario_flags(r, j["flags"], where + ".flags", st);
  read_scenario_resume(r, j, where, st);
  if (!st.sysenter) read_scenario_vector(r, j, where, spec, st);
  sc.at_path = where + ".at";
  sc.at_where = r.location(sc.at_path);
  return sc;
}

void read_bounds(const Reader& r, const Json& j, Bounds& b) {
  r.keys(j, "$.bounds", {"nesting", "nmi", "nmi_clobber_bytes", "nmi_leaves_entry_stack", "call_clobber_bytes", "max_steps"});
  if (j.contains("nmi_leaves_entry_stack"))
    b.nmi_leaves_entry_stack = r.boolean(j["nmi_leaves_entry_stack"], "$.bounds.nmi_leaves_entry_stack");
  if (j.contains("nesting")) b.nesting = static_cast<int>(r.integer(j["nesting"], "$.bounds.nesting"));
  if (b.nesting < 1) r.fail("$.bounds.nesting", "must be at least 1");
  if (j.contains("nmi")) b.nmi = r.boolean(j["nmi"], "$.bounds.nmi");
  // Each byte is a fresh value at every NMI or call: bounded (docs/cli.md "Limits").
  if (j.contains("nmi_clobber_bytes"))
    b.nmi_clobber_bytes = static_cast<uint32_t>(
        r.integer_in(j["nmi_clobber_bytes"], "$.bounds.nmi_clobber_bytes", 0, kMaxClobberBytes));
  if (j.contains("call_clobber_bytes"))
    b.call_clobber_bytes = static_cast<uint32_t>(
        r.integer_in(j["call_clobber_bytes"], "$.bounds.call_clobber_bytes", 0, kMaxClobberBytes));
  if (j.contains("max_steps")) b.max_steps = static_cast<size_t>(r.integer(j["max_steps"], "$.bounds.max_steps"));
}

// The fields of struct pt_regs a contract may write: the spec's PT_*
// constant giving the offset, the width C writes (selectors are unsigned
// short), and the item of the interrupted context it holds.
struct PtRegsField {
  const char* name;
  const char* offset_constant;
  int bytes;
  const char* context;
};
constexpr PtRegsField kPtRegsFields[] = {
    {"bx", "PT_EBX", 4, "ebx"},  {"cx", "PT_ECX", 4, "ecx"},        {"dx", "PT_EDX", 4, "edx"},
    {"si", "PT_ESI", 4, "esi"},  {"di", "PT_EDI", 4, "edi"},        {"bp", "PT_EBP", 4, "ebp"},
    {"ax", "PT_EAX", 4, "eax"},  {"ds", "PT_DS", 2, "ds"},          {"es", "PT_ES", 2, "es"},
    {"fs", "PT_FS", 2, "fs"},    {"gs", "PT_GS", 2, "gs"},          {"orig_ax", "PT_ORIG_EAX", 4, ""},
    {"ip", "PT_EIP", 4, "eip"},  {"cs", "PT_CS", 2, "cs"},          {"flags", "PT_EFLAGS", 4, "eflags"},
    {"sp", "PT_OLDESP", 4, "esp"}, {"ss", "PT_OLDSS", 2, "ss"},
};

// "any", or a list of values (numbers or constant expressions).
ContractValue read_contract_value(const Reader& r, const Json& j, const std::string& where, int bytes) {
  ContractValue v;
  if (j.is_string() && j.get<std::string>() == "any") return v;
  if (!j.is_array() || j.empty()) r.fail(where, "expected \"any\" or a non-empty list of values");
  for (size_t i = 0; i < j.size(); ++i) {
    uint32_t x = r.u32(j[i], at(where, i));
    if (bytes < 4 && x >> (8 * bytes)) r.fail(at(where, i), "the field is " + std::to_string(8 * bytes) + "-bit");
    v.one_of.push_back(x);
  }
  return v;
}

void read_contract_returns(const Reader& r, const Json& j, const std::string& where, HandlerContract& c) {
  if (j.is_string()) {
    if (j.get<std::string>() != "never") r.fail(where, "expected \"never\" or an object {register: values}");
    c.returns = false;
    return;
  }
  r.object(j, where);
  for (auto it = j.begin(); it != j.end(); ++it) {
    auto reg = reg_by_name(it.key());
    if (!reg || reg_info(*reg).family != RegFamily::General || reg_info(*reg).width_bits != 32)
      r.fail(where + "." + it.key(), "expected a 32-bit general register name (eax..edi), got '" + it.key() + "'");
    int g = reg_info(*reg).index;
    if (g == R_ESP) r.fail(where + "." + it.key(), "a C function returns with esp unchanged");
    c.return_values[g] = read_contract_value(r, it.value(), where + "." + it.key(), 4);
  }
}

void read_contract_writes(const Reader& r, const Json& j, const std::string& where, HandlerContract& c) {
  r.object(j, where);
  if (!c.regs_named) r.fail(where, "a contract that writes the saved frame must name its pointer (\"regs\")");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const PtRegsField* field = nullptr;
    for (const auto& f : kPtRegsFields)
      if (it.key() == f.name) field = &f;
    if (!field) r.fail(where + "." + it.key(), "unknown pt_regs field '" + it.key() + "' (bx cx dx si di bp ax ds es fs gs orig_ax ip cs flags sp ss)");
    auto offset = r.constants.find(field->offset_constant);
    if (offset == r.constants.end())
      r.fail(where + "." + it.key(), std::string("needs the constant ") + field->offset_constant +
                                         " (the \"linux-x86-32\" platform defines it)");
    c.frame_writes.push_back(FrameWrite{field->name, static_cast<uint32_t>(offset->second), field->bytes, field->context,
                                        read_contract_value(r, it.value(), where + "." + it.key(), field->bytes)});
  }
}

void read_handlers(const Reader& r, const Json& j, MachineConfig& m) {
  if (!j.is_object()) r.fail("$.handlers", "expected an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string where = "$.handlers." + it.key();
    const Json& h = it.value();
    r.keys(h, where, {"clobbers", "may_sleep", "fixup", "regs", "ip_offset", "returns", "writes"});
    HandlerContract c;
    c.name = it.key();
    if (h.contains("clobbers")) {
      c.clobbers.clear();
      for (size_t i = 0; i < r.array(h["clobbers"], where + ".clobbers").size(); ++i) {
        int g = gpr_index(r, h["clobbers"][i], at(where + ".clobbers", i));
        if (g == R_ESP) r.fail(at(where + ".clobbers", i), "a C function cannot clobber esp");
        c.clobbers.push_back(g);
      }
    }
    if (h.contains("may_sleep")) c.may_sleep = r.boolean(h["may_sleep"], where + ".may_sleep");
    if (h.contains("fixup")) c.fixup = r.boolean(h["fixup"], where + ".fixup");
    if (h.contains("regs")) {
      c.regs_arg = gpr_index(r, h["regs"], where + ".regs");
      c.regs_named = true;
    }
    if (h.contains("ip_offset")) c.ip_offset = static_cast<uint32_t>(r.value(h["ip_offset"], where + ".ip_offset"));
    if (h.contains("returns")) read_contract_returns(r, h["returns"], where + ".returns", c);
    if (h.contains("writes")) read_contract_writes(r, h["writes"], where + ".writes", c);
    m.handlers[c.name] = c;
  }
}

// A region must fit below 4 GiB and overlap no other.
void check_region(const Reader& r, const Region& reg, const std::vector<Region>& others, const std::string& where) {
  if (reg.size == 0) r.fail(where + ".size", "a region cannot be empty");
  if (uint64_t{reg.base} + reg.size > (uint64_t{1} << 32))
    r.fail(where + ".size", "region '" + reg.name + "' (" + hex32(reg.base) + " + " + hex32(reg.size) +
                                ") wraps past 0xffffffff");
  for (const auto& other : others)
    if (other.name == reg.name) r.fail(where + ".name", "a second region named '" + reg.name + "'");
  for (const auto& other : others)
    if (reg.contains(other.base) || other.contains(reg.base))
      r.fail(where, "region '" + reg.name + "' overlaps region '" + other.name + "'");
}

void read_regions(const Reader& r, const Json& j, MachineConfig& m) {
  const Json& regions = r.array(j["regions"], "$.regions");
  for (size_t i = 0; i < regions.size(); ++i) {
    std::string where = at("$.regions", i);
    r.keys(regions[i], where, {"name", "base", "size", "user_mapped", "stack"}, {"name", "base", "size"});
    Region reg;
    reg.name = r.string(regions[i]["name"], where + ".name");
    reg.base = r.u32(regions[i]["base"], where + ".base");
    reg.size = r.u32(regions[i]["size"], where + ".size");
    reg.stack = reg.name.size() > 6 && reg.name.compare(reg.name.size() - 6, 6, "_stack") == 0;
    if (regions[i].contains("stack")) reg.stack = r.boolean(regions[i]["stack"], where + ".stack");
    reg.user_mapped = reg.name == "user_stack";
    if (regions[i].contains("user_mapped")) reg.user_mapped = r.boolean(regions[i]["user_mapped"], where + ".user_mapped");
    check_region(r, reg, m.regions, where);
    m.regions.push_back(reg);
  }
}

KnownSelector read_selector(const Reader& r, const Json& j, const std::string& where) {
  r.keys(j, where, {"name", "value", "base", "dpl", "code"}, {"name", "value"});
  KnownSelector k;
  k.name = r.string(j["name"], where + ".name");
  k.value = r.selector(j["value"], where + ".value");
  if (j.contains("base")) k.base = r.u32(j["base"], where + ".base");
  k.dpl = j.contains("dpl") ? static_cast<int>(r.integer_in(j["dpl"], where + ".dpl", 0, 3)) : (k.value & 3);
  // A code segment (IRET may load it into CS): by default the names
  // ending in _CS (__KERNEL_CS, __USER_CS).
  k.code = k.name.size() >= 3 && k.name.compare(k.name.size() - 3, 3, "_CS") == 0;
  if (j.contains("code")) k.code = r.boolean(j["code"], where + ".code");
  return k;
}

// $.selectors replace the platform's of the same name and become constants.
void read_selectors(Reader& r, const Json& j, MachineConfig& m) {
  const Json& sels = r.array(j, "$.selectors");
  for (size_t i = 0; i < sels.size(); ++i) {
    KnownSelector k = read_selector(r, sels[i], at("$.selectors", i));
    auto same = std::find_if(m.selectors.begin(), m.selectors.end(), [&](const KnownSelector& o) { return o.name == k.name; });
    if (same != m.selectors.end()) *same = k;
    else m.selectors.push_back(k);
    r.constants[k.name] = k.value;
  }
}

// The selectors with a role: per-CPU, C handlers' data segment, kernel CS/SS.
void read_selector_roles(const Reader& r, const Json& j, MachineConfig& m) {
  if (j.contains("percpu_selector")) m.percpu_selector = r.selector(j["percpu_selector"], "$.percpu_selector");
  else if (auto it = r.constants.find("__KERNEL_PERCPU"); it != r.constants.end()) m.percpu_selector = static_cast<uint16_t>(it->second);
  // %ds/%es at a C handler call: the spec's value, else the platform's, else
  // __USER_DS if the spec names it, else unchecked.
  if (j.contains("handler_data_selector"))
    m.handler_data_selector = r.selector(j["handler_data_selector"], "$.handler_data_selector");
  else if (auto it = r.constants.find("__USER_DS"); !m.handler_data_selector && it != r.constants.end())
    m.handler_data_selector = static_cast<uint16_t>(it->second);
  if (j.contains("kernel_cs")) m.kernel_cs = r.selector(j["kernel_cs"], "$.kernel_cs");
  if (j.contains("kernel_ss")) m.kernel_ss = r.selector(j["kernel_ss"], "$.kernel_ss");
}

void read_sysenter(const Reader& r, const Json& se, MachineConfig& m) {
  r.keys(se, "$.sysenter", {"cs", "eip", "esp"}, {"cs", "eip", "esp"});
  m.sysenter.present = true;
  m.sysenter.cs = r.selector(se["cs"], "$.sysenter.cs");
  m.sysenter.eip_label = r.string(se["eip"], "$.sysenter.eip");
  m.sysenter.esp = r.u32(se["esp"], "$.sysenter.esp");
}

// An initial dword must lie inside one region and overlap no other entry.
void check_memory_entry(const Reader& r, uint32_t address, const MachineConfig& m, const std::string& where) {
  if (address > UINT32_MAX - 3) r.fail(where + ".address", "the dword at " + hex32(address) + " wraps past 0xffffffff");
  bool inside = std::any_of(m.regions.begin(), m.regions.end(), [&](const Region& reg) {
    return reg.contains(address) && reg.contains(address + 3);
  });
  if (!inside) r.fail(where + ".address", "the dword at " + hex32(address) + " lies outside every region of $.regions");
  for (const auto& [other, value] : m.initial_dwords)
    if (address - other < 4 || other - address < 4)
      r.fail(where + ".address", "the dword at " + hex32(address) + " overlaps the one at " + hex32(other));
}

void read_memory(const Reader& r, const Json& j, MachineConfig& m) {
  const Json& mem = r.array(j, "$.memory");
  for (size_t i = 0; i < mem.size(); ++i) {
    std::string where = at("$.memory", i);
    r.keys(mem[i], where, {"address", "value", "comment"}, {"address", "value"});
    uint32_t address = r.u32(mem[i]["address"], where + ".address");
    check_memory_entry(r, address, m, where);
    m.initial_dwords.emplace_back(address, r.u32(mem[i]["value"], where + ".value"));
  }
}

void read_layout(Reader& r, const Json& j, Spec& spec) {
  MachineConfig& m = spec.machine;
  read_regions(r, j, m);
  if (j.contains("selectors")) read_selectors(r, j["selectors"], m);
  read_selector_roles(r, j, m);
  if (j.contains("pti_switch_mask")) m.pti.switch_mask = r.u32(j["pti_switch_mask"], "$.pti_switch_mask");
  if (j.contains("sysenter")) read_sysenter(r, j["sysenter"], m);
  m.tss_base = r.u32(j["tss"], "$.tss");
  if (j.contains("memory")) read_memory(r, j["memory"], m);
}

// $.sources, each relative to the file that names it (the spec or a base).
// A file named relative to the spec that names it (a base's file: to the base).
std::string spec_relative_file(const Reader& r, const Json& value, const std::string& where) {
  fs::path dir = fs::path(r.location(where).file).parent_path();
  fs::path p = dir / r.string(value, where);
  std::error_code error;  // a name too long for the file system is a file that is not there
  fs::file_status status = fs::status(p, error);
  if (error || !fs::exists(status)) r.fail(where, "no such file: " + p.lexically_normal().string());
  if (!fs::is_regular_file(status)) r.fail(where, "not a regular file: " + p.lexically_normal().string());
  return p.lexically_normal().string();
}

void read_sources(const Reader& r, const Json& j, Spec& spec) {
  const Json& sources = r.array(j["sources"], "$.sources");
  if (sources.empty()) r.fail("$.sources", "name at least one .S file or one ELF object");
  for (size_t i = 0; i < sources.size(); ++i) spec.sources.push_back(spec_relative_file(r, sources[i], at("$.sources", i)));
}

// The platform's constants and selectors, then the spec's constants.
void read_constants(Reader& r, const Json& j, Spec& spec) {
  if (j.contains("platform")) {
    std::string name = r.string(j["platform"], "$.platform");
    const Platform* platform = find_platform(name);
    if (!platform) r.fail("$.platform", "unknown platform '" + name + "' (known: linux-x86-32)");
    r.constants = platform->constants;
    spec.machine.selectors = platform->selectors;
    spec.machine.handler_data_selector = platform->handler_data_selector;
  }
  if (!j.contains("constants")) return;
  const Json& cs = r.object(j["constants"], "$.constants");
  for (auto it = cs.begin(); it != cs.end(); ++it)
    r.constants[it.key()] = r.value(it.value(), "$.constants." + it.key());
}

void read_idt(const Reader& r, const Json& j, Spec& spec) {
  const Json& idt = r.array(j, "$.idt");
  for (size_t i = 0; i < idt.size(); ++i) {
    std::string where = at("$.idt", i);
    r.keys(idt[i], where, {"vector", "entry", "calls_handler"}, {"vector", "entry"});
    int vector = static_cast<int>(r.integer_in(idt[i]["vector"], where + ".vector", 0, 255));
    if (spec.idt_labels.count(vector))
      r.fail(where + ".vector", "a second gate for vector " + std::to_string(vector));
    spec.idt_labels[vector] = r.string(idt[i]["entry"], where + ".entry");
    spec.idt_where[vector] = r.location(where + ".entry");
    if (idt[i].contains("calls_handler") && !r.boolean(idt[i]["calls_handler"], where + ".calls_handler"))
      spec.idt_no_handler.insert(vector);
  }
}

void read_scenarios_and_profiles(const Reader& r, const Json& j, Spec& spec) {
  const Json& scenarios = r.array(j["scenarios"], "$.scenarios");
  if (scenarios.empty()) r.fail("$.scenarios", "name at least one scenario");
  // Names are unique: verdicts, trace files and --scenario/--profile use them.
  for (size_t i = 0; i < scenarios.size(); ++i) {
    spec.scenarios.push_back(read_scenario(r, scenarios[i], at("$.scenarios", i), spec));
    for (size_t k = 0; k < i; ++k)
      if (spec.scenarios[k].name == spec.scenarios[i].name)
        r.fail(at("$.scenarios", i) + ".name", "a second scenario named '" + spec.scenarios[i].name + "'");
  }
  if (j.contains("cpu_profiles")) {
    const Json& ps = r.array(j["cpu_profiles"], "$.cpu_profiles");
    for (size_t i = 0; i < ps.size(); ++i) {
      spec.profiles.push_back(read_profile(r, ps[i], at("$.cpu_profiles", i)));
      for (size_t k = 0; k < i; ++k)
        if (spec.profiles[k].name == spec.profiles[i].name)
          r.fail(at("$.cpu_profiles", i), "a second CPU profile named '" + spec.profiles[i].name + "'");
    }
  }
  if (spec.profiles.empty()) spec.profiles.push_back(CpuProfile{});
}

void read_invariants(const Reader& r, const Json& j, Spec& spec) {
  spec.invariants = {InvariantId::Resume};
  if (!j.contains("invariants")) return;
  spec.invariants.clear();
  const Json& inv = r.array(j["invariants"], "$.invariants");
  if (inv.empty())
    r.fail("$.invariants", "an empty list checks nothing: name at least one invariant (or leave the key out for \"resume\")");
  for (size_t i = 0; i < inv.size(); ++i) {
    std::string name = r.string(inv[i], at("$.invariants", i));
    auto id = invariant_by_name(name);
    if (!id) r.fail(at("$.invariants", i), "unknown invariant '" + name + "'");
    if (std::find(spec.invariants.begin(), spec.invariants.end(), *id) != spec.invariants.end())
      r.fail(at("$.invariants", i), "invariant '" + name + "' is listed twice");
    spec.invariants.push_back(*id);
  }
}

void read_assertions(const Reader& r, const Json& j, Spec& spec) {
  const Json& list = r.array(j, "$.assertions");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string where = at("$.assertions", i);
    r.keys(list[i], where, {"at", "assert", "name"}, {"at", "assert"});
    spec.assertions.push_back({r.string(list[i]["at"], where + ".at"), r.string(list[i]["assert"], where + ".assert"),
                               list[i].contains("name") ? r.string(list[i]["name"], where + ".name") : "", where});
  }
}

void read_defines(const Reader& r, const Json& j, Spec& spec) {
  const Json& defs = r.object(j, "$.defines");
  for (auto it = defs.begin(); it != defs.end(); ++it)
    spec.front_end.defines[it.key()] = it.value().is_string() ? it.value().get<std::string>()
                                                               : std::to_string(r.integer(it.value(), "$.defines." + it.key()));
}

// Type errors the loader does not name itself, by docs/spec.schema.json.
void check_schema(const Reader& r, const Json& j) {
  try {
    enforce_spec_schema(nlohmann::json::parse(j.dump()), "");
  } catch (const InputError& e) {
    const std::string& message = e.diagnostic().message;
    std::string path = message.substr(0, message.find(':'));
    throw InputError(r.location(path), message);
  }
}

}  // namespace

Spec load_spec(const std::string& path) {
  LocatedJson doc = read_spec_document(path);
  const Json& j = doc.value;
  Reader r(doc.where);
  r.keys(j, "$", {"name", "description", "platform", "sources", "defines", "constants", "text_base", "regions",
                  "selectors", "kernel_cs", "kernel_ss", "percpu_selector", "handler_data_selector", "pti_switch_mask", "tss", "memory", "idt",
                  "handlers", "scenarios", "cpu_profiles", "bounds", "invariants", "assertions", "sysenter", "timeout_seconds", "cpufeatures"},
         {"name", "sources", "regions", "tss", "idt", "scenarios"});
  Spec spec;
  spec.path = path;
  spec.name = r.string(j["name"], "$.name");
  read_sources(r, j, spec);
  if (j.contains("cpufeatures")) spec.front_end.cpufeatures = spec_relative_file(r, j["cpufeatures"], "$.cpufeatures");
  if (j.contains("defines")) r.object(j["defines"], "$.defines");
  read_constants(r, j, spec);
  read_layout(r, j, spec);
  if (j.contains("text_base")) spec.link.text_base = r.u32(j["text_base"], "$.text_base");
  read_idt(r, j["idt"], spec);
  if (j.contains("handlers")) read_handlers(r, j["handlers"], spec.machine);
  if (j.contains("bounds")) read_bounds(r, j["bounds"], spec.machine.bounds);
  read_scenarios_and_profiles(r, j, spec);
  read_invariants(r, j, spec);
  if (j.contains("assertions")) read_assertions(r, j["assertions"], spec);
  if (j.contains("timeout_seconds"))
    spec.timeout_seconds = static_cast<unsigned>(r.integer_in(j["timeout_seconds"], "$.timeout_seconds", 1, 86400));
  if (j.contains("defines")) read_defines(r, j["defines"], spec);
  spec.link.constants = r.constants;
  check_schema(r, j);
  return spec;
}

Program build_program(const Spec& spec, const CpuProfile& profile) {
  FrontEndOptions fe = spec.front_end;
  fe.cpu_features = profile.features;
  return load_sources(spec.sources, fe, spec.link);
}

MachineConfig machine_for(const Spec& spec, const Program& program, const CpuProfile& profile) {
  MachineConfig m = spec.machine;
  m.profile = profile;
  for (const auto& [vector, label] : spec.idt_labels) {
    auto index = program.label_index(label);
    if (!index) {
      auto where = spec.idt_where.find(vector);
      throw InputError(where == spec.idt_where.end() ? SourceLocation{spec.path, 0, 0} : where->second,
                       "$.idt: vector " + std::to_string(vector) + " enters at '" + label +
                           "', which no source defines");
    }
    m.idt[vector] = IdtGate{vector, label, *index, !spec.idt_no_handler.count(vector)};
  }
  if (m.sysenter.present) {
    auto index = program.label_index(m.sysenter.eip_label);
    if (!index)
      throw InputError(SourceLocation{spec.path, 0, 0},
                       "$.sysenter.eip: '" + m.sysenter.eip_label + "' is not defined by any source");
    m.sysenter.eip_index = *index;
  }
  return m;
}

Scenario scenario_for(const Spec& spec, const Program& program, const Scenario& scenario) {
  Scenario out = scenario;
  if (scenario.start.at_label.empty()) return out;
  auto index = program.label_index(scenario.start.at_label);
  if (!index)
    throw InputError(scenario.at_where, scenario.at_path + ": scenario " + scenario.name + " starts at '" +
                                            scenario.start.at_label + "', which no source defines");
  out.start.eip = program.address_of(*index);
  return out;
}

}  // namespace ec

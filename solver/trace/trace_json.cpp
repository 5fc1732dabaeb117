// Trace <-> JSON, docs/trace-format.md and docs/trace.schema.json.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model/base/diagnostic.hpp"
#include "model/base/hex.hpp"
#include "model/base/version.hpp"
#include "solver/trace/trace.hpp"

namespace ec {
namespace {

using Json = nlohmann::ordered_json;

std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

Json registers_json(const std::map<std::string, uint32_t>& regs) {
  Json j = Json::object();
  for (const auto& [name, value] : regs) j[name] = hex32(value);
  return j;
}

uint64_t parse_hex(const Json& j, const std::string& path, const std::string& where) {
  if (!j.is_string()) throw InputError(SourceLocation{path, 0, 0}, where + ": expected a hex string");
  try {
    return std::stoull(j.get<std::string>(), nullptr, 0);
  } catch (...) {
    throw InputError(SourceLocation{path, 0, 0}, where + ": expected a hex string, got \"" + j.get<std::string>() + "\"");
  }
}

std::map<std::string, uint32_t> registers_from(const Json& j, const std::string& path, const std::string& where) {
  std::map<std::string, uint32_t> out;
  if (!j.is_object()) throw InputError(SourceLocation{path, 0, 0}, where + ": expected an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    out[it.key()] = static_cast<uint32_t>(parse_hex(it.value(), path, where + "." + it.key()));
  return out;
}

std::vector<uint8_t> bytes_from_hex(const Json& j, const std::string& path, const std::string& where) {
  if (!j.is_string() || j.get<std::string>().size() % 2)
    throw InputError(SourceLocation{path, 0, 0}, where + ": expected an even number of hex digits");
  std::vector<uint8_t> out;
  const std::string s = j.get<std::string>();
  for (size_t i = 0; i < s.size(); i += 2) {
    try {
      out.push_back(static_cast<uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
    } catch (...) {
      throw InputError(SourceLocation{path, 0, 0}, where + ": expected hex digits");
    }
  }
  return out;
}

const Json& field(const Json& j, const char* key, const std::string& path, const std::string& where) {
  if (!j.is_object() || !j.contains(key))
    throw InputError(SourceLocation{path, 0, 0}, where + ": missing key '" + key + "'");
  return j[key];
}

std::string text_field(const Json& j, const char* key, const std::string& path, const std::string& where) {
  const Json& v = field(j, key, path, where);
  if (!v.is_string()) throw InputError(SourceLocation{path, 0, 0}, where + "." + key + ": expected a string");
  return v.get<std::string>();
}

TraceStep step_from_json(const Json& js, const std::string& path, const std::string& where) {
  TraceStep s;
  const Json& index = field(js, "index", path, where);
  if (!index.is_number_unsigned()) throw InputError(SourceLocation{path, 0, 0}, where + ".index: expected a step number");
  s.index = index.get<size_t>();
  s.location = text_field(js, "location", path, where);
  s.instruction = text_field(js, "instruction", path, where);
  s.address = static_cast<uint32_t>(parse_hex(field(js, "address", path, where), path, where + ".address"));
  s.esp = static_cast<uint32_t>(parse_hex(field(js, "esp", path, where), path, where + ".esp"));
  const Json& depth = field(js, "depth", path, where);
  if (!depth.is_number_integer()) throw InputError(SourceLocation{path, 0, 0}, where + ".depth: expected an integer");
  s.depth = depth.get<int>();
  if (js.contains("expanded_from"))
    for (const auto& e : js["expanded_from"]) if (e.is_string()) s.expanded_from.push_back(e);
  if (js.contains("event")) {
    s.event_kind = text_field(js["event"], "kind", path, where + ".event");
    s.event = text_field(js["event"], "detail", path, where + ".event");
  }
  s.registers = registers_from(field(js, "registers", path, where), path, where + ".registers");
  const Json& mem = field(js, "memory", path, where);
  if (!mem.is_array()) throw InputError(SourceLocation{path, 0, 0}, where + ".memory: expected an array");
  for (size_t i = 0; i < mem.size(); ++i) {
    std::string w = where + ".memory[" + std::to_string(i) + "]";
    s.memory.push_back({static_cast<uint32_t>(parse_hex(field(mem[i], "address", path, w), path, w + ".address")),
                        bytes_from_hex(field(mem[i], "bytes", path, w), path, w + ".bytes")});
  }
  return s;
}

Json field_json(const TraceFrameField& f) {
  Json j = {{"name", f.name}, {"offset", f.offset}, {"size", f.size}};
  if (f.selector) j["selector"] = true;
  return j;
}

Json fields_json(const std::vector<TraceFrameField>& fields) {
  Json j = Json::array();
  for (const auto& f : fields) j.push_back(field_json(f));
  return j;
}

Json entry_json(const TraceEntry& e) {
  Json j = {{"first_step", e.first_step}};
  if (e.last_step) j["last_step"] = *e.last_step;
  j["vector"] = e.vector;
  j["from"] = e.from;
  j["frame"] = hex32(e.frame);
  j["hardware_frame"] = fields_json(e.hardware_frame);
  return j;
}

Json violation_json(const Trace& t) {
  Json v = {{"message", t.message}, {"location", t.location}};
  if (!t.violation_instruction.empty()) v["instruction"] = t.violation_instruction;
  v["conditions"] = t.violated;
  if (!t.expected.empty()) v["expected"] = registers_json(t.expected);
  return v;
}

[[noreturn]] void bad(const std::string& path, const std::string& where, const std::string& what) {
  throw InputError(SourceLocation{path, 0, 0}, where + ": " + what);
}

size_t count_from(const Json& j, const std::string& path, const std::string& where) {
  if (!j.is_number_unsigned()) bad(path, where, "expected a non-negative integer");
  return j.get<size_t>();
}

std::vector<TraceFrameField> fields_from(const Json& j, const std::string& path, const std::string& where) {
  if (!j.is_array()) bad(path, where, "expected an array");
  std::vector<TraceFrameField> out;
  for (size_t i = 0; i < j.size(); ++i) {
    std::string w = where + "[" + std::to_string(i) + "]";
    TraceFrameField f;
    f.name = text_field(j[i], "name", path, w);
    const Json& offset = field(j[i], "offset", path, w);
    if (!offset.is_number_integer()) bad(path, w + ".offset", "expected an integer");
    f.offset = offset.get<int32_t>();
    if (j[i].contains("size")) f.size = static_cast<uint32_t>(count_from(j[i]["size"], path, w + ".size"));
    if (j[i].contains("selector")) {
      if (!j[i]["selector"].is_boolean()) bad(path, w + ".selector", "expected true or false");
      f.selector = j[i]["selector"].get<bool>();
    }
    out.push_back(f);
  }
  return out;
}

TraceEntry entry_from(const Json& j, const std::string& path, const std::string& w) {
  TraceEntry e;
  e.first_step = count_from(field(j, "first_step", path, w), path, w + ".first_step");
  if (j.contains("last_step")) e.last_step = count_from(j["last_step"], path, w + ".last_step");
  const Json& vector = field(j, "vector", path, w);
  if (!vector.is_number_integer()) bad(path, w + ".vector", "expected an integer");
  e.vector = vector.get<int>();
  e.from = text_field(j, "from", path, w);
  e.frame = static_cast<uint32_t>(parse_hex(field(j, "frame", path, w), path, w + ".frame"));
  e.hardware_frame = fields_from(field(j, "hardware_frame", path, w), path, w + ".hardware_frame");
  return e;
}

// The fields entrycheck 0.1.0 added: all optional, so older traces read.
void optional_fields_from(const Json& j, const std::string& path, Trace& t) {
  if (j.contains("entrycheck_version")) t.entrycheck_version = text_field(j, "entrycheck_version", path, "$");
  if (j.contains("pti")) {
    const Json& pti = j["pti"];
    const Json& enabled = field(pti, "enabled", path, "$.pti");
    if (!enabled.is_boolean()) bad(path, "$.pti.enabled", "expected true or false");
    t.pti = TracePti{enabled.get<bool>(),
                     static_cast<uint32_t>(parse_hex(field(pti, "switch_mask", path, "$.pti"), path, "$.pti.switch_mask"))};
  }
  if (j.contains("entries")) {
    if (!j["entries"].is_array()) bad(path, "$.entries", "expected an array");
    for (size_t i = 0; i < j["entries"].size(); ++i)
      t.entries.push_back(entry_from(j["entries"][i], path, "$.entries[" + std::to_string(i) + "]"));
  }
  if (j.contains("frame_fields")) t.frame_fields = fields_from(j["frame_fields"], path, "$.frame_fields");
  const Json& v = j["violation"];
  if (!v.is_object()) return;
  if (v.contains("instruction")) t.violation_instruction = text_field(v, "instruction", path, "$.violation");
  if (v.contains("expected")) t.expected = registers_from(v["expected"], path, "$.violation.expected");
}

}  // namespace

std::string trace_to_json_text(const Trace& t) {
  Json j;
  j["format"] = "entrycheck-trace";
  j["version"] = t.version;
  j["entrycheck_version"] = entrycheck_version();
  j["spec"] = t.spec_path;
  j["spec_name"] = t.spec_name;
  j["scenario"] = t.scenario;
  j["cpu_profile"] = t.profile;
  j["invariant"] = t.invariant;
  j["violation"] = violation_json(t);
  Json inputs = Json::object();
  for (const auto& [name, value] : t.inputs) inputs[name] = hex32(value);
  j["inputs"] = inputs;
  Json selectors = Json::object();
  for (const auto& [sel, valid] : t.selectors) selectors[hex32(sel)] = valid;
  j["selector_validity"] = selectors;
  Json layout = Json::array();
  for (const auto& r : t.layout)
    layout.push_back({{"name", r.name}, {"base", hex32(r.base)}, {"size", hex32(r.size)}, {"stack", r.stack}});
  j["layout"] = layout;
  Json dwords = Json::object();
  for (const auto& [address, value] : t.initial_dwords) dwords[hex32(address)] = hex32(value);
  j["initial_memory"] = dwords;
  j["interrupted"] = registers_json(t.interrupted);
  Json steps = Json::array();
  for (const auto& s : t.steps) {
    Json js;
    js["index"] = s.index;
    js["location"] = s.location;
    if (!s.expanded_from.empty()) js["expanded_from"] = s.expanded_from;
    js["address"] = hex32(s.address);
    js["instruction"] = s.instruction;
    if (!s.event_kind.empty()) js["event"] = {{"kind", s.event_kind}, {"detail", s.event}};
    js["depth"] = s.depth;
    js["esp"] = hex32(s.esp);
    js["registers"] = registers_json(s.registers);
    Json mem = Json::array();
    for (const auto& w : s.memory) mem.push_back({{"address", hex32(w.address)}, {"bytes", hex_bytes(w.bytes)}});
    js["memory"] = mem;
    steps.push_back(js);
  }
  j["steps"] = steps;
  j["final"] = registers_json(t.final_state);
  if (t.pti) j["pti"] = {{"enabled", t.pti->enabled}, {"switch_mask", hex32(t.pti->switch_mask)}};
  if (!t.entries.empty()) {
    Json entries = Json::array();
    for (const auto& e : t.entries) entries.push_back(entry_json(e));
    j["entries"] = entries;
  }
  if (!t.frame_fields.empty()) j["frame_fields"] = fields_json(t.frame_fields);
  return j.dump(2) + "\n";
}

Trace trace_from_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot open trace file");
  Json j;
  try {
    j = Json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(SourceLocation{path, 0, 0}, std::string("invalid JSON: ") + e.what());
  }
  auto need = [&](const char* key) -> const Json& {
    if (!j.is_object() || !j.contains(key)) throw InputError(SourceLocation{path, 0, 0}, std::string("$: missing key '") + key + "'");
    return j[key];
  };
  if (need("format") != "entrycheck-trace") throw InputError(SourceLocation{path, 0, 0}, "$.format: not an entrycheck trace");
  Trace t;
  if (!need("version").is_number_integer() || need("version").get<int>() != 1)
    throw InputError(SourceLocation{path, 0, 0}, "$.version: this entrycheck reads trace format version 1");
  auto str = [&](const char* key) {
    const Json& v = need(key);
    if (!v.is_string()) throw InputError(SourceLocation{path, 0, 0}, std::string("$.") + key + ": expected a string");
    return v.get<std::string>();
  };
  t.spec_path = str("spec");
  t.spec_name = str("spec_name");
  t.scenario = str("scenario");
  t.profile = str("cpu_profile");
  t.invariant = str("invariant");
  const Json& inputs = need("inputs");
  if (!inputs.is_object()) throw InputError(SourceLocation{path, 0, 0}, "$.inputs: expected an object");
  for (auto it = inputs.begin(); it != inputs.end(); ++it) t.inputs[it.key()] = parse_hex(it.value(), path, "$.inputs." + it.key());
  const Json& sels = need("selector_validity");
  if (!sels.is_object()) throw InputError(SourceLocation{path, 0, 0}, "$.selector_validity: expected an object");
  for (auto it = sels.begin(); it != sels.end(); ++it) {
    if (!it.value().is_boolean()) throw InputError(SourceLocation{path, 0, 0}, "$.selector_validity." + it.key() + ": expected true or false");
    t.selectors[static_cast<uint32_t>(std::stoul(it.key(), nullptr, 0))] = it.value().get<bool>();
  }
  const Json& layout = need("layout");
  if (!layout.is_array()) throw InputError(SourceLocation{path, 0, 0}, "$.layout: expected an array");
  for (size_t i = 0; i < layout.size(); ++i) {
    std::string w = "$.layout[" + std::to_string(i) + "]";
    const Json& stack = field(layout[i], "stack", path, w);
    if (!stack.is_boolean()) throw InputError(SourceLocation{path, 0, 0}, w + ".stack: expected true or false");
    t.layout.push_back({text_field(layout[i], "name", path, w),
                        static_cast<uint32_t>(parse_hex(field(layout[i], "base", path, w), path, w + ".base")),
                        static_cast<uint32_t>(parse_hex(field(layout[i], "size", path, w), path, w + ".size")),
                        stack.get<bool>()});
  }
  for (const auto& [address, value] : registers_from(need("initial_memory"), path, "$.initial_memory"))
    t.initial_dwords[static_cast<uint32_t>(std::stoul(address, nullptr, 0))] = value;
  t.interrupted = registers_from(need("interrupted"), path, "$.interrupted");
  t.final_state = registers_from(need("final"), path, "$.final");
  const Json& v = need("violation");
  if (v.is_object()) {
    if (v.contains("message") && v["message"].is_string()) t.message = v["message"];
    if (v.contains("location") && v["location"].is_string()) t.location = v["location"];
    if (v.contains("conditions") && v["conditions"].is_array())
      for (const auto& c : v["conditions"]) if (c.is_string()) t.violated.push_back(c);
  }
  const Json& steps = need("steps");
  if (!steps.is_array()) throw InputError(SourceLocation{path, 0, 0}, "$.steps: expected an array");
  for (size_t i = 0; i < steps.size(); ++i) t.steps.push_back(step_from_json(steps[i], path, "$.steps[" + std::to_string(i) + "]"));
  optional_fields_from(j, path, t);
  return t;
}

}  // namespace ec

// Trace <-> JSON, docs/trace-format.md and docs/trace.schema.json.
#include <nlohmann/json.hpp>
#include <optional>

#include "model/base/diagnostic.hpp"
#include "model/base/hex.hpp"
#include "model/base/located_json.hpp"
#include "model/base/numbers.hpp"
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

// Reads a trace's JSON; every error names the JSON path, at its line and column.
class TraceReader {
 public:
  explicit TraceReader(const JsonLocations& where) : where_(where) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw InputError(where_.at(path), path + ": " + message);
  }
  const Json& field(const Json& j, const char* key, const std::string& path) const {
    if (!j.is_object()) fail(path, "expected an object");
    if (!j.contains(key)) fail(path, std::string("missing key '") + key + "'");
    return j[key];
  }
  const Json& object(const Json& j, const std::string& path) const {
    if (!j.is_object()) fail(path, "expected an object");
    return j;
  }
  const Json& array(const Json& j, const std::string& path) const {
    if (!j.is_array()) fail(path, "expected an array");
    return j;
  }
  std::string text(const Json& j, const char* key, const std::string& path) const {
    const Json& v = field(j, key, path);
    if (!v.is_string()) fail(json_member(path, key), "expected a string");
    return v.get<std::string>();
  }
  bool boolean(const Json& j, const std::string& path) const {
    if (!j.is_boolean()) fail(path, "expected true or false");
    return j.get<bool>();
  }
  // "0x..." (or decimal) up to `max`.
  uint64_t number(const Json& j, const std::string& path, uint64_t max = UINT32_MAX) const {
    if (!j.is_string()) fail(path, "expected a hex string");
    return number_text(j.get<std::string>(), path, max);
  }
  uint64_t number_text(const std::string& text, const std::string& path, uint64_t max = UINT32_MAX) const {
    std::optional<uint64_t> v = parse_unsigned(text, max);
    if (!v) fail(path, "expected a hex number up to " + hex32(max) + ", got \"" + text + "\"");
    return *v;
  }
  std::map<std::string, uint32_t> registers(const Json& j, const std::string& path) const {
    std::map<std::string, uint32_t> out;
    for (auto it = object(j, path).begin(); it != j.end(); ++it)
      out[it.key()] = static_cast<uint32_t>(number(it.value(), json_member(path, it.key())));
    return out;
  }
  std::vector<uint8_t> bytes(const Json& j, const std::string& path) const {
    if (!j.is_string() || j.get<std::string>().size() % 2) fail(path, "expected an even number of hex digits");
    std::vector<uint8_t> out;
    const std::string s = j.get<std::string>();
    for (size_t i = 0; i < s.size(); i += 2) {
      std::optional<uint64_t> b = parse_unsigned("0x" + s.substr(i, 2), 0xff);
      if (!b) fail(path, "expected hex digits, got \"" + s.substr(i, 2) + "\"");
      out.push_back(static_cast<uint8_t>(*b));
    }
    return out;
  }

 private:
  const JsonLocations& where_;
};

TraceStep step_from_json(const TraceReader& r, const Json& js, const std::string& where) {
  TraceStep s;
  const Json& index = r.field(js, "index", where);
  if (!index.is_number_unsigned()) r.fail(where + ".index", "expected a step number");
  s.index = index.get<size_t>();
  s.location = r.text(js, "location", where);
  s.instruction = r.text(js, "instruction", where);
  s.address = static_cast<uint32_t>(r.number(r.field(js, "address", where), where + ".address"));
  s.esp = static_cast<uint32_t>(r.number(r.field(js, "esp", where), where + ".esp"));
  const Json& depth = r.field(js, "depth", where);
  if (!depth.is_number_integer() || depth.get<int64_t>() < 0 || depth.get<int64_t>() > 1000)
    r.fail(where + ".depth", "expected an entry depth (0..1000)");
  s.depth = depth.get<int>();
  if (js.contains("expanded_from"))
    for (const auto& e : r.array(js["expanded_from"], where + ".expanded_from")) if (e.is_string()) s.expanded_from.push_back(e);
  if (js.contains("event")) {
    s.event_kind = r.text(js["event"], "kind", where + ".event");
    s.event = r.text(js["event"], "detail", where + ".event");
  }
  s.registers = r.registers(r.field(js, "registers", where), where + ".registers");
  const Json& mem = r.array(r.field(js, "memory", where), where + ".memory");
  for (size_t i = 0; i < mem.size(); ++i) {
    std::string w = json_element(where + ".memory", i);
    s.memory.push_back({static_cast<uint32_t>(r.number(r.field(mem[i], "address", w), w + ".address")),
                        r.bytes(r.field(mem[i], "bytes", w), w + ".bytes")});
  }
  return s;
}

void read_header(const TraceReader& r, const Json& j, Trace& t) {
  if (r.text(j, "format", "$") != "entrycheck-trace") r.fail("$.format", "not an entrycheck trace");
  const Json& version = r.field(j, "version", "$");
  if (!version.is_number_integer() || version.get<int64_t>() != 1)
    r.fail("$.version", "this entrycheck reads trace format version 1");
  t.spec_path = r.text(j, "spec", "$");
  t.spec_name = r.text(j, "spec_name", "$");
  t.scenario = r.text(j, "scenario", "$");
  t.profile = r.text(j, "cpu_profile", "$");
  t.invariant = r.text(j, "invariant", "$");
}

// The inputs that drive the run: free values, selector validity, initial memory.
void read_inputs(const TraceReader& r, const Json& j, Trace& t) {
  const Json& inputs = r.object(r.field(j, "inputs", "$"), "$.inputs");
  for (auto it = inputs.begin(); it != inputs.end(); ++it) {
    std::string w = "$.inputs." + it.key();
    // mem0@ADDRESS: the initial byte at ADDRESS (show draws memory from it).
    if (it.key().rfind("mem0@", 0) == 0) (void)r.number_text(it.key().substr(5), w, UINT32_MAX);
    t.inputs[it.key()] = r.number(it.value(), w, UINT64_MAX);
  }
  const Json& sels = r.object(r.field(j, "selector_validity", "$"), "$.selector_validity");
  for (auto it = sels.begin(); it != sels.end(); ++it) {
    std::string w = "$.selector_validity." + it.key();
    t.selectors[static_cast<uint32_t>(r.number_text(it.key(), w, 0xffff))] = r.boolean(it.value(), w);
  }
  for (const auto& [address, value] : r.registers(r.field(j, "initial_memory", "$"), "$.initial_memory"))
    t.initial_dwords[static_cast<uint32_t>(r.number_text(address, "$.initial_memory." + address))] = value;
}

void read_layout(const TraceReader& r, const Json& j, Trace& t) {
  const Json& layout = r.array(r.field(j, "layout", "$"), "$.layout");
  for (size_t i = 0; i < layout.size(); ++i) {
    std::string w = json_element("$.layout", i);
    t.layout.push_back({r.text(layout[i], "name", w),
                        static_cast<uint32_t>(r.number(r.field(layout[i], "base", w), w + ".base")),
                        static_cast<uint32_t>(r.number(r.field(layout[i], "size", w), w + ".size")),
                        r.boolean(r.field(layout[i], "stack", w), w + ".stack")});
  }
}

// The violation's summary: informative, so read leniently.
void read_violation(const TraceReader& r, const Json& j, Trace& t) {
  const Json& v = r.field(j, "violation", "$");
  if (!v.is_object()) return;
  if (v.contains("message") && v["message"].is_string()) t.message = v["message"];
  if (v.contains("location") && v["location"].is_string()) t.location = v["location"];
  if (v.contains("conditions") && v["conditions"].is_array())
    for (const auto& c : v["conditions"]) if (c.is_string()) t.violated.push_back(c);
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

// A whole number in [min, max] (JSON number, not a string).
int64_t integer(const TraceReader& r, const Json& j, const std::string& path, int64_t min, int64_t max) {
  bool beyond_int64 = j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX);
  if (!j.is_number_integer() || beyond_int64 || j.get<int64_t>() < min || j.get<int64_t>() > max)
    r.fail(path, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return j.get<int64_t>();
}

std::vector<TraceFrameField> fields_from(const TraceReader& r, const Json& j, const std::string& path) {
  std::vector<TraceFrameField> out;
  for (size_t i = 0; i < r.array(j, path).size(); ++i) {
    std::string w = json_element(path, i);
    TraceFrameField f;
    f.name = r.text(j[i], "name", w);
    f.offset = static_cast<int32_t>(integer(r, r.field(j[i], "offset", w), w + ".offset", INT32_MIN, INT32_MAX));
    if (j[i].contains("size")) f.size = static_cast<uint32_t>(integer(r, j[i]["size"], w + ".size", 1, 4096));
    if (j[i].contains("selector")) f.selector = r.boolean(j[i]["selector"], w + ".selector");
    out.push_back(f);
  }
  return out;
}

TraceEntry entry_from(const TraceReader& r, const Json& j, const std::string& w) {
  TraceEntry e;
  e.first_step = static_cast<size_t>(integer(r, r.field(j, "first_step", w), w + ".first_step", 0, INT64_MAX));
  if (j.contains("last_step")) e.last_step = static_cast<size_t>(integer(r, j["last_step"], w + ".last_step", 0, INT64_MAX));
  e.vector = static_cast<int>(integer(r, r.field(j, "vector", w), w + ".vector", -1, 255));
  e.from = r.text(j, "from", w);
  e.frame = static_cast<uint32_t>(r.number(r.field(j, "frame", w), w + ".frame"));
  e.hardware_frame = fields_from(r, r.field(j, "hardware_frame", w), w + ".hardware_frame");
  return e;
}

// The fields entrycheck 0.1.0 added: all optional, so older traces read.
void read_additions(const TraceReader& r, const Json& j, Trace& t) {
  if (j.contains("entrycheck_version")) t.entrycheck_version = r.text(j, "entrycheck_version", "$");
  if (j.contains("pti")) {
    const Json& pti = r.field(j, "pti", "$");
    t.pti = TracePti{r.boolean(r.field(pti, "enabled", "$.pti"), "$.pti.enabled"),
                     static_cast<uint32_t>(r.number(r.field(pti, "switch_mask", "$.pti"), "$.pti.switch_mask"))};
  }
  if (j.contains("entries")) {
    const Json& entries = r.array(j["entries"], "$.entries");
    for (size_t i = 0; i < entries.size(); ++i) t.entries.push_back(entry_from(r, entries[i], json_element("$.entries", i)));
  }
  if (j.contains("frame_fields")) t.frame_fields = fields_from(r, j["frame_fields"], "$.frame_fields");
  const Json& v = j["violation"];
  if (!v.is_object()) return;
  if (v.contains("instruction")) t.violation_instruction = r.text(v, "instruction", "$.violation");
  if (v.contains("expected")) t.expected = r.registers(v["expected"], "$.violation.expected");
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
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Trace trace_from_json_file(const std::string& path) {
  LocatedJson doc = read_located_json(path, "trace file");
  const Json& j = doc.value;
  TraceReader r(doc.where);
  r.object(j, "$");
  Trace t;
  read_header(r, j, t);
  read_inputs(r, j, t);
  read_layout(r, j, t);
  t.interrupted = r.registers(r.field(j, "interrupted", "$"), "$.interrupted");
  t.final_state = r.registers(r.field(j, "final", "$"), "$.final");
  read_violation(r, j, t);
  const Json& steps = r.array(r.field(j, "steps", "$"), "$.steps");
  for (size_t i = 0; i < steps.size(); ++i) t.steps.push_back(step_from_json(r, steps[i], json_element("$.steps", i)));
  read_additions(r, j, t);
  return t;
}

}  // namespace ec

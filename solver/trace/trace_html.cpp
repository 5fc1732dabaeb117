// The viewer page: the template, style and script of solver/trace/html/
// (embedded at build time by cmake/embed_text.cmake) around the trace as
// JSON data the script draws from. The page's data is described in
// html/viewer.js; its layout in docs/cli.md#show.
#include "solver/trace/trace_html.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "model/base/numbers.hpp"
#include "model/base/version.hpp"
#include "solver/trace/trace_view.hpp"

namespace ec {
namespace {

using Json = nlohmann::ordered_json;

const char* kTemplate =
#include "viewer_html.inc"
    ;
const char* kStyle =
#include "viewer_css.inc"
    ;
const char* kScript =
#include "viewer_js.inc"
    ;

struct SourcePoint {
  std::string file;
  int line = 0;
};

// "file:line:col" or "file:line" (file names may hold ':').
SourcePoint parse_point(const std::string& where) {
  auto last = where.rfind(':');
  if (last == std::string::npos) return {where, 0};
  // A line or column number of a trace read from a file: any digits, so
  // only those that fit an int count (parse_unsigned takes no sign).
  auto number = [](const std::string& s) { return parse_unsigned(s, INT32_MAX); };
  std::string tail = where.substr(last + 1);
  auto prev = last == 0 ? std::string::npos : where.rfind(':', last - 1);
  if (prev != std::string::npos && number(tail))
    if (auto line = number(where.substr(prev + 1, last - prev - 1)))
      return {where.substr(0, prev), static_cast<int>(*line)};
  if (auto line = number(tail)) return {where.substr(0, last), static_cast<int>(*line)};
  return {where, 0};
}

// "SAVE_REGS at file:line:col" -> ("SAVE_REGS", its point).
std::pair<std::string, SourcePoint> parse_expansion(const std::string& text) {
  auto at = text.find(" at ");
  if (at == std::string::npos) return {text, SourcePoint{}};
  return {text.substr(0, at), parse_point(text.substr(at + 4))};
}

std::set<std::string> files_named(const Trace& t) {
  std::set<std::string> files;
  for (const auto& s : t.steps) {
    files.insert(parse_point(s.location).file);
    for (const auto& e : s.expanded_from) files.insert(parse_expansion(e).second.file);
  }
  files.insert(parse_point(t.location).file);
  files.erase("");
  return files;
}

std::optional<std::vector<std::string>> read_lines(const std::filesystem::path& path) {
  constexpr uintmax_t kMaxBytes = 16u << 20;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) > kMaxBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::optional<std::vector<std::string>> find_source(const std::string& file, const std::string& trace_path) {
  namespace fs = std::filesystem;
  if (auto lines = read_lines(file)) return lines;
  if (fs::path(file).is_absolute()) return std::nullopt;
  std::error_code ec;
  fs::path dir = fs::absolute(trace_path, ec).parent_path();
  for (; !ec && !dir.empty(); dir = dir.parent_path()) {
    if (auto lines = read_lines(dir / file)) return lines;
    if (dir == dir.parent_path()) break;
  }
  return std::nullopt;
}

Json level(const std::string& file, int line) { return {{"file", file}, {"line", line}}; }

// The source chain of a step, outermost first: the use site in the file,
// then each macro's body with the line that is current in it.
Json source_chain(const TraceStep& s, const TraceSources& sources) {
  SourcePoint here = parse_point(s.location);
  if (s.expanded_from.empty()) return Json::array({level(here.file, here.line)});
  std::vector<std::pair<std::string, SourcePoint>> exp;  // innermost first
  for (const auto& e : s.expanded_from) exp.push_back(parse_expansion(e));
  Json chain = Json::array({level(exp.back().second.file, exp.back().second.line)});
  for (size_t k = exp.size(); k-- > 0;) {
    SourcePoint current = k > 0 ? exp[k - 1].second : here;
    std::pair<int, int> body{current.line, current.line};
    auto src = sources.find(current.file);
    if (src != sources.end() && src->second) body = macro_body_range(*src->second, current.line, exp[k].first);
    Json l = level(current.file, current.line);
    l["macro"] = exp[k].first;
    l["first"] = body.first;
    l["last"] = body.second;
    chain.push_back(l);
  }
  return chain;
}

Json step_json(const Trace& t, size_t p, const std::string& changes, const TraceSources& sources) {
  const TraceStep& s = t.steps[p];
  bool delivery = s.instruction.rfind("<hardware", 0) == 0;
  Json j = {{"n", delivery ? std::string("#hw") : "#" + std::to_string(s.index)},
            {"loc", s.location},
            {"short", short_location(s.location)},
            {"ins", s.instruction},
            {"ev", s.event_kind.empty() ? Json(nullptr) : Json::array({s.event_kind, s.event})},
            {"depth", s.depth},
            {"esp", s.esp},
            {"addr", s.address}};
  Json regs = Json::object();
  for (const auto& [name, value] : s.registers) regs[name] = value;
  j["regs"] = regs;
  Json mem = Json::array();
  for (const auto& w : s.memory) mem.push_back(Json::array({w.address, w.bytes}));
  j["mem"] = mem;
  j["src"] = source_chain(s, sources);
  j["changes"] = changes;
  return j;
}

Json fields_json(const std::vector<TraceFrameField>& fields, bool from_spec) {
  Json out = Json::array();
  for (const auto& f : fields)
    out.push_back({{"name", f.name}, {"offset", f.offset}, {"size", f.size}, {"selector", f.selector}, {"spec", from_spec}});
  return out;
}

Json entries_json(const Trace& t) {
  Json out = Json::array();
  for (const auto& e : t.entries) {
    Json fields = fields_json(e.hardware_frame, false);
    if (e.from != "sysenter")
      for (auto& f : fields_json(t.frame_fields, true)) fields.push_back(f);
    out.push_back({{"first", e.first_step},
                   {"last", e.last_step ? Json(*e.last_step) : Json(nullptr)},
                   {"vector", e.vector},
                   {"from", e.from},
                   {"frame", e.frame},
                   {"fields", fields}});
  }
  return out;
}

Json registers_json(const std::map<std::string, uint32_t>& regs) {
  Json j = Json::object();
  for (const auto& [name, value] : regs) j[name] = value;
  return j;
}

Json memory_json(const Trace& t) {
  Json out = Json::array();
  MemoryImage initial(t);
  for (const auto& [address, b] : initial.bytes())
    out.push_back(Json::array({address, b.value, b.origin == ByteOrigin::Spec ? "spec" : "stale"}));
  return out;
}

Json page_data(const Trace& t, const TraceSources& sources) {
  Json d;
  d["version"] = entrycheck_version();
  d["trace_version"] = t.entrycheck_version;
  for (const auto& [key, value] : std::vector<std::pair<const char*, std::string>>{
           {"spec", t.spec_path}, {"spec_name", t.spec_name}, {"scenario", t.scenario}, {"profile", t.profile},
           {"invariant", t.invariant}, {"statement", invariant_statement(t.invariant)}, {"message", t.message},
           {"location", t.location}, {"violation_short", short_location(t.location)}, {"instruction", t.violation_instruction}})
    d[key] = value;
  d["violation_index"] = violation_index(t);
  d["violated"] = t.violated;
  d["expected"] = registers_json(t.expected);
  d["interrupted"] = registers_json(t.interrupted);
  d["final"] = registers_json(t.final_state);
  d["pti"] = t.pti ? Json{{"enabled", t.pti->enabled}, {"switch_mask", t.pti->switch_mask}} : Json(nullptr);
  Json regions = Json::array();
  for (const auto& r : t.layout) regions.push_back({{"name", r.name}, {"base", r.base}, {"size", r.size}, {"stack", r.stack}});
  d["regions"] = regions;
  d["initial"] = memory_json(t);
  auto changes = step_change_texts(t);
  Json steps = Json::array();
  for (size_t p = 0; p < t.steps.size(); ++p) steps.push_back(step_json(t, p, changes[p], sources));
  d["steps"] = steps;
  SourcePoint v = parse_point(t.location);
  d["violation_src"] = Json::array({level(v.file, v.line)});
  d["entries"] = entries_json(t);
  Json markers = Json::array();
  for (const auto& [bit, name] : cs_marker_bits()) markers.push_back(Json::array({bit, name}));
  d["markers"] = markers;
  Json files = Json::object();
  for (const auto& [file, lines] : sources) files[file] = lines ? Json(*lines) : Json(nullptr);
  d["sources"] = files;
  return d;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// JSON inside <script>: no '<' at all, so no "</script>" or "<!--" can end
// or confuse the element ('<' appears only inside JSON strings, where
// \u003c means the same).
std::string script_safe_json(const Json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  for (char c : text) out += c == '<' ? std::string("\\u003c") : std::string(1, c);
  return out;
}

// Fills @EC_NAME@ placeholders in one pass over the template, so that text
// substituted in is never scanned again.
std::string fill(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t at = 0;
  for (size_t open; (open = text.find("@EC_", at)) != std::string::npos;) {
    size_t close = text.find('@', open + 1);
    auto it = close == std::string::npos ? values.end() : values.find(text.substr(open + 1, close - open - 1));
    if (it == values.end()) {
      out += text.substr(at, open + 1 - at);
      at = open + 1;
      continue;
    }
    out += text.substr(at, open - at) + it->second;
    at = close + 1;
  }
  return out + text.substr(at);
}

bool starts_with_word(const std::string& line, const std::string& word, std::string* rest) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line.compare(i, word.size(), word) != 0) return false;
  size_t after = i + word.size();
  if (after < line.size() && !std::isspace(static_cast<unsigned char>(line[after]))) return false;
  if (rest) *rest = line.substr(after);
  return true;
}

bool names_macro(const std::string& rest, const std::string& name) {
  size_t i = rest.find_first_not_of(" \t");
  if (i == std::string::npos) return false;
  size_t end = rest.find_first_of(" \t,", i);
  std::string word = rest.substr(i, end == std::string::npos ? std::string::npos : end - i);
  return std::equal(word.begin(), word.end(), name.begin(), name.end(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

}  // namespace

std::pair<int, int> macro_body_range(const std::vector<std::string>& lines, int line, const std::string& name) {
  const int n = static_cast<int>(lines.size());
  if (line < 1 || line > n) return {line, line};
  int first = 0;
  for (int i = line; i >= 1 && !first; --i) {
    std::string rest;
    if (starts_with_word(lines[i - 1], ".macro", &rest)) {
      if (!names_macro(rest, name)) return {line, line};
      first = i;
    } else if (i != line && (starts_with_word(lines[i - 1], ".endm", nullptr) || starts_with_word(lines[i - 1], ".endmacro", nullptr))) {
      return {line, line};
    }
  }
  if (!first) return {line, line};
  for (int i = line; i <= n; ++i)
    if (starts_with_word(lines[i - 1], ".endm", nullptr) || starts_with_word(lines[i - 1], ".endmacro", nullptr))
      return {first, i};
  return {line, line};
}

TraceSources load_trace_sources(const Trace& t, const std::string& trace_path) {
  TraceSources out;
  for (const auto& file : files_named(t)) out[file] = find_source(file, trace_path);
  return out;
}

std::string trace_to_html(const Trace& t, const TraceSources& sources) {
  std::string title = "entrycheck: " + t.invariant + " violated (" + t.spec_name + ", " + t.scenario + ", " + t.profile + ")";
  return fill(kTemplate, {{"EC_TITLE", html_escape(title)},
                          {"EC_VERSION", html_escape(entrycheck_version())},
                          {"EC_STYLE", kStyle},
                          {"EC_SCRIPT", kScript},
                          {"EC_DATA", script_safe_json(page_data(t, sources))}});
}

}  // namespace ec

#include "solver/report/reports.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "model/base/version.hpp"
#include "solver/trace/trace_view.hpp"

namespace ec {
namespace {

using Json = nlohmann::ordered_json;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

struct Place {
  std::string file;
  int line = 0, column = 0;
};

// "file:line:col" -> parts (file names may contain ':').
Place parse_place(const std::string& where) {
  Place p;
  p.file = where;
  auto last = where.rfind(':');
  if (last == std::string::npos) return p;
  auto prev = where.rfind(':', last - 1);
  try {
    if (prev != std::string::npos) {
      p.line = std::stoi(where.substr(prev + 1, last - prev - 1));
      p.column = std::stoi(where.substr(last + 1));
      p.file = where.substr(0, prev);
    } else {
      p.line = std::stoi(where.substr(last + 1));
      p.file = where.substr(0, last);
    }
  } catch (...) {
    p = Place{where, 0, 0};
  }
  return p;
}

// SARIF consumers (GitHub code scanning) resolve URIs against the checkout:
// run entrycheck from the repository root and paths come out relative.
std::string artifact_uri(const std::string& file) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::proximate(file, ec);
  return ec ? file : p.generic_string();
}

Json sarif_location(const std::string& where, const std::string& message = "") {
  Place p = parse_place(where);
  p.file = artifact_uri(p.file);
  Json physical = {{"artifactLocation", {{"uri", p.file}}}};
  if (p.line > 0) {
    physical["region"] = {{"startLine", p.line}};
    if (p.column > 0) physical["region"]["startColumn"] = p.column;
  }
  Json loc = {{"physicalLocation", physical}};
  if (!message.empty()) loc["message"] = {{"text", message}};
  return loc;
}

// A violation's trace as a SARIF code flow: one thread-flow location per
// step, at its source line, with a message saying what the step did and
// changed; the last one is the violating instruction, with the violation.
Json code_flow(const Trace& t) {
  Json steps = Json::array();
  auto changes = step_change_texts(t);
  int order = 0;
  for (size_t p = 0; p < t.steps.size(); ++p) {
    const TraceStep& s = t.steps[p];
    std::string text = (s.instruction.rfind("<hardware", 0) == 0 ? "#hw " : "#" + std::to_string(s.index) + " ") +
                       s.instruction;
    if (!s.event_kind.empty()) text += " [" + s.event_kind + ": " + s.event + "]";
    text += changes[p].empty() ? ": no register or memory change" : ": " + changes[p];
    steps.push_back({{"location", sarif_location(s.location, text)}, {"nestingLevel", s.depth}, {"executionOrder", order++}});
  }
  std::string last = "#" + std::to_string(violation_index(t)) + " " +
                     (t.violation_instruction.empty() ? std::string("the violating instruction") : t.violation_instruction) +
                     ": " + t.invariant + " violated: " + t.message;
  steps.push_back({{"location", sarif_location(t.location, last)},
                   {"nestingLevel", t.steps.empty() ? 0 : t.steps.back().depth},
                   {"executionOrder", order},
                   {"importance", "essential"}});
  return {{"message", {{"text", t.invariant + " violated: " + t.message}}},
          {"threadFlows", Json::array({{{"locations", steps}}})}};
}

std::string verdict_summary(const Verdict& v) {
  if (v.kind == Verdict::Kind::Violated) return v.message;
  std::string s;
  for (const auto& r : v.reasons) s += (s.empty() ? "" : "; ") + r;
  return s;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

}  // namespace

std::string verdict_line(const Verdict& v) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-8s %s  scenario=%s  profile=%s  invariant=%s  (%zu paths, %zu steps, %zu queries, %.2f s)\n",
                upper(verdict_name(v.kind)).c_str(), v.spec.c_str(), v.scenario.c_str(), v.profile.c_str(),
                v.invariant.c_str(), v.stats.paths, v.stats.steps, v.stats.solver_queries, v.stats.seconds);
  std::string out = buf;
  for (const auto& r : v.reasons) out += "         unknown because " + r + "\n";
  if (!v.trace_file.empty()) out += "         trace: " + v.trace_file + "\n";
  return out;
}

std::string violation_diagnostic(const Verdict& v) {
  if (v.kind != Verdict::Kind::Violated || !v.trace) return "";
  return v.trace->location + ": error: " + v.invariant + " violated (scenario " + v.scenario + ", CPU profile " +
         v.profile + "): " + v.message + "\n";
}

std::string verdicts_to_json(const std::vector<Verdict>& verdicts) {
  Json all = Json::array();
  for (const auto& v : verdicts) {
    Json j;
    j["spec"] = v.spec;
    j["scenario"] = v.scenario;
    j["cpu_profile"] = v.profile;
    j["invariant"] = v.invariant;
    j["verdict"] = verdict_name(v.kind);
    if (!v.reasons.empty()) j["unknown_because"] = v.reasons;
    if (v.kind == Verdict::Kind::Violated) {
      j["message"] = v.message;
      j["location"] = v.trace->location;
      if (!v.trace_file.empty()) j["trace"] = v.trace_file;
    }
    j["bounds"] = v.bounds;
    j["stats"] = {{"paths", v.stats.paths}, {"steps", v.stats.steps}, {"nmi_points", v.stats.nmi_points},
                  {"nested_entries", v.stats.nested_entries}, {"solver_queries", v.stats.solver_queries},
                  {"solver_seconds", v.stats.solver_seconds}, {"seconds", v.stats.seconds}};
    all.push_back(j);
  }
  return all.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string verdicts_to_sarif(const std::vector<Verdict>& verdicts) {
  Json rules = Json::array();
  std::vector<std::string> used;
  for (const auto& v : verdicts)
    if (std::find(used.begin(), used.end(), v.invariant) == used.end()) used.push_back(v.invariant);
  for (const auto& id : used) {
    std::string text = invariant_statement(id).empty() ? id : invariant_statement(id);
    rules.push_back({{"id", id}, {"name", id}, {"shortDescription", {{"text", text}}},
                     {"helpUri", "docs/spec-format.md#invariants"}});
  }
  Json results = Json::array();
  for (const auto& v : verdicts) {
    if (v.kind == Verdict::Kind::Proved) continue;
    Json r;
    r["ruleId"] = v.invariant;
    r["ruleIndex"] = std::find(used.begin(), used.end(), v.invariant) - used.begin();
    r["level"] = v.kind == Verdict::Kind::Violated ? "error" : "warning";
    std::string head = v.invariant + (v.kind == Verdict::Kind::Violated ? " violated" : " unknown") +
                       " (spec " + v.spec + ", scenario " + v.scenario + ", CPU profile " + v.profile + "): ";
    r["message"] = {{"text", head + verdict_summary(v)}};
    std::string where = v.kind == Verdict::Kind::Violated ? v.trace->location : v.spec_path;
    r["locations"] = Json::array({sarif_location(where)});
    if (v.kind == Verdict::Kind::Violated) r["codeFlows"] = Json::array({code_flow(*v.trace)});
    r["properties"] = {{"spec", v.spec}, {"scenario", v.scenario}, {"cpuProfile", v.profile}};
    if (!v.trace_file.empty()) r["properties"]["trace"] = v.trace_file;
    results.push_back(r);
  }
  Json run;
  run["tool"] = {{"driver", {{"name", "entrycheck"}, {"version", entrycheck_version()}, {"rules", rules}}}};
  run["results"] = results;
  Json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = Json::array({run});
  return log.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string verdicts_to_junit(const std::vector<Verdict>& verdicts) {
  size_t failures = 0, errors = 0;
  double total = 0;
  for (const auto& v : verdicts) {
    failures += v.kind == Verdict::Kind::Violated;
    errors += v.kind == Verdict::Kind::Unknown;
    total += v.stats.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  char head[256];
  std::snprintf(head, sizeof head, "<testsuites name=\"entrycheck\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
                verdicts.size(), failures, errors, total);
  out += head;
  std::map<std::string, std::vector<const Verdict*>> by_spec;
  std::vector<std::string> order;
  for (const auto& v : verdicts) {
    if (!by_spec.count(v.spec)) order.push_back(v.spec);
    by_spec[v.spec].push_back(&v);
  }
  for (const auto& spec : order) {
    const auto& list = by_spec[spec];
    size_t f = 0, e = 0;
    for (const auto* v : list) {
      f += v->kind == Verdict::Kind::Violated;
      e += v->kind == Verdict::Kind::Unknown;
    }
    out += "  <testsuite name=\"" + xml_escape(spec) + "\" tests=\"" + std::to_string(list.size()) + "\" failures=\"" +
           std::to_string(f) + "\" errors=\"" + std::to_string(e) + "\">\n";
    for (const auto* v : list) {
      char time[32];
      std::snprintf(time, sizeof time, "%.3f", v->stats.seconds);
      out += "    <testcase classname=\"" + xml_escape(v->spec + "." + v->scenario + "." + v->profile) + "\" name=\"" +
             xml_escape(v->invariant) + "\" time=\"" + time + "\">\n";
      if (v->kind == Verdict::Kind::Violated)
        out += "      <failure message=\"" + xml_escape(v->message) + "\">" +
               xml_escape(violation_diagnostic(*v) + (v->trace_file.empty() ? "" : "trace: " + v->trace_file)) +
               "</failure>\n";
      if (v->kind == Verdict::Kind::Unknown)
        out += "      <error type=\"unknown\" message=\"" + xml_escape(verdict_summary(*v)) + "\"/>\n";
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace ec

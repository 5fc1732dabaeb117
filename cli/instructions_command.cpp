// entrycheck dump-instructions --json: the instruction catalog
// (model/program/instructions.def) as JSON, for the Python tools that need
// the instruction list (tests/differential, tests/mutation). And
// check-instructions (hidden): loads each line of a file as its own program
// and says whether it is accepted, for the GNU as differential test.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.hpp"
#include "model/asm/link.hpp"
#include "model/program/instruction_table.hpp"

namespace ec::cli {
namespace {

using Json = nlohmann::ordered_json;

Json sizes_json(SizeSet sizes) {
  Json out = Json::array();
  for (int bytes : {1, 2, 4})
    if (sizes & size_bit(bytes)) out.push_back(bytes);
  return out;
}

Json form_json(const OperandForm& f) {
  Json operands = Json::array();
  for (const auto& p : f.operands) operands.push_back(p.text);
  return Json{{"text", f.text}, {"operands", operands}, {"sizes", sizes_json(f.sizes)},
              {"target_without_suffix", f.target_without_suffix}, {"modelled", f.modelled}};
}

Json att_json(const AttSpelling& a) {
  return Json{{"name", a.name}, {"takes_suffix", a.takes_suffix}, {"size", a.size}, {"src_size", a.src_size}};
}

Json instruction_json(const InstructionInfo& info) {
  Json intel = Json::array();
  for (const auto& n : info.intel) intel.push_back(Json{{"name", n.name}, {"size", n.size}});
  Json att = Json::array();
  for (const auto& a : info.att) att.push_back(att_json(a));
  Json forms = Json::array();
  for (const auto& f : info.forms) forms.push_back(form_json(f));
  return Json{{"op", info.name},       {"family", info.family}, {"rule", info.rule},
              {"flow", flow_name(info.flow)}, {"intel", intel},   {"att", att},
              {"sizes", sizes_json(info.sizes)}, {"default_size", info.default_size},
              {"forms", forms},         {"rep", info.rep}};
}

Json catalog_json() {
  Json instructions = Json::array();
  for (const auto& info : instruction_table()) instructions.push_back(instruction_json(info));
  Json conditions = Json::array();
  for (const auto& c : condition_table())
    conditions.push_back(Json{{"cond", c.name}, {"att", c.att}, {"intel", c.intel}});
  return Json{{"instructions", instructions}, {"conditions", conditions}};
}

std::string text_listing() {
  std::string out;
  for (const auto& info : instruction_table()) {
    std::string forms;
    for (const auto& f : info.forms) forms += (forms.empty() ? "" : " | ") + (f.text.empty() ? "-" : f.text);
    out += info.name + "\t" + info.family + "::" + info.rule + "\t" + forms + "\n";
  }
  return out;
}

// One line, assembled alone: "ok", "warning" (with GNU as's text) or "error".
Json check_line(const std::string& line, int number) {
  Json j{{"line", number}, {"text", line}};
  try {
    // A label `target` for the branches to name (GNU as gets the same).
    ParsedSource parsed = parse_asm_text(line + "\ntarget:\n\tnop\n", "line", FrontEndOptions{});
    Program program = link_program(parsed, LinkOptions{});
    j["result"] = program.warnings.empty() ? "ok" : "warning";
    Json messages = Json::array();
    for (const auto& w : program.warnings) messages.push_back(w.message);
    j["messages"] = messages;
  } catch (const InputError& e) {
    j["result"] = "error";
    j["messages"] = Json::array({e.diagnostic().message});
  }
  return j;
}

}  // namespace

int run_dump_instructions(bool json) {
  if (json) std::cout << catalog_json().dump(1) << "\n";
  else std::cout << text_listing();
  return kExitOk;
}

int run_check_instructions(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw InputError(SourceLocation{file, 0, 0}, "cannot open '" + file + "'");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) std::cout << check_line(line, ++number).dump() << "\n";
  return kExitOk;
}

// Each warning once, even when the program is built once per CPU profile.
void print_warnings(const std::vector<Diagnostic>& warnings) {
  static std::set<std::string> printed;
  for (const auto& w : warnings) {
    std::string text = w.render("warning");
    if (printed.insert(text).second) std::cerr << text;
  }
}

}  // namespace ec::cli

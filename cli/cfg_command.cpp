// entrycheck cfg: basic blocks and edges, or Graphviz DOT.
#include <iostream>

#include "model/asm/link.hpp"
#include "model/object/load_sources.hpp"
#include "cli/commands.hpp"
#include "cli/option_values.hpp"
#include "model/program/cfg.hpp"
#include "model/spec/spec.hpp"

namespace ec::cli {

int run_cfg(const CfgOptions& options) {
  FrontEndOptions fe;
  LinkOptions link;
  if (!options.spec.empty()) {
    Spec spec = load_spec(options.spec);
    fe = spec.front_end;
    link = spec.link;
  }
  for (const auto& d : options.defines) {
    auto [name, value] = assignment_option("--define", d);
    fe.defines[name] = value;
  }
  for (const auto& f : options.features) fe.cpu_features.insert(f);
  if (!options.cpufeatures.empty()) fe.cpufeatures = options.cpufeatures;
  Program program = load_sources({options.file}, fe, link);
  print_warnings(program.warnings);
  for (const auto& entry : options.entries)
    if (auto index = program.label_index(entry); !index || *index >= program.instructions.size())
      option_error("--entry", "no label '" + entry + "' before an instruction of " + options.file);
  Cfg cfg = build_cfg(program, options.entries);
  std::cout << (options.dot ? cfg_to_dot(program, cfg) : cfg_to_text(program, cfg));
  for (const auto& w : cfg.warnings) std::cerr << w << "\n";
  return kExitOk;
}

}  // namespace ec::cli

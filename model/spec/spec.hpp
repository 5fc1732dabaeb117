// A verification spec: sources, layout, CPU profiles, scenarios, bounds and
// invariants (docs/spec-format.md). Loading checks every key and type and
// reports errors by JSON path.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/asm/link.hpp"
#include "model/base/invariant_ids.hpp"
#include "model/machine/machine_config.hpp"
#include "model/program/program.hpp"

namespace ec {

struct Scenario {
  std::string name;
  StartContext start;
  std::string at_path;     // "$.scenarios[N].at", for errors about the label
  SourceLocation at_where;  // where that is written
};

// The most bytes an NMI or a C handler may overwrite ($.bounds): each is a
// fresh value at every NMI boundary or call.
constexpr int64_t kMaxClobberBytes = 4096;

struct SpecAssertion {
  std::string at;    // label
  std::string text;  // the expression
  std::string name;
  std::string where; // JSON path, for errors
};

struct Spec {
  std::string path;  // the spec file
  std::string name;
  std::vector<std::string> sources;  // resolved relative to the spec file
  FrontEndOptions front_end;
  LinkOptions link;
  MachineConfig machine;             // profile and IDT indexes filled per run
  std::map<int, std::string> idt_labels;
  std::map<int, SourceLocation> idt_where;  // where each $.idt[].entry is written
  std::set<int> idt_no_handler;  // $.idt[].calls_handler = false
  std::vector<CpuProfile> profiles;
  std::vector<Scenario> scenarios;
  std::vector<InvariantId> invariants;  // distinct, in the spec's order
  std::vector<SpecAssertion> assertions;
  unsigned timeout_seconds = 60;
};

Spec load_spec(const std::string& path);

// The program as assembled for one CPU profile (ALTERNATIVE depends on its
// features), and the machine configuration for that profile.
Program build_program(const Spec& spec, const CpuProfile& profile);
MachineConfig machine_for(const Spec& spec, const Program& program, const CpuProfile& profile);
// The scenario with its labels resolved against the program.
Scenario scenario_for(const Spec& spec, const Program& program, const Scenario& scenario);


}  // namespace ec

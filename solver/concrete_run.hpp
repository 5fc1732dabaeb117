// Runs a scenario on the concrete semantics, recording every step: how a
// counterexample becomes a trace, and how `replay` re-executes one.
#pragma once
#include <optional>
#include <string>

#include "model/concrete_domain.hpp"
#include "solver/spec.hpp"
#include "solver/trace.hpp"

namespace ec {

struct ConcreteOutcome {
  Trace trace;                // steps, interrupted and final registers, inputs used
  bool resumed = false;       // the outermost IRET retired
  std::optional<std::string> cut;  // the run stopped at a bound or unsupported construct
  bool violated = false;      // the invariant fails on this run
};

ConcreteOutcome run_concrete(const Spec& spec, const Program& program, const MachineConfig& machine,
                             const Scenario& scenario, const std::string& invariant, ConcreteDomain& d);

}  // namespace ec

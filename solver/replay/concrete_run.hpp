// Runs a scenario on the concrete semantics with the invariant monitors,
// recording every step: how a counterexample becomes a trace, and how
// `replay` re-executes one.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "model/exec/concrete_domain.hpp"
#include "model/spec/spec.hpp"
#include "solver/trace/trace.hpp"

namespace ec {

struct Failure {
  std::string message;
  std::string location;
  std::string instruction;  // the instruction at `location`, if the failure is at one
};

struct ConcreteOutcome {
  Trace trace;                // steps, interrupted and final registers, inputs used
  bool resumed = false;       // the outermost IRET retired
  std::optional<std::string> cut;  // the run stopped at a bound or unsupported construct
  std::map<InvariantId, Failure> failures;  // invariant -> its first failure on this run
};

// Runs until the outermost IRET retires, or until `stop_on` fails. The trace
// describes `stop_on` (its failure, if any).
ConcreteOutcome run_concrete(const Spec& spec, const Program& program, const MachineConfig& machine,
                             const Scenario& scenario, InvariantId stop_on, ConcreteDomain& d);

}  // namespace ec

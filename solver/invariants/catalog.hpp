// The monitor of each invariant in the catalog (model/base/invariants.def),
// and which invariant each kind of machine stop breaks.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/base/invariant_ids.hpp"
#include "solver/invariants/assertions.hpp"
#include "solver/invariants/cr3.hpp"
#include "solver/invariants/handler_stack.hpp"
#include "solver/invariants/nmi_safe.hpp"
#include "solver/invariants/resume.hpp"
#include "solver/invariants/stack_bounds.hpp"

namespace ec {

// What a monitor may need from the run it watches.
template <class D>
struct MonitorContext {
  const State<D>& interrupted;
  typename D::Val eip;  // the interrupted EIP
  const Region* stack;  // the scenario's stack region
  const std::vector<std::string>& resume_ignores;
  const std::map<size_t, std::vector<Assertion>>& assertions;
  const ResumeExpectations& resume_expect;
};

template <class D>
std::unique_ptr<Monitor<D>> make_monitor(InvariantId id, const MonitorContext<D>& c) {
  switch (id) {
    case InvariantId::Resume:
      return std::make_unique<ResumeMonitor<D>>(c.interrupted, c.eip, c.stack, c.resume_ignores, &c.resume_expect);
    case InvariantId::Cr3: return std::make_unique<Cr3Monitor<D>>();
    case InvariantId::HandlerStack: return std::make_unique<HandlerStackMonitor<D>>();
    case InvariantId::StackBounds: return std::make_unique<StackBoundsMonitor<D>>();
    case InvariantId::NmiSafe: return std::make_unique<NmiSafeMonitor<D>>();
    case InvariantId::Assertions: return std::make_unique<AssertionMonitor<D>>(&c.assertions);
  }
  EC_ASSERT(false, "an invariant outside the catalog");
}

template <class D>
std::vector<std::unique_ptr<Monitor<D>>> make_monitors(const std::vector<InvariantId>& ids, const MonitorContext<D>& c) {
  std::vector<std::unique_ptr<Monitor<D>>> out;
  for (InvariantId id : ids) out.push_back(make_monitor(id, c));
  return out;
}

// The invariant a machine stop breaks. A stop whose invariant the spec does
// not check still ends the path short of resuming: it counts against
// `resume` (attribute_stop).
inline InvariantId invariant_broken_by(StopKind kind) {
  return kind == StopKind::UserCr3KernelAccess ? InvariantId::Cr3 : InvariantId::Resume;
}

inline InvariantId attribute_stop(StopKind kind, const std::vector<InvariantId>& checked) {
  InvariantId id = invariant_broken_by(kind);
  for (InvariantId c : checked)
    if (c == id) return id;
  return InvariantId::Resume;
}

}  // namespace ec

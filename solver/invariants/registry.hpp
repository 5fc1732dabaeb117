// The built-in invariants by id, as monitors for one run.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "solver/invariants/assertions.hpp"
#include "solver/invariants/cr3.hpp"
#include "solver/invariants/handler_stack.hpp"
#include "solver/invariants/nmi_safe.hpp"
#include "solver/invariants/resume.hpp"
#include "solver/invariants/stack_bounds.hpp"

namespace ec {

template <class D>
std::vector<std::unique_ptr<Monitor<D>>> make_monitors(const std::vector<std::string>& ids, const State<D>& interrupted,
                                                       const typename D::Val& eip, const Region* stack,
                                                       const std::vector<std::string>& resume_ignores = {},
                                                       const std::map<size_t, std::vector<Assertion>>* assertions = nullptr,
                                                       const ResumeExpectations* resume_expect = nullptr) {
  std::vector<std::unique_ptr<Monitor<D>>> out;
  for (const auto& id : ids) {
    if (id == "resume") out.push_back(std::make_unique<ResumeMonitor<D>>(interrupted, eip, stack, resume_ignores, resume_expect));
    else if (id == "cr3") out.push_back(std::make_unique<Cr3Monitor<D>>());
    else if (id == "handler-stack") out.push_back(std::make_unique<HandlerStackMonitor<D>>());
    else if (id == "stack-bounds") out.push_back(std::make_unique<StackBoundsMonitor<D>>());
    else if (id == "nmi-safe") out.push_back(std::make_unique<NmiSafeMonitor<D>>());
    else if (id == "assertions" && assertions) out.push_back(std::make_unique<AssertionMonitor<D>>(assertions));
  }
  return out;
}

}  // namespace ec

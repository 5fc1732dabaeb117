#include "solver/explorer.hpp"

#include <chrono>
#include <set>

#include "model/semantics/start.hpp"
#include "model/semantics/step.hpp"
#include "solver/concrete_run.hpp"
#include "solver/invariants/resume.hpp"
#include "solver/symbolic_domain.hpp"

namespace ec {
namespace {

using SState = State<SymbolicDomain>;

struct WorkItem {
  SState state;
  std::vector<SymbolicDomain::Decision> script;  // forced decisions for its next step
};

class Explorer {
 public:
  Explorer(const Spec& spec, const Program& program, const MachineConfig& machine, const Scenario& scenario,
           const std::string& invariant)
      : spec_(spec), program_(program), machine_(machine), scenario_(scenario), invariant_(invariant),
        d_(spec.timeout_seconds * 1000u), m_{d_, program, machine, {}} {
    verdict_.spec = spec.name;
    verdict_.scenario = scenario.name;
    verdict_.profile = machine.profile.name;
    verdict_.invariant = invariant;
  }

  Verdict run() {
    auto started = std::chrono::steady_clock::now();
    interrupted_ = interrupted_context(m_, scenario_.start);
    eip0_ = d_.input("init.eip", 32);
    stack_ = machine_.region_named(scenario_.start.stack_region);
    try {
      worklist_.push_back({start_state(m_, interrupted_, scenario_.start, eip0_), {}});
    } catch (const PathCut& c) {
      cut(c);
    }
    while (!worklist_.empty() && verdict_.kind != Verdict::Kind::Violated) {
      WorkItem item = std::move(worklist_.back());
      worklist_.pop_back();
      follow(std::move(item));
    }
    if (verdict_.kind == Verdict::Kind::Proved && !reasons_.empty()) verdict_.kind = Verdict::Kind::Unknown;
    verdict_.reasons.assign(reasons_.begin(), reasons_.end());
    verdict_.stats.solver_queries = d_.stats().queries;
    verdict_.stats.solver_seconds = d_.stats().seconds;
    verdict_.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return verdict_;
  }

 private:
  // Follows one path to its end, queueing the other side of every fork.
  void follow(WorkItem item) {
    verdict_.stats.paths += 1;
    SState s = std::move(item.state);
    std::vector<SymbolicDomain::Decision> script = std::move(item.script);
    while (true) {
      if (s.step >= machine_.bounds.max_steps) {
        reasons_.insert("max-steps: a path reached " + std::to_string(machine_.bounds.max_steps) +
                        " steps (bounds.max_steps)");
        return;
      }
      SState next = s;
      d_.begin_step(std::move(script));
      script = {};
      size_t depth = s.entries.size();
      try {
        step(m_, next);
      } catch (const PathCut& c) {
        queue_alternatives(s);
        cut(c);
        return;
      } catch (const SemanticViolation& v) {
        queue_alternatives(s);
        violation(next, v.message);
        return;
      }
      queue_alternatives(s);
      count(next, depth);
      if (next.resumed) {
        check_resume(next);
        return;
      }
      s = std::move(next);
    }
  }

  void queue_alternatives(const SState& before) {
    for (auto& alt : d_.take_alternatives()) worklist_.push_back({before, std::move(alt)});
  }

  void count(const SState& s, size_t depth_before) {
    verdict_.stats.steps += 1;
    if (machine_.bounds.nmi) verdict_.stats.nmi_points += 1;
    if (s.entries.size() > depth_before) verdict_.stats.nested_entries += 1;
  }

  void cut(const PathCut& c) { reasons_.insert(c.bound + ": " + c.what()); }

  void check_resume(const SState& s) {
    auto conditions = resume_conditions(m_, s, interrupted_, eip0_, stack_);
    z3::expr all = d_.ctx().bool_val(true);
    for (const auto& c : conditions) all = all && c.holds.e;
    z3::expr bad = !all;
    z3::model model(d_.ctx());
    z3::check_result r = d_.check(s.path, &bad, &model);
    if (r == z3::unknown) {
      reasons_.insert("timeout: the solver gave up on `resume` at the outermost IRET (" +
                      std::to_string(spec_.timeout_seconds) + " s per query)");
      return;
    }
    if (r == z3::sat) counterexample(model, "");
  }

  // A property broken inside the semantics: any model of the path shows it.
  void violation(const SState& s, const std::string& message) {
    z3::model model(d_.ctx());
    z3::check_result r = d_.check(s.path, nullptr, &model);
    if (r != z3::sat) {
      reasons_.insert("timeout: the solver gave up on the path to: " + message);
      return;
    }
    counterexample(model, message);
  }

  // Concretises the model by running the concrete semantics on it; only a
  // run that shows the violation again is reported.
  void counterexample(const z3::model& model, const std::string& message) {
    ConcreteDomain cd;
    cd.fallback = [&](const std::string& name, int width) -> std::optional<uint64_t> {
      z3::expr v = model.eval(d_.ctx().bv_const(name.c_str(), width), true);
      if (width == 1) {
        z3::expr b = model.eval(d_.ctx().bool_const(name.c_str()), true);
        return b.is_true() ? 1 : 0;
      }
      return v.get_numeral_uint64();
    };
    cd.seg_valid_fallback = [&](uint32_t sel) -> std::optional<bool> {
      return model.eval(d_.seg_valid_function()(d_.ctx().bv_val(sel, 16)), true).is_true();
    };
    ConcreteOutcome run = run_concrete(spec_, program_, machine_, scenario_, invariant_, cd);
    if (!run.violated) {
      reasons_.insert("internal: a counterexample" + (message.empty() ? "" : " (" + message + ")") +
                      " did not replay on the concrete semantics");
      return;
    }
    verdict_.kind = Verdict::Kind::Violated;
    verdict_.message = run.trace.message;
    verdict_.trace = std::move(run.trace);
  }

  const Spec& spec_;
  const Program& program_;
  const MachineConfig& machine_;
  const Scenario& scenario_;
  std::string invariant_;
  SymbolicDomain d_;
  Machine<SymbolicDomain> m_;
  SState interrupted_;
  SymVal eip0_;
  const Region* stack_ = nullptr;
  std::vector<WorkItem> worklist_;
  std::set<std::string> reasons_;
  Verdict verdict_;
};

}  // namespace

std::string verdict_name(Verdict::Kind k) {
  switch (k) {
    case Verdict::Kind::Proved: return "proved";
    case Verdict::Kind::Violated: return "violated";
    case Verdict::Kind::Unknown: return "unknown";
  }
  return "?";
}

Verdict check_obligation(const Spec& spec, const Program& program, const MachineConfig& machine,
                         const Scenario& scenario, const std::string& invariant) {
  return Explorer(spec, program, machine, scenario, invariant).run();
}

}  // namespace ec

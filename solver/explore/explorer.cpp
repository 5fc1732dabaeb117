#include "solver/explore/explorer.hpp"

#include <chrono>
#include <map>
#include <set>

#include "model/semantics/start.hpp"
#include "model/semantics/step.hpp"
#include "solver/replay/concrete_run.hpp"
#include "solver/invariants/catalog.hpp"
#include "solver/smt/symbolic_domain.hpp"

namespace ec {
namespace {

using SState = State<SymbolicDomain>;

struct WorkItem {
  SState state;
  std::vector<SymbolicDomain::Decision> script;  // forced decisions for its next step
};

class Explorer : public Reporter<SymbolicDomain> {
 public:
  Explorer(const Spec& spec, const Program& program, const MachineConfig& machine, const Scenario& scenario,
           const ExploreOptions& options)
      : spec_(spec), program_(program), machine_(machine), scenario_(scenario),
        d_(spec.timeout_seconds * 1000u, options.solver), m_{d_, program, machine, {}},
        assertions_(collect_assertions(spec, program, machine)),
        resume_expect_(resume_expectations(spec, scenario, machine)) {
    for (const auto& id : spec.invariants) {
      Verdict v;
      v.spec = spec.name;
      v.scenario = scenario.name;
      v.profile = machine.profile.name;
      v.invariant = std::string(invariant_name(id));
      v.spec_path = spec.path;
      v.bounds = "nesting=" + std::to_string(machine.bounds.nesting) + " nmi=" + (machine.bounds.nmi ? "on" : "off") +
                 " max_steps=" + std::to_string(machine.bounds.max_steps);
      verdicts_[id] = v;
    }
  }

  std::vector<Verdict> run() {
    auto started = std::chrono::steady_clock::now();
    interrupted_ = interrupted_context(m_, scenario_.start);
    eip0_ = interrupted_eip(m_, scenario_.start);
    monitors_ = make_monitors<SymbolicDomain>(
        spec_.invariants, {interrupted_, eip0_, machine_.region_named(scenario_.start.stack_region),
                           scenario_.start.resume_ignores, assertions_, resume_expect_});
    for (auto& mon : monitors_) m_.monitors.push_back(mon.get());
    m_.reporter = this;
    try {
      worklist_.push_back({start_state(m_, interrupted_, scenario_.start, eip0_), {}});
    } catch (const PathCut& c) {
      cut(c);
    }
    while (!worklist_.empty() && !all_violated()) {
      WorkItem item = std::move(worklist_.back());
      worklist_.pop_back();
      follow(std::move(item));
    }
    stats_.solver_queries = d_.stats().queries;
    stats_.solver_seconds = d_.stats().seconds;
    stats_.domain_counters = d_.counters_text();
    stats_.fold_audit = d_.audit_notes();
    stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::vector<Verdict> out;
    for (const auto& id : spec_.invariants) {
      Verdict v = verdicts_[id];
      if (v.kind == Verdict::Kind::Proved && !reasons_.empty()) v.kind = Verdict::Kind::Unknown;
      if (v.kind != Verdict::Kind::Violated) v.reasons.assign(reasons_.begin(), reasons_.end());
      v.stats = stats_;
      out.push_back(std::move(v));
    }
    return out;
  }

  // A monitor's obligation: can it fail on this path? Then find out how, and
  // go on assuming it held, to look for the other invariants' failures.
  void require(SState& s, InvariantId invariant, const SymBool& holds, const std::string& message) override {
    if (holds.e.is_true()) return;
    // A replayed counterexample is this invariant's verdict: no more queries
    // about it. Assuming it held (below) keeps the other invariants' search
    // exactly as before (issue 11.7).
    if (verdicts_[invariant].kind == Verdict::Kind::Violated) return assume_held(s, holds);
    z3::expr fails = !holds.e;
    z3::model model(d_.ctx());
    z3::check_result r = d_.check(s.path, &fails, &model);
    if (r == z3::unsat) return;  // the path implies it
    if (r == z3::unknown) reasons_.insert("timeout: the solver gave up on " + std::string(invariant_name(invariant)) + ": " + message);
    if (r == z3::sat && verdicts_[invariant].kind != Verdict::Kind::Violated) counterexample(model, invariant, message);
    assume_held(s, holds);
  }

 private:
  // Go on assuming the obligation held, if it can hold here at all.
  void assume_held(SState& s, const SymBool& holds) {
    if (holds.e.is_false()) return;
    z3::expr h = holds.e;
    if (d_.check(s.path, &h) == z3::sat) s.path.push_back(holds);
  }

  bool all_violated() const {
    for (const auto& [id, v] : verdicts_)
      if (v.kind != Verdict::Kind::Violated) return false;
    return true;
  }

  // Follows one path to its end, queueing the other side of every fork.
  void follow(WorkItem item) {
    stats_.paths += 1;
    SState s = std::move(item.state);
    std::vector<SymbolicDomain::Decision> script = std::move(item.script);
    while (!all_violated()) {
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
      } catch (const MachineStop& stop) {
        queue_alternatives(s);
        violation(next, stop);
        return;
      }
      queue_alternatives(s);
      count(next, depth);
      if (next.resumed || next.gone) return;
      s = std::move(next);
    }
  }

  void queue_alternatives(const SState& before) {
    for (auto& alt : d_.take_alternatives()) worklist_.push_back({before, std::move(alt)});
  }

  void count(const SState& s, size_t depth_before) {
    stats_.steps += 1;
    if (machine_.bounds.nmi) stats_.nmi_points += 1;
    if (s.entries.size() > depth_before) stats_.nested_entries += 1;
  }

  void cut(const PathCut& c) { reasons_.insert(c.bound + ": " + c.what()); }

  // A property broken inside the semantics: any model of the path shows it.
  void violation(const SState& s, const MachineStop& v) {
    InvariantId id = attribute_stop(v.kind, spec_.invariants);
    if (verdicts_[id].kind == Verdict::Kind::Violated) return;
    z3::model model(d_.ctx());
    if (d_.check(s.path, nullptr, &model) != z3::sat) {
      reasons_.insert("timeout: the solver gave up on the path to: " + v.message);
      return;
    }
    counterexample(model, id, v.message);
  }

  // Concretises the model by running the concrete semantics on it; only a
  // run that shows the same invariant failing is reported.
  void counterexample(const z3::model& model, InvariantId invariant, const std::string& message) {
    ConcreteDomain cd;
    cd.fallback = [&](const std::string& name, int width) -> std::optional<uint64_t> {
      if (width == 1) return model.eval(d_.ctx().bool_const(name.c_str()), true).is_true() ? 1 : 0;
      return model.eval(d_.ctx().bv_const(name.c_str(), width), true).get_numeral_uint64();
    };
    cd.seg_valid_fallback = [&](uint32_t sel) -> std::optional<bool> {
      return model.eval(d_.seg_valid_function()(d_.ctx().bv_val(sel, 16)), true).is_true();
    };
    ConcreteOutcome run = run_concrete(spec_, program_, machine_, scenario_, invariant, cd);
    if (!run.failures.count(invariant)) {
      reasons_.insert("internal: a counterexample to " + std::string(invariant_name(invariant)) + " (" + message +
                      ") did not show on the concrete semantics");
      return;
    }
    Verdict& v = verdicts_[invariant];
    v.kind = Verdict::Kind::Violated;
    v.message = run.trace.message;
    v.trace = std::move(run.trace);
  }

  const Spec& spec_;
  const Program& program_;
  const MachineConfig& machine_;
  const Scenario& scenario_;
  SymbolicDomain d_;
  Machine<SymbolicDomain> m_;
  std::map<size_t, std::vector<Assertion>> assertions_;
  ResumeExpectations resume_expect_;
  SState interrupted_;
  SymVal eip0_;
  std::vector<std::unique_ptr<Monitor<SymbolicDomain>>> monitors_;
  std::vector<WorkItem> worklist_;
  std::set<std::string> reasons_;
  std::map<InvariantId, Verdict> verdicts_;
  ExploreStats stats_;
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

std::vector<Verdict> check_scenario(const Spec& spec, const Program& program, const MachineConfig& machine,
                                    const Scenario& scenario, const ExploreOptions& options) {
  return Explorer(spec, program, machine, scenario, options).run();
}

}  // namespace ec

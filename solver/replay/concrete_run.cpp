#include "solver/replay/concrete_run.hpp"

#include <algorithm>

#include "model/semantics/start.hpp"
#include "model/semantics/step.hpp"
#include "solver/invariants/catalog.hpp"

namespace ec {
namespace {

using CState = State<ConcreteDomain>;

std::map<std::string, uint32_t> registers(Machine<ConcreteDomain>& m, const CState& s) {
  std::map<std::string, uint32_t> r;
  for (int i = 0; i < kNumGeneral; ++i) r[std::string(gpr_name(i))] = s.gpr[i].v;
  for (int i = 0; i < kNumSegment; ++i) r[std::string(segment_name(i))] = s.seg[i].v;
  r["eflags"] = m.eflags(s).v;
  r["cr3"] = s.cr3.v;
  return r;
}

std::vector<TraceMemWrite> memory_changes(const CState& before, const CState& after) {
  std::vector<TraceMemWrite> out;
  for (const auto& [address, value] : after.mem) {
    auto it = before.mem.find(address);
    if (it != before.mem.end() && it->second.v == value.v) continue;
    if (!out.empty() && out.back().address + out.back().bytes.size() == address && out.back().bytes.size() < 4)
      out.back().bytes.push_back(static_cast<uint8_t>(value.v));
    else
      out.push_back({address, {static_cast<uint8_t>(value.v)}});
  }
  return out;
}

std::string kind_name(StepEvent::Kind k) {
  switch (k) {
    case StepEvent::Kind::None: return "";
    case StepEvent::Kind::Exception: return "exception";
    case StepEvent::Kind::HandlerCall: return "handler-call";
    case StepEvent::Kind::Nmi: return "nmi";
    case StepEvent::Kind::Resumed: return "resumed";
  }
  return "";
}

TraceStep describe_step(Machine<ConcreteDomain>& m, const CState& before, const CState& after, const StepEvent& ev) {
  const Instruction& ins = m.program.instructions.at(before.pc);
  TraceStep t;
  t.index = before.step;
  t.location = ins.loc.str();
  for (size_t i = 0; i < ins.expanded_from.size(); ++i)
    t.expanded_from.push_back((i < ins.macro_names.size() ? ins.macro_names[i] : std::string("macro")) + " at " +
                              ins.expanded_from[i].str());
  t.address = ins.address;
  t.instruction = ins.text;
  t.event_kind = kind_name(ev.kind);
  t.event = ev.detail;
  t.depth = static_cast<int>(after.entries.size());
  auto r0 = registers(m, before), r1 = registers(m, after);
  for (const auto& [name, value] : r1)
    if (r0[name] != value) t.registers[name] = value;
  t.memory = memory_changes(before, after);
  t.esp = after.gpr[R_ESP].v;
  return t;
}

// The event that starts the scenario, shown as step "-" at the gate's label.
TraceStep describe_delivery(Machine<ConcreteDomain>& m, const CState& interrupted, const CState& delivered) {
  const Instruction& entry = m.program.instructions.at(delivered.pc);
  TraceStep t;
  t.index = 0;
  t.location = entry.loc.str();
  t.address = entry.address;
  const auto& e = delivered.entries.back();
  t.instruction = "<hardware delivers vector " + std::to_string(e.vector) + ">";
  t.event_kind = "exception";
  t.event = m.event.detail;
  t.depth = 1;
  auto r0 = registers(m, interrupted), r1 = registers(m, delivered);
  for (const auto& [name, value] : r1)
    if (r0[name] != value) t.registers[name] = value;
  t.memory = memory_changes(interrupted, delivered);
  t.esp = delivered.gpr[R_ESP].v;
  return t;
}

// Records the steps, keeping Trace::entries in step with the machine's live
// entries: after a step, an entry no longer live was retired by it, a new
// one delivered by it.
class StepRecorder {
 public:
  void add(Trace& t, TraceStep step, const std::vector<EntryRecord<CVal>>& live) {
    t.steps.push_back(std::move(step));
    size_t position = t.steps.size() - 1;
    size_t same = 0;
    while (same < open_.size() && same < live.size() && open_[same].step == live[same].step &&
           open_[same].frame_esp == live[same].frame_esp)
      ++same;
    for (; open_.size() > same; open_.pop_back()) t.entries[open_.back().index].last_step = position;
    for (size_t i = same; i < live.size(); ++i) {
      open_.push_back({live[i].step, live[i].frame_esp, t.entries.size()});
      t.entries.push_back(entry_of(live[i], position));
    }
  }

 private:
  static TraceEntry entry_of(const EntryRecord<CVal>& e, size_t position) {
    TraceEntry out;
    out.first_step = position;
    out.vector = e.vector;
    out.from = e.vector < 0 ? "sysenter" : e.from_vm86 ? "vm86" : e.from_user ? "user" : "kernel";
    out.frame = e.frame_esp + (e.error_code ? 4 : 0);
    if (e.vector >= 0) out.hardware_frame = hardware_frame_fields(out.from, e.error_code);
    return out;
  }
  struct Open {
    size_t step;
    uint32_t frame_esp;
    size_t index;  // in Trace::entries
  };
  std::vector<Open> open_;
};

// What `resume` expects back: the interrupted context, with the scenario's
// resume_expect values where it names them.
std::map<std::string, uint32_t> expected_context(Machine<ConcreteDomain>& m, const CState& interrupted, const CVal& eip0,
                                                 const ResumeExpectations& expect) {
  std::map<std::string, uint32_t> out = registers(m, interrupted);
  out["eip"] = eip0.v;
  for (const auto& [name, assertion] : expect) {
    CState at = interrupted;
    out[name] = assertion_value(m, at, *assertion.expr).v;
  }
  return out;
}

Failure failure_at(const Program& program, const CState& s, const std::string& message) {
  if (s.pc >= program.instructions.size()) return Failure{message, "", ""};
  return Failure{message, program.instructions[s.pc].loc.str(), program.instructions[s.pc].text};
}

// Records the first failure of each invariant; stops the run at `stop_on`.
class FailureRecorder : public Reporter<ConcreteDomain> {
 public:
  struct Stop {};
  FailureRecorder(const Program& program, InvariantId stop_on, std::map<InvariantId, Failure>& failures)
      : program_(program), stop_on_(stop_on), failures_(failures) {}

  void require(CState& s, InvariantId invariant, const bool& holds, const std::string& message) override {
    if (holds || failures_.count(invariant)) return;
    failures_[invariant] = failure_at(program_, s, message);
    if (invariant == stop_on_) throw Stop{};
  }

 private:
  const Program& program_;
  InvariantId stop_on_;
  std::map<InvariantId, Failure>& failures_;
};

// The trace's header: what ran, on which layout.
void describe_run(const Spec& spec, const MachineConfig& machine, const Scenario& scenario, InvariantId stop_on,
                  Trace& trace) {
  trace.spec_path = spec.path;
  trace.spec_name = spec.name;
  trace.scenario = scenario.name;
  trace.profile = machine.profile.name;
  trace.invariant = std::string(invariant_name(stop_on));
  for (const auto& r : machine.regions) trace.layout.push_back({r.name, r.base, r.size, r.stack});
  for (const auto& [address, value] : machine.initial_dwords) trace.initial_dwords[address] = value;
  trace.pti = TracePti{machine.profile.pti, machine.pti.switch_mask};
}

void describe_failure(const Failure& failure, Trace& trace) {
  trace.message = failure.message;
  trace.location = !failure.location.empty() ? failure.location
                                             : (trace.steps.empty() ? "" : trace.steps.back().location);
  trace.violation_instruction = failure.instruction;
  trace.violated = {failure.message};
}

// The resume conditions that fail and are not ignored, by name.
template <class Conditions>
std::vector<std::string> failed_resume_conditions(const Conditions& conditions, const std::vector<std::string>& ignores) {
  std::vector<std::string> names;
  for (const auto& c : conditions)
    if (!c.holds && std::find(ignores.begin(), ignores.end(), c.name) == ignores.end()) names.push_back(c.name);
  return names;
}

}  // namespace

ConcreteOutcome run_concrete(const Spec& spec, const Program& program, const MachineConfig& machine,
                             const Scenario& scenario, InvariantId stop_on, ConcreteDomain& d) {
  ConcreteOutcome out;
  Machine<ConcreteDomain> m{d, program, machine, {}};
  Trace& trace = out.trace;
  describe_run(spec, machine, scenario, stop_on, trace);

  CState interrupted = interrupted_context(m, scenario.start);
  CVal eip0 = interrupted_eip(m, scenario.start);
  trace.interrupted = registers(m, interrupted);
  trace.interrupted["eip"] = eip0.v;
  if (std::find(interrupted.path.begin(), interrupted.path.end(), false) != interrupted.path.end()) {
    out.cut = "the inputs break an assumption of the scenario's start (IF, VM, CR3, the stack region or a virtual-8086 EIP below 64 KiB)";
    return out;
  }
  const Region* stack = machine.region_named(scenario.start.stack_region);
  auto assertions = collect_assertions(spec, program, machine);
  auto resume_expect = resume_expectations(spec, scenario, machine);
  auto monitors = make_monitors<ConcreteDomain>(
      spec.invariants, {interrupted, eip0, stack, scenario.start.resume_ignores, assertions, resume_expect});
  for (auto& mon : monitors) m.monitors.push_back(mon.get());
  FailureRecorder recorder(program, stop_on, out.failures);
  m.reporter = &recorder;

  CState s;
  StepRecorder steps;
  try {
    s = start_state(m, interrupted, scenario.start, eip0);
    steps.add(trace, describe_delivery(m, interrupted, s), s.entries);
    while (!s.resumed && !s.gone) {
      if (s.step >= machine.bounds.max_steps) {
        out.cut = "max-steps bound " + std::to_string(machine.bounds.max_steps) + " reached";
        break;
      }
      CState before = s;
      StepEvent ev = step(m, s);
      steps.add(trace, describe_step(m, before, s, ev), s.entries);
    }
  } catch (const MachineStop& v) {
    InvariantId id = attribute_stop(v.kind, spec.invariants);
    if (!out.failures.count(id)) out.failures[id] = failure_at(program, s, v.message);
  } catch (const FailureRecorder::Stop&) {
  } catch (const PathCut& c) {
    out.cut = std::string(c.what());
  }
  out.resumed = s.resumed;
  trace.final_state = registers(m, s);
  if (s.resumed) trace.final_state["eip"] = s.resumed_eip.v;
  if (auto it = out.failures.find(stop_on); it != out.failures.end()) {
    describe_failure(it->second, trace);
    if (stop_on == InvariantId::Resume && s.resumed) {
      trace.expected = expected_context(m, interrupted, eip0, resume_expect);
      auto conditions = resume_conditions(m, s, interrupted, eip0, stack);
      apply_resume_expectations(m, s, interrupted, &resume_expect, conditions);
      trace.violated = failed_resume_conditions(conditions, scenario.start.resume_ignores);
    }
  }
  trace.inputs = d.used_inputs;
  trace.selectors = d.used_selectors;
  return out;
}

}  // namespace ec

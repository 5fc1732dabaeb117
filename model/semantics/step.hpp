// One small step: the instruction at s.pc, bound by operation to its rule.
#pragma once
#include "model/semantics/alu.hpp"
#include "model/semantics/control_flow.hpp"
#include "model/semantics/data_moves.hpp"
#include "model/semantics/events.hpp"
#include "model/semantics/string_moves.hpp"
#include "model/semantics/system.hpp"

namespace ec {

// The rule of each operation, bound by the instruction catalog
// (model/program/instructions.def): Family<D>(m).rule(s, ins). Each rule
// moves EIP itself.
template <class D>
void execute_instruction(Machine<D>& m, State<D>& s) {
  const Instruction& ins = m.current(s);
  if (m.d.decide(s.path, m.null_segment_access(s, ins))) return Events<D>(m).raise_fault(s, 13, m.d.c(0, 32));
  switch (ins.op) {
#define EC_INSTRUCTION(Name, Family, rule, ...) \
  case Op::Name: Family<D>(m).rule(s, ins); return;
#include "model/program/instructions.def"
  }
  EC_ASSERT(false, "an Op outside the instruction table");
}

// Runs the boundary events (an NMI may arrive) and then one instruction.
// Returns what happened, for traces.
template <class D>
StepEvent step(Machine<D>& m, State<D>& s) {
  m.event = StepEvent{};
  if (s.pc >= m.program.instructions.size())
    throw MachineStop{StopKind::RanOffProgram, "execution ran past the last instruction of the program"};
  Events<D>(m).maybe_nmi(s);
  for (auto* mon : m.monitors) mon->before_instruction(m, s);
  StepEvent nmi = m.event;
  m.event = StepEvent{};
  auto traced = s.tf;
  execute_instruction(m, s);
  // Single-step: an instruction that began with TF set traps after it
  // completes (SDM Vol.3 §17.3.1.4), unless it faulted instead, or loaded
  // SS: then the trap waits for the next instruction (FACTS §4, MOV SS).
  const bool shadow = s.ss_shadow;
  s.ss_shadow = false;
  if (!s.resumed && !s.gone && !shadow && m.event.kind != StepEvent::Kind::Exception && m.d.decide(s.path, traced)) {
    StepEvent done = m.event;
    Events<D>(m).deliver(s, 1, std::nullopt, m.d.c(m.program.address_of(s.pc), 32));
    m.event.detail = "single-step trap (#DB) after the instruction" + (done.detail.empty() ? "" : "; " + done.detail);
  }
  s.step += 1;
  if (nmi.kind == StepEvent::Kind::Nmi && m.event.kind == StepEvent::Kind::None) return nmi;
  if (nmi.kind == StepEvent::Kind::Nmi) m.event.detail = "NMI arrives; then " + m.event.detail;
  return m.event;
}

}  // namespace ec

// One small step: the instruction at s.pc, bound by operation to its rule.
#pragma once
#include "model/semantics/alu.hpp"
#include "model/semantics/control_flow.hpp"
#include "model/semantics/data_moves.hpp"
#include "model/semantics/events.hpp"
#include "model/semantics/string_moves.hpp"

namespace ec {

template <class D>
void execute_instruction(Machine<D>& m, State<D>& s) {
  const Instruction& ins = m.current(s);
  DataMoves<D> moves(m);
  ControlFlow<D> flow(m);
  switch (ins.op) {
    case Op::Mov: moves.mov(s, ins); return;
    case Op::Movzx: case Op::Movsx: moves.extend(s, ins); return;
    case Op::Lea: moves.lea(s, ins); return;
    case Op::Xchg: moves.xchg(s, ins); return;
    case Op::Push: moves.push(s, ins); return;
    case Op::Pop: moves.pop(s, ins); return;
    case Op::Pushf: moves.pushf(s); return;
    case Op::Popf: moves.popf(s); return;
    case Op::Add: case Op::Sub: case Op::And: case Op::Or: case Op::Xor: case Op::Not:
    case Op::Neg: case Op::Inc: case Op::Dec: case Op::Shl: case Op::Shr: case Op::Sar:
    case Op::Test: case Op::Cmp: case Op::Bt: case Op::Bts: case Op::Btr:
      Alu<D>(m).execute(s, ins);
      s.pc += 1;
      return;
    case Op::Jmp: flow.jmp(s, ins); return;
    case Op::Jcc: flow.jcc(s, ins); return;
    case Op::Call: flow.call(s, ins); return;
    case Op::Ret: flow.ret(s); return;
    case Op::Iret: Events<D>(m).iret(s); return;
    case Op::Movs: StringMoves<D>(m).execute(s, ins); return;
    case Op::Cld: s.df = m.d.f(); break;
    case Op::Std: s.df = m.d.t(); break;
    case Op::Cli: s.iflag = m.d.f(); break;
    case Op::Sti: s.iflag = m.d.t(); break;
    case Op::Nop: break;
    case Op::Sysexit: Events<D>(m).sysexit(s); return;
  }
  s.pc += 1;
}

// Runs the boundary events (an NMI may arrive) and then one instruction.
// Returns what happened, for traces.
template <class D>
StepEvent step(Machine<D>& m, State<D>& s) {
  m.event = StepEvent{};
  if (s.pc >= m.program.instructions.size())
    throw SemanticViolation{"resume", "execution ran past the last instruction of the program"};
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
  if (!s.resumed && !shadow && m.event.kind != StepEvent::Kind::Exception && m.d.decide(s.path, traced)) {
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

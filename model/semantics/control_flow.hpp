// jmp, jcc, call, ret: the only rules that choose the next instruction other
// than the one that follows.
#pragma once
#include "model/semantics/events.hpp"
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
struct ControlFlow {
  using V = typename D::Val;
  using B = typename D::Bool;
  using S = State<D>;
  Machine<D>& m;
  D& d;
  explicit ControlFlow(Machine<D>& machine) : m(machine), d(machine.d) {}

  // Jcc conditions (SDM "Jcc"): the low nibble of the opcode.
  B condition(const S& s, Cond c) {
    switch (c) {
      case Cond::O: return s.of;
      case Cond::NO: return d.lnot(s.of);
      case Cond::B: return s.cf;
      case Cond::AE: return d.lnot(s.cf);
      case Cond::E: return s.zf;
      case Cond::NE: return d.lnot(s.zf);
      case Cond::BE: return d.lor(s.cf, s.zf);
      case Cond::A: return d.land(d.lnot(s.cf), d.lnot(s.zf));
      case Cond::S: return s.sf;
      case Cond::NS: return d.lnot(s.sf);
      case Cond::P: return s.pf;
      case Cond::NP: return d.lnot(s.pf);
      case Cond::L: return d.lxor(s.sf, s.of);
      case Cond::GE: return d.lnot(d.lxor(s.sf, s.of));
      case Cond::LE: return d.lor(s.zf, d.lxor(s.sf, s.of));
      case Cond::G: return d.land(d.lnot(s.zf), d.lnot(d.lxor(s.sf, s.of)));
    }
    return d.f();
  }

  // An address computed at run time (indirect jump, ret) must be an
  // instruction of the program.
  size_t index_for(S& s, const V& target, const char* what) {
    return m.code_index(s, target, std::string(what) + " at " + m.at(s));
  }

  void jmp(S& s, const Instruction& ins) {
    if (ins.target) { s.pc = *ins.target; return; }
    // A tail call to a C function (an object's `jmp __switch_to`): the
    // function returns to our caller, which no handler contract describes yet.
    if (!ins.external_call.empty())
      throw PathCut("unsupported", "jump to the C function '" + ins.external_call + "' (a tail call) at " + m.at(s) +
                                       " is not modelled");
    s.pc = index_for(s, m.read_operand(s, ins.operands[0], 4), "indirect jump");
  }

  void jcc(S& s, const Instruction& ins) {
    s.pc = d.decide(s.path, condition(s, ins.cond)) ? *ins.target : s.pc + 1;
  }

  void call(S& s, const Instruction& ins) {
    if (!ins.external_call.empty()) { Events<D>(m).call_handler(s, ins); return; }
    if (!ins.target) throw PathCut("unsupported", "indirect call at " + m.at(s) + " is not modelled yet");
    m.push(s, d.c(m.program.address_of(s.pc + 1), 32));
    s.pc = *ins.target;
  }

  // RET (SDM "RET"): a rep prefix ("repz ret") changes nothing.
  void ret(S& s, const Instruction&) { s.pc = index_for(s, m.pop(s), "ret"); }
};

}  // namespace ec

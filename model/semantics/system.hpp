// Flags, barriers and system instructions: cld std cli sti clac stac, nop
// pause lfence, clts hlt sgdt verw. Privileged ones raise #GP(0) where the
// SDM says so.
#pragma once
#include "model/semantics/events.hpp"
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
struct System {
  using V = typename D::Val;
  using B = typename D::Bool;
  using S = State<D>;
  Machine<D>& m;
  D& d;
  explicit System(Machine<D>& machine) : m(machine), d(machine.d) {}

  // CLD/STD (SDM "CLD", "STD"): DF only.
  void cld(S& s, const Instruction&) { s.df = d.f(), s.pc += 1; }
  void std_(S& s, const Instruction&) { s.df = d.t(), s.pc += 1; }

  // CLI/STI (SDM "CLI", "STI"; protected mode, CR4.PVI = 0): IF changes
  // when CPL <= IOPL, else #GP(0).
  void cli(S& s, const Instruction&) { set_if(s, false); }
  void sti(S& s, const Instruction&) { set_if(s, true); }

  // NOP (also "nopl mem", "rep nop" = PAUSE), PAUSE and LFENCE (SDM "NOP",
  // "PAUSE", "LFENCE"): no architectural effect on the state the model
  // holds (LFENCE orders loads; speculation is not modelled).
  void nop(S& s, const Instruction&) { s.pc += 1; }

  void clac(S& s, const Instruction& ins) { unsupported(s, ins); }
  void stac(S& s, const Instruction& ins) { unsupported(s, ins); }
  void clts(S& s, const Instruction& ins) { unsupported(s, ins); }
  void hlt(S& s, const Instruction& ins) { unsupported(s, ins); }
  void sgdt(S& s, const Instruction& ins) { unsupported(s, ins); }
  void verw(S& s, const Instruction& ins) { unsupported(s, ins); }

 private:
  // Does CPL <= IOPL hold (always at CPL0)?
  B iopl_allows(const S& s) {
    if (s.cpl == 0) return d.t();
    return d.lnot(d.ult(d.extract(s.eflags_rest, 13, 12), d.c(static_cast<uint64_t>(s.cpl), 2)));
  }

  void set_if(S& s, bool value) {
    if (!d.decide(s.path, iopl_allows(s))) return Events<D>(m).raise_fault(s, 13, d.c(0, 32));
    s.iflag = value ? d.t() : d.f();
    s.pc += 1;
  }

  [[noreturn]] void unsupported(S& s, const Instruction& ins) {
    throw PathCut("unsupported", "unsupported instruction " + op_name(ins.op) + " at " + m.at(s));
  }
};

}  // namespace ec

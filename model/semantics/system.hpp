// Flags, barriers and system instructions: cld std cli sti clac stac, nop
// pause lfence, clts hlt sgdt verw. Privileged ones raise #GP(0) (or #UD)
// where the SDM says so.
#pragma once
#include <algorithm>

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

  // CLAC/STAC (SDM "CLAC", "STAC"): clear/set EFLAGS.AC (SMAP). #UD at
  // CPL > 0, and on a CPU without SMAP: the CPU profile must list the
  // feature X86_FEATURE_SMAP (Linux patches them in by ALTERNATIVE only
  // then).
  void clac(S& s, const Instruction&) { set_ac(s, false); }
  void stac(S& s, const Instruction&) { set_ac(s, true); }

  // CLTS (SDM "CLTS"): clears CR0.TS; #GP(0) at CPL > 0. CR0 is not held
  // (a read of it is an unknown value), so at CPL0 nothing else changes.
  void clts(S& s, const Instruction&) {
    if (s.cpl != 0) return gp0(s);
    s.pc += 1;
  }

  // HLT (SDM "HLT"): #GP(0) at CPL > 0. At CPL0 the CPU stops until an
  // interrupt; the code after it runs only if one arrives and returns. The
  // path ends here: the interrupted context is never resumed on it, which
  // the resume invariant reports (a halt is not a return).
  void hlt(S& s, const Instruction&) {
    if (s.cpl != 0) return gp0(s);
    throw MachineStop{StopKind::Halt, "HLT at " + m.at(s) +
                                          ": the CPU halts at CPL0, so the interrupted context is never resumed"};
  }

  // SGDT m (SDM "SGDT"): stores the GDTR's limit (word at +0) and base
  // (dword at +2), 32-bit operand size. The platform's GDTR comes from the
  // machine configuration; unknown, the path is cut rather than store a
  // made-up value. At CPL > 0 a CPU with CR4.UMIP = 1 raises #GP(0): either
  // may happen (the input sgdt.umip@step).
  void sgdt(S& s, const Instruction& ins) {
    if (s.cpl != 0 && d.decide(s.path, d.input_bool(m.step_name(s, "sgdt.umip")))) return gp0(s);
    if (!m.config.gdtr)
      throw PathCut("unsupported", "sgdt at " + m.at(s) + ": the platform's GDT base and limit are not known");
    ResolvedOperand base_at = ins.operands[0];
    base_at.disp += 2;
    m.write_operand(s, ins.operands[0], d.c(m.config.gdtr->limit, 16), 2);
    m.write_operand(s, base_at, d.c(m.config.gdtr->base, 32), 4);
    s.pc += 1;
  }

  // VERW r/m16 (SDM "VERW"): ZF = 1 if the selector names a data segment
  // writable at max(CPL, RPL), else 0; no fault for any selector (only the
  // memory read may fault). Null: 0. The spec's selectors are known (data
  // segments, assumed writable, as for SS); any other may or may not be
  // writable (the input verw.writable@step). Other flags stay. The CPU
  // buffer clear VERW also does (MDS) has no effect on the state modelled.
  void verw(S& s, const Instruction& ins) {
    V selector = m.read_operand(s, ins.operands[0], 2);
    s.zf = d.land(d.lnot(m.null_selector(selector)), writable_data(s, selector));
    s.pc += 1;
  }

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

  void gp0(S& s) { Events<D>(m).raise_fault(s, 13, d.c(0, 32)); }

  void set_ac(S& s, bool value) {
    if (s.cpl != 0 || !m.config.profile.features.count("X86_FEATURE_SMAP"))
      return Events<D>(m).raise_fault(s, 6, d.c(0, 32));
    s.eflags_rest = value ? d.bor(s.eflags_rest, d.c(FL_AC, 32)) : d.band(s.eflags_rest, d.c(~FL_AC, 32));
    s.pc += 1;
  }

  // Is this non-null selector a data segment writable at max(CPL, RPL)?
  B writable_data(const S& s, const V& selector) {
    B writable = d.input_bool(m.step_name(s, "verw.writable"));
    for (const auto& k : m.config.selectors) {
      int needed = std::max(s.cpl, static_cast<int>(k.value & 3));
      bool good = !k.code && k.dpl >= needed;
      writable = d.bool_ite(d.eq(selector, d.c(k.value, 16)), good ? d.t() : d.f(), writable);
    }
    return writable;
  }
};

}  // namespace ec

// movs{b,w,l} and rep movs (SDM "MOVS", "REP"): one iteration per step, so that
// every boundary between iterations is an instruction boundary where an
// NMI can arrive, with ECX/ESI/EDI showing the progress made.
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
struct StringMoves {
  using V = typename D::Val;
  using S = State<D>;
  Machine<D>& m;
  D& d;
  explicit StringMoves(Machine<D>& machine) : m(machine), d(machine.d) {}

  void iterate(S& s, int bytes) {
    uint32_t src = m.concrete(s, s.gpr[R_ESI], "movs source");
    uint32_t dst = m.concrete(s, s.gpr[R_EDI], "movs destination");
    V value = m.load(s, src, bytes, Access::CopySource);
    m.write(s, dst, value, bytes, Access::CopyDest, Writer::Instruction);
    V step = d.ite(s.df, d.c(0u - static_cast<uint32_t>(bytes), 32), d.c(static_cast<uint32_t>(bytes), 32));
    s.gpr[R_ESI] = d.add(s.gpr[R_ESI], step);
    s.gpr[R_EDI] = d.add(s.gpr[R_EDI], step);
  }

  // MOVSB/MOVSW/MOVSD, with rep/repe/repz/repne/repnz: GNU as emits F3 or
  // F2; for MOVS both repeat while ECX != 0 and ignore ZF (the SDM defines
  // F3 on MOVS; F2 with MOVS is run as REP by QEMU and CPUs, and the
  // differential test checks it against qemu-i386).
  void movs(S& s, const Instruction& ins) {
    if (!ins.rep) {
      iterate(s, ins.size);
      finish(s);
      return;
    }
    V zero = d.c(0, 32);
    if (d.decide(s.path, d.eq(s.gpr[R_ECX], zero))) {
      finish(s);
      return;
    }
    iterate(s, ins.size);
    s.gpr[R_ECX] = d.sub(s.gpr[R_ECX], d.c(1, 32));
    if (d.decide(s.path, d.eq(s.gpr[R_ECX], zero))) finish(s);
  }

  // The string instruction is done: the next copy starts afresh.
  void finish(S& s) {
    s.monitor.copy_source_region = s.monitor.copy_dest_region = -1;
    s.pc += 1;
  }
};

}  // namespace ec

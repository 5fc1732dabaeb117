// `cr3`: every IRET returns under the CR3 that was live when its entry
// interrupted the context, and with PTI an IRET to user mode runs under a
// user CR3. (Kernel-only memory touched under the user CR3 is a #PF in the
// semantics itself, reported under `cr3` too: see Machine::access.)
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
class Cr3Monitor : public Monitor<D> {
 public:
  void after_iret(Machine<D>& m, State<D>& s, const EntryRecord<typename D::Val>& entry) override {
    D& d = m.d;
    std::string where = s.pc < m.program.instructions.size() ? m.at(s) : std::string("the outermost IRET");
    m.require(s, InvariantId::Cr3, d.eq(s.cr3, entry.cr3),
              "IRET returns under a CR3 other than the one live when vector " + std::to_string(entry.vector) +
                  " interrupted the context");
    if (m.config.profile.pti && s.cpl == 3)
      m.require(s, InvariantId::Cr3, d.lnot(d.eq(d.band(s.cr3, d.c(m.config.pti.switch_mask, 32)), d.c(0, 32))),
                "IRET to user mode under the kernel CR3 (PTI)");
  }
};

}  // namespace ec

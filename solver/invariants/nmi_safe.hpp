// `nmi-safe`: nothing the code wrote below ESP before an NMI arrival point
// is read after it (an NMI there may have overwritten it); with ESP on the
// entry stack, the same holds for the top of the task stack, where Linux's
// NMI entry moves to. Each such read is
// an obligation "no NMI arrived at that point"; the NMI is free, so the
// obligation fails whenever the read happens.
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
class NmiSafeMonitor : public Monitor<D> {
 public:
  void at_boundary(Machine<D>& m, State<D>& s, const typename D::Bool&) override {
    uint32_t sp = m.esp(s);
    if (const Region* r = m.config.region_of(sp - 1)) expose(s, r->base, sp);
    // An NMI on the entry stack also runs at the top of the task stack.
    if (const Region* task = m.nmi_moves_to(sp))
      expose(s, task->top() - m.config.bounds.nmi_clobber_bytes, task->top());
  }

  void expose(State<D>& s, uint32_t from, uint32_t to) {
    for (auto it = s.mem.lower_bound(from); it != s.mem.end() && it->first < to; ++it)
      s.monitor.nmi_exposed[it->first] = s.step;
  }

  // A write by the code (or the CPU for it) makes the byte fresh again; the
  // bytes an NMI or a callee changes stay exposed (they are not the code's).
  void on_access(Machine<D>& m, State<D>& s, const MemoryAccess<D>& access) override {
    if (access.write && !access.by_code()) return;
    for (uint32_t a = access.address; a != access.address + access.bytes; ++a) {
      auto it = s.monitor.nmi_exposed.find(a);
      if (it == s.monitor.nmi_exposed.end()) continue;
      size_t point = it->second;
      if (access.write) {
        s.monitor.nmi_exposed.erase(it);
        continue;
      }
      m.require(s, InvariantId::NmiSafe, m.d.lnot(m.d.input_bool("nmi@" + std::to_string(point))),
                "reads " + hex32(a) + ", which lay below ESP when an NMI could arrive (before step " +
                    std::to_string(point) + "), at " + m.at(s));
      return;
    }
  }
};

}  // namespace ec

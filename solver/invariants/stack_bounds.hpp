// `stack-bounds`: every push, pop and hardware frame, the abstract NMI's
// frame and stack, and a C call's return address and stack lie inside one
// stack region, and every string copy stays inside the regions it started in.
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
class StackBoundsMonitor : public Monitor<D> {
 public:
  void on_access(Machine<D>& m, State<D>& s, const MemoryAccess<D>& a) override {
    if (a.kind == Access::Data || a.kind == Access::Foreign) return;
    D& d = m.d;
    int first = m.config.region_index(a.address);
    int last = m.config.region_index(a.address + a.bytes - 1);
    if (a.kind == Access::Stack) {
      bool ok = first >= 0 && first == last && m.config.regions[first].stack;
      // A conditional write (the NMI's) breaks the bound only when it happens.
      m.require(s, InvariantId::StackBounds, ok ? d.t() : d.lnot(a.when),
                std::string(a.write ? "push to " : "pop from ") + hex32(a.address) +
                    (a.bytes > 4 ? "-" + hex32(a.address + a.bytes - 1) : std::string()) + by_writer(a.by) +
                    " outside every stack region at " + m.where(s));
      return;
    }
    int& region = a.kind == Access::CopySource ? s.monitor.copy_source_region : s.monitor.copy_dest_region;
    if (region < 0) region = first;
    bool ok = first >= 0 && first == last && first == region;
    m.require(s, InvariantId::StackBounds, ok ? d.t() : d.f(),
              std::string(a.kind == Access::CopySource ? "copy reads " : "copy writes ") + hex32(a.address) +
                  (region >= 0 ? ", outside region " + m.config.regions[region].name + " where it started"
                               : ", outside every region") + ", at " + m.where(s));
  }
};

}  // namespace ec

// `stack-bounds`: every push, pop and hardware frame lies inside one stack
// region, and every string copy stays inside the regions it started in.
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
class StackBoundsMonitor : public Monitor<D> {
 public:
  void on_access(Machine<D>& m, State<D>& s, uint32_t address, int bytes, Access kind, bool write) override {
    D& d = m.d;
    int first = m.config.region_index(address);
    int last = m.config.region_index(address + static_cast<uint32_t>(bytes) - 1);
    std::string where = s.pc < m.program.instructions.size() ? m.at(s) : std::string("delivery");
    if (kind == Access::Stack) {
      bool ok = first >= 0 && first == last && m.config.regions[first].stack;
      m.require(s, InvariantId::StackBounds, ok ? d.t() : d.f(),
                std::string(write ? "push to " : "pop from ") + hex32(address) + " outside every stack region at " + where);
      return;
    }
    if (kind == Access::Data) return;
    int& region = kind == Access::CopySource ? s.monitor.copy_source_region : s.monitor.copy_dest_region;
    if (region < 0) region = first;
    bool ok = first >= 0 && first == last && first == region;
    m.require(s, InvariantId::StackBounds, ok ? d.t() : d.f(),
              std::string(kind == Access::CopySource ? "copy reads " : "copy writes ") + hex32(address) +
                  (region >= 0 ? ", outside region " + m.config.regions[region].name + " where it started"
                               : ", outside every region") + ", at " + where);
  }
};

}  // namespace ec

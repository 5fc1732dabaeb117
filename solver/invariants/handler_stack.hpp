// `handler-stack`: every C handler runs on the task stack, under the kernel
// CR3, with the kernel's per-CPU %fs.
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
class HandlerStackMonitor : public Monitor<D> {
 public:
  void before_handler(Machine<D>& m, State<D>& s, const HandlerContract& h) override {
    D& d = m.d;
    uint32_t sp = m.esp(s);
    const Region* task = m.config.region_named("task_stack");
    // The call's return address goes at ESP-4: that slot must be on the task stack.
    bool on_task = task && task->contains(sp - 4);
    m.require(s, "handler-stack", on_task ? d.t() : d.f(),
              "C handler " + h.name + " called with ESP " + hex32(sp) + ", not on the task stack");
    m.require(s, "handler-stack", d.eq(d.band(s.cr3, d.c(m.config.pti.switch_mask, 32)), d.c(0, 32)),
              "C handler " + h.name + " called under the user CR3");
    m.require(s, "handler-stack", d.eq(s.seg[SEG_FS], d.c(m.config.percpu_selector, 16)),
              "C handler " + h.name + " called without the kernel's per-CPU %fs");
  }
};

}  // namespace ec

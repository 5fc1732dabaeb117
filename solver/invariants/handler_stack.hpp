// `handler-stack`: handlers run, on the task stack, in the C environment.
// At every call to a C handler: the call's return-address slot (ESP-4) lies
// in `task_stack`; CR3 is a kernel CR3; %fs is the kernel's per-CPU
// selector; DF = 0 (the C ABI: gcc assumes it for every string
// instruction); TF = 0 (the kernel does not run single-stepped); and %ds =
// %es = the data selector the platform's C code expects
// (MachineConfig::handler_data_selector; Linux x86-32: __USER_DS).
// And every kernel entry (each IDT vector, unless the spec marks its gate
// `"calls_handler": false`, and SYSENTER) calls a C handler, while it is the
// innermost live entry, before the IRET or SYSEXIT that retires it.
// And a handler whose contract names its `regs` argument gets a pointer to
// the innermost entry's saved frame: read(regs + ip_offset, 4) is the EIP
// the CPU saved for that entry (EntryRecord::pushed_eip). SYSENTER saves no
// frame: its entry builds one, with the placeholder EIP 0 (Linux's
// entry_SYSENTER_32, examples/sysenter-tf), so the slot must hold 0. The
// pointer is made concrete (a stale one that is not fixed cuts the path:
// unknown); the frame may have been copied (e.g. to the task stack), the
// EIP slot of the copy is what counts.
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
    m.require(s, InvariantId::HandlerStack, on_task ? d.t() : d.f(),
              "C handler " + h.name + " called with ESP " + hex32(sp) + ", not on the task stack");
    m.require(s, InvariantId::HandlerStack, d.eq(d.band(s.cr3, d.c(m.config.pti.switch_mask, 32)), d.c(0, 32)),
              "C handler " + h.name + " called under the user CR3");
    m.require(s, InvariantId::HandlerStack, d.eq(s.seg[SEG_FS], d.c(m.config.percpu_selector, 16)),
              "C handler " + h.name + " called without the kernel's per-CPU %fs");
    m.require(s, InvariantId::HandlerStack, d.lnot(s.df), "C handler " + h.name + " called with DF set (the C ABI needs DF = 0)");
    m.require(s, InvariantId::HandlerStack, d.lnot(s.tf), "C handler " + h.name + " called with TF set (single-stepping the kernel)");
    if (m.config.handler_data_selector) {
      auto want = d.c(*m.config.handler_data_selector, 16);
      m.require(s, InvariantId::HandlerStack, d.eq(s.seg[SEG_DS], want),
                "C handler " + h.name + " called with %ds other than " + hex32(*m.config.handler_data_selector));
      m.require(s, InvariantId::HandlerStack, d.eq(s.seg[SEG_ES], want),
                "C handler " + h.name + " called with %es other than " + hex32(*m.config.handler_data_selector));
    }
    if (h.regs_named && !s.entries.empty()) check_regs(m, s, h, s.entries.back());
    if (!s.entries.empty()) s.entries.back().handler_called = true;
  }

  // The `regs` check (see the top of the file). A correct pointer (ESP, or
  // ESP kept in a register) is always concrete; one with no fixed address
  // cuts the path in m.concrete ("symbolic-address": unknown, never proved).
  void check_regs(Machine<D>& m, State<D>& s, const HandlerContract& h, const EntryRecord<typename D::Val>& entry) {
    D& d = m.d;
    uint32_t regs = m.concrete(s, s.gpr[h.regs_arg], "pt_regs pointer of " + h.name);
    auto ip = m.read(s, regs + h.ip_offset, 4);
    std::string what = entry.vector < 0 ? std::string("the SYSENTER entry's frame (EIP slot 0)")
                                        : "the frame of vector " + std::to_string(entry.vector);
    m.require(s, InvariantId::HandlerStack, d.eq(ip, entry.pushed_eip),
              "C handler " + h.name + " called with %" + std::string(gpr_name(h.regs_arg)) + " = " + hex32(regs) +
                  ", not a pointer to " + what + ": the EIP slot at +" + hex32(h.ip_offset) +
                  " is not the EIP saved at the entry");
  }

  void after_iret(Machine<D>& m, State<D>& s, const EntryRecord<typename D::Val>& entry) override {
    if (entry.handler_called) return;
    std::string what = entry.vector < 0 ? std::string("the SYSENTER entry") : "vector " + std::to_string(entry.vector);
    if (entry.vector >= 0) {
      auto gate = m.config.idt.find(entry.vector);
      if (gate != m.config.idt.end() && !gate->second.calls_handler) return;
      if (gate != m.config.idt.end()) what += " (entry " + gate->second.label + ")";
    }
    std::string where = s.pc < m.program.instructions.size() ? m.at(s) : std::string("the outermost return");
    m.require(s, InvariantId::HandlerStack, m.d.f(),
              what + " returns without calling a C handler (the return at " + where + ")");
  }
};

}  // namespace ec

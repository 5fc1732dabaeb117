// The state a scenario starts in: the interrupted context, with free inputs
// for everything the spec leaves open, and the hardware delivery of the
// event that interrupts it.
#pragma once
#include "model/semantics/events.hpp"

namespace ec {

template <class D>
State<D> interrupted_context(Machine<D>& m, const StartContext& start) {
  using B = typename D::Bool;
  D& d = m.d;
  State<D> s;
  for (int i = 0; i < kNumGeneral; ++i) s.gpr[i] = d.input("init." + std::string(gpr_name(i)), 32);
  for (int i = 0; i < kNumSegment; ++i) {
    auto it = start.segments.find(i);
    s.seg[i] = it != start.segments.end() ? d.c(it->second, 16)
                                           : d.input("init." + std::string(segment_name(i)), 16);
  }
  s.seg[SEG_CS] = start.free_cs ? d.input("init.cs", 16) : d.c(start.cs, 16);
  s.seg[SEG_SS] = start.free_ss ? d.input("init.ss", 16) : d.c(start.ss, 16);
  s.cpl = start.vm86 ? 3 : start.cs & 3;
  // Inside an NMI handler further NMIs are blocked until the next IRET
  // (SDM Vol.3 §6.7.1).
  s.nmi_blocked = start.in_nmi;
  // Only the PTI switch bit of CR3 matters to entry code: a kernel CR3 has
  // it clear, a user CR3 set (FACTS §7); the rest is free.
  s.cr3 = d.input("init.cr3", 32);
  B user_bit = d.lnot(d.eq(d.band(s.cr3, d.c(m.config.pti.switch_mask, 32)), d.c(0, 32)));
  s.path.push_back(start.user_cr3 && m.config.profile.pti ? user_bit : d.lnot(user_bit));
  s.eflags_rest = d.c(0, 32);
  s.resumed_eip = d.c(0, 32);
  m.set_eflags(s, d.input("init.eflags", 32),
               FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF | kEflagsRestMask);
  for (const auto& [bit, value] : start.flags) {
    auto b = bit == FL_TF ? s.tf : bit == FL_IF ? s.iflag : bit == FL_DF ? s.df : m.flag_set(s, bit);
    s.path.push_back(value ? b : d.lnot(b));
  }
  // EFLAGS.VM says whether the context runs in virtual-8086 mode; there EIP
  // stays within the 64 KiB CS limit (a jump beyond it faults first). An
  // external interrupt needs IF=1.
  s.path.push_back(start.vm86 ? m.flag_set(s, FL_VM) : d.lnot(m.flag_set(s, FL_VM)));
  if (start.vm86 && !start.eip) s.path.push_back(d.ult(d.input("init.eip", 32), d.c(0x10000, 32)));
  if (start.external_interrupt) s.path.push_back(s.iflag);
  if (start.esp) {
    s.gpr[R_ESP] = d.c(*start.esp, 32);
  } else if (const Region* r = m.config.region_named(start.stack_region); r && !start.vm86) {
    s.path.push_back(d.lnot(d.ult(s.gpr[R_ESP], d.c(r->base, 32))));
    s.path.push_back(d.ult(s.gpr[R_ESP], d.c(r->top(), 32)));
  }
  for (const auto& [address, value] : m.config.initial_dwords) m.write(s, address, d.c(value, 32), 4, Access::Foreign, Writer::Initial);
  return s;
}

// The interrupted EIP: the scenario's label, or any value.
template <class D>
typename D::Val interrupted_eip(Machine<D>& m, const StartContext& start) {
  return start.eip ? m.d.c(*start.eip, 32) : m.d.input("init.eip", 32);
}

// The hardware delivers the scenario's event to the interrupted context.
template <class D>
State<D> start_state(Machine<D>& m, const State<D>& interrupted, const StartContext& start, const typename D::Val& eip) {
  State<D> s = interrupted;
  if (start.sysenter) {
    auto traced = s.tf;
    Events<D>(m).sysenter(s);
    // SYSENTER keeps TF: the single-step trap hits before the handler's
    // first instruction, in kernel mode, on the SYSENTER stack (FACTS §5).
    if (m.d.decide(s.path, traced)) Events<D>(m).deliver(s, 1, std::nullopt, m.d.c(m.program.address_of(s.pc), 32));
    return s;
  }
  std::optional<typename D::Val> error_code;
  if (start.error_code) error_code = m.d.c(*start.error_code, 32);
  Events<D>(m).deliver(s, start.vector, error_code, eip);
  return s;
}

}  // namespace ec

// Hardware events: interrupt/exception delivery through a 32-bit interrupt
// gate, IRET, the abstract NMI, and calls to C handlers under a contract.
// Sources: SDM Vol.3 §6.12.1 (stack switch), Vol.2 "INT n" and "IRET"
// Operation, ../shared/reference/x86-semantics-facts.md §1-§4.
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
struct Events {
  using V = typename D::Val;
  using B = typename D::Bool;
  using S = State<D>;
  Machine<D>& m;
  D& d;
  explicit Events(Machine<D>& machine) : m(machine), d(machine.d) {}

  // Delivers `vector` through its IDT gate. return_eip is the EIP the frame
  // saves: the faulting instruction for faults, the next one otherwise.
  // Linux uses interrupt gates throughout, so IF is cleared.
  // fault: the image has RF set (SDM Vol.3 §17.3.1.1: "for any fault-class
  // exception except a debug exception ... the value pushed for RF is 1").
  void deliver(S& s, int vector, const std::optional<V>& error_code, const V& return_eip, bool fault = false) {
    auto gate = m.config.idt.find(vector);
    if (gate == m.config.idt.end())
      throw SemanticViolation{"resume", "vector " + std::to_string(vector) + " delivered at " +
                                            (s.pc < m.program.instructions.size() ? m.at(s) : std::string("start")) +
                                            " but the spec's IDT has no gate for it"};
    if (static_cast<int>(s.entries.size()) >= m.config.bounds.nesting)
      throw PathCut("nesting", "vector " + std::to_string(vector) + " would nest " +
                                   std::to_string(s.entries.size() + 1) + " entries deep (bound " +
                                   std::to_string(m.config.bounds.nesting) + ")" +
                                   (s.pc < m.program.instructions.size() ? " at " + m.at(s) : ""));
    V flags = m.eflags(s);
    if (fault) flags = d.bor(flags, d.c(FL_RF, 32));
    V old_cs = s.seg[SEG_CS];
    bool from_user = s.cpl != 0;
    if (from_user) {
      // Privilege change: the new stack comes from the TSS (ESP0 at +4, SS0 at +8).
      V old_ss = s.seg[SEG_SS];
      V old_esp = s.gpr[R_ESP];
      m.access(s, m.config.tss_base + 4, 8, Access::Data, false);
      s.gpr[R_ESP] = m.read(s, m.config.tss_base + 4, 4);
      s.seg[SEG_SS] = m.read(s, m.config.tss_base + 8, 2);
      m.push_selector(s, old_ss, "ss");
      m.push(s, old_esp);
    }
    m.push(s, flags);
    m.push_selector(s, old_cs, "cs");
    m.push(s, return_eip);
    // The upper half of the error code is reserved; CPUs write zero.
    if (error_code) m.push(s, d.zext(*error_code, 32));
    s.tf = d.f();
    s.iflag = d.f();
    s.eflags_rest = d.band(s.eflags_rest, d.c(~(FL_VM | FL_RF | FL_NT), 32));
    s.seg[SEG_CS] = d.c(m.config.kernel_cs, 16);
    s.cpl = 0;
    s.entries.push_back(EntryRecord<V>{vector, from_user, s.step, m.esp(s), s.cr3});
    s.pc = gate->second.entry_index;
    m.event = StepEvent{StepEvent::Kind::Exception, vector,
                        "vector " + std::to_string(vector) + (from_user ? " from user mode" : " from kernel mode")};
  }

  // SYSENTER from user mode (SDM "SYSENTER"; FACTS §5): CS, SS, EIP, ESP
  // from the MSRs, VM IF RF cleared, TF kept, nothing pushed.
  void sysenter(S& s) {
    const auto& msr = m.config.sysenter;
    if (!msr.present) throw SemanticViolation{"resume", "SYSENTER with no $.sysenter MSRs in the spec"};
    if ((msr.cs & 0xfffc) == 0) throw PathCut("unsupported", "SYSENTER with IA32_SYSENTER_CS = 0 raises #GP(0)");
    s.seg[SEG_CS] = d.c(msr.cs & 0xfffc, 16);
    s.seg[SEG_SS] = d.c((msr.cs + 8) & 0xffff, 16);
    s.gpr[R_ESP] = d.c(msr.esp, 32);
    s.iflag = d.f();
    s.eflags_rest = d.band(s.eflags_rest, d.c(~(FL_VM | FL_RF), 32));
    s.cpl = 0;
    s.entries.push_back(EntryRecord<V>{-1, true, s.step, msr.esp, s.cr3});
    s.pc = msr.eip_index;
    m.event = StepEvent{StepEvent::Kind::Exception, -1, "SYSENTER from user mode"};
  }

  // SYSEXIT (SDM "SYSEXIT"): back to CPL3 at EDX with ESP = ECX; the
  // selectors follow IA32_SYSENTER_CS. EFLAGS stays as it is.
  void sysexit(S& s) {
    if (s.cpl != 0) throw PathCut("unsupported", "SYSEXIT at CPL " + std::to_string(s.cpl) + " raises #GP(0)");
    const auto& msr = m.config.sysenter;
    EntryRecord<V> returned_from;
    returned_from.cr3 = s.cr3;
    if (!s.entries.empty()) {
      returned_from = s.entries.back();
      s.entries.pop_back();
    }
    V eip = s.gpr[R_EDX];
    s.seg[SEG_CS] = d.c((msr.cs + 16) | 3, 16);
    s.seg[SEG_SS] = d.c((msr.cs + 24) | 3, 16);
    s.gpr[R_ESP] = s.gpr[R_ECX];
    s.cpl = 3;
    if (!s.entries.empty())
      throw SemanticViolation{"resume", "SYSEXIT at " + m.at(s) + " leaves a nested entry (depth " +
                                            std::to_string(s.entries.size() + 1) + ") for user mode"};
    s.resumed = true;
    s.resumed_eip = eip;
    m.event = StepEvent{StepEvent::Kind::Resumed, -1, "SYSEXIT to user mode"};
    for (auto* mon : m.monitors) mon->after_iret(m, s, returned_from);
  }

  // A fault raised by the current instruction: nothing of it has happened,
  // the frame saves its own address.
  void raise_fault(S& s, int vector, const V& error_code) {
    const Instruction& ins = m.current(s);
    deliver(s, vector, vector_has_error_code(vector) ? std::optional<V>(error_code) : std::nullopt,
            d.c(ins.address, 32), /*fault=*/true);
  }

  // IRET at CPL0 (SDM "IRET" PROTECTED-MODE-RETURN). IRET's own faults and
  // the return to virtual-8086 mode are not modelled yet: such paths are cut.
  void iret(S& s) {
    V eip = m.pop(s);
    V cs = d.extract(m.pop(s), 15, 0);  // high half of the slot is discarded
    V flags = m.pop(s);
    // A frame an NMI or a sleeping handler overwrote can hold anything:
    // follow every VM and RPL it may hold. The outermost IRET ends the run,
    // so its VM bit only needs to reach the invariants (the interrupted
    // context never has VM set).
    bool outermost = s.entries.size() <= 1;
    if (!outermost && d.decide(s.path, d.bit(flags, 17)))
      throw PathCut("unsupported", "IRET to virtual-8086 mode at " + m.at(s) + " is not modelled yet");
    int rpl = 0;
    while (rpl < 3 && !d.decide(s.path, d.eq(d.band(cs, d.c(3, 16)), d.c(rpl, 16)))) ++rpl;
    if (rpl < s.cpl) throw PathCut("unsupported", "IRET to an inner privilege level at " + m.at(s));
    if (rpl > s.cpl) {
      V esp = m.pop(s);
      V ss = d.extract(m.pop(s), 15, 0);
      s.gpr[R_ESP] = esp;
      s.seg[SEG_SS] = ss;
      null_inner_segments(s, rpl);
    }
    // At CPL0 every flag loads, RF and VM included; bit 1 reads as one.
    m.set_eflags(s, flags, FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF |
                               FL_IOPL | FL_NT | FL_RF | FL_AC | FL_VIF | FL_VIP | FL_ID | (outermost ? uint32_t{FL_VM} : 0u));
    s.seg[SEG_CS] = cs;
    s.cpl = rpl;
    s.nmi_blocked = false;
    // With no live entry (a bare `exec` run) this IRET ends the run too.
    EntryRecord<V> returned_from;
    if (!s.entries.empty()) {
      returned_from = s.entries.back();
      s.entries.pop_back();
    } else {
      returned_from.cr3 = s.cr3;
    }
    if (s.entries.empty()) {
      s.resumed = true;
      s.resumed_eip = eip;
      m.event = StepEvent{StepEvent::Kind::Resumed, -1, "outermost IRET retired"};
      for (auto* mon : m.monitors) mon->after_iret(m, s, returned_from);
      return;
    }
    for (auto* mon : m.monitors) mon->after_iret(m, s, returned_from);
    s.pc = m.code_index(s, eip, "IRET at " + m.at(s) + " (nesting depth " + std::to_string(s.entries.size() + 1) + ")");
  }

  // Returning to an outer level nulls data segment registers the new CPL
  // may not use: here, the spec's kernel selectors with DPL < new CPL.
  void null_inner_segments(S& s, int new_cpl) {
    for (int i : {SEG_ES, SEG_DS, SEG_FS, SEG_GS}) {
      for (const auto& k : m.config.selectors) {
        if (k.dpl >= new_cpl) continue;
        s.seg[i] = d.ite(d.eq(s.seg[i], d.c(k.value, 16)), d.c(0, 16), s.seg[i]);
      }
    }
  }

  // The abstract NMI at an instruction boundary: it may or may not arrive;
  // if it does, it pushes its frame and runs its handler below ESP on the
  // current stack, and returns with registers and everything at or above
  // ESP unchanged. Only the bytes below ESP change, to anything.
  void maybe_nmi(S& s) {
    if (!m.config.bounds.nmi || s.nmi_blocked) return;
    B arrives = d.input_bool(m.step_name(s, "nmi"));
    for (auto* mon : m.monitors) mon->at_boundary(m, s, arrives);
    if (auto c = d.as_const(arrives); c && !*c) return;
    uint32_t sp = m.esp(s);
    clobber_below(s, arrives, sp);
    // Linux's NMI entry, finding itself on the entry stack, moves to the top
    // of the task stack and runs there (FACTS §4, `.Lnmi_from_sysenter_stack`).
    if (const Region* task = m.nmi_moves_to(sp)) clobber_below(s, arrives, task->top());
    if (d.as_const(arrives)) m.event = StepEvent{StepEvent::Kind::Nmi, 2, "NMI arrives"};
  }

  void clobber_below(S& s, const B& arrives, uint32_t top) {
    for (uint32_t i = 1; i <= m.config.bounds.nmi_clobber_bytes; ++i) {
      uint32_t a = top - i;
      s.mem[a] = d.ite(arrives, d.input(m.step_name(s, "nmi.byte." + hex32(a)), 8), m.read_byte(s, a));
    }
  }

  // A direct call to a C function: the spec's contract says what it may do.
  void call_handler(S& s, const Instruction& ins) {
    auto it = m.config.handlers.find(ins.external_call);
    if (it == m.config.handlers.end())
      throw InputError(ins.loc, "call to '" + ins.external_call + "', which has no handler contract in the spec");
    const HandlerContract& h = it->second;
    for (auto* mon : m.monitors) mon->before_handler(m, s, h);
    m.event = StepEvent{StepEvent::Kind::HandlerCall, -1, "call " + h.name};
    if (h.fixup) apply_fixup(s, h);
    uint32_t sp = m.esp(s);
    // The callee's frame, return address included, lies below ESP.
    for (uint32_t i = 1; i <= m.config.bounds.call_clobber_bytes; ++i)
      s.mem[sp - i] = d.input(m.step_name(s, "call.byte." + hex32(sp - i)), 8);
    if (h.may_sleep) clobber_entry_stack(s);
    for (int r : h.clobbers) s.gpr[r] = d.input(m.step_name(s, "call." + std::string(gpr_name(r))), 32);
    s.cf = d.input_bool(m.step_name(s, "call.cf"));
    s.pf = d.input_bool(m.step_name(s, "call.pf"));
    s.af = d.input_bool(m.step_name(s, "call.af"));
    s.zf = d.input_bool(m.step_name(s, "call.zf"));
    s.sf = d.input_bool(m.step_name(s, "call.sf"));
    s.of = d.input_bool(m.step_name(s, "call.of"));
    s.df = d.f();  // the C ABI returns with DF clear
    s.pc += 1;
  }

  // The kernel's fault handler for a kernel-mode fault: find regs->ip in the
  // exception table and resume at the fixup; no entry is an oops.
  void apply_fixup(S& s, const HandlerContract& h) {
    uint32_t regs = m.concrete(s, s.gpr[h.regs_arg], "pt_regs pointer");
    V ip = m.read(s, regs + h.ip_offset, 4);
    for (const auto& e : m.program.extable) {
      if (d.decide(s.path, d.eq(ip, d.c(e.from, 32)))) {
        m.write(s, regs + h.ip_offset, d.c(e.to, 32), 4);
        m.event.detail += " (exception-table fixup " + hex32(e.from) + " -> " + hex32(e.to) + ")";
        return;
      }
    }
    uint32_t at = m.concrete(s, ip, "faulting EIP");
    throw SemanticViolation{"resume", "kernel fault at " + hex32(at) + describe(at) +
                                          " has no exception-table entry (handler " + h.name + " at " +
                                          m.at(s) + ")"};
  }

  std::string describe(uint32_t address) const {
    auto index = m.program.index_of(address);
    if (!index) return "";
    const Instruction& ins = m.program.instructions[*index];
    return " (" + ins.loc.str() + ": " + ins.text + ")";
  }

  // A handler that sleeps lets other tasks use this CPU's entry stack.
  void clobber_entry_stack(S& s) {
    const Region* r = m.config.region_named("entry_stack");
    if (!r) return;
    for (uint32_t a = r->base; a != r->top(); ++a)
      s.mem[a] = d.input(m.step_name(s, "sleep.byte." + hex32(a)), 8);
  }
};

}  // namespace ec

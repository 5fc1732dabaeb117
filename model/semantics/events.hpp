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
      throw MachineStop{StopKind::NoIdtGate,
                        "vector " + std::to_string(vector) + " delivered at " +
                            (s.pc < m.program.instructions.size() ? m.at(s) : std::string("start")) +
                            " but the spec's IDT has no gate for it",
                        vector};
    if (static_cast<int>(s.entries.size()) >= m.config.bounds.nesting)
      throw PathCut("nesting", "vector " + std::to_string(vector) + " would nest " +
                                   std::to_string(s.entries.size() + 1) + " entries deep (bound " +
                                   std::to_string(m.config.bounds.nesting) + ")" +
                                   (s.pc < m.program.instructions.size() ? " at " + m.at(s) : ""));
    V flags = m.eflags(s);
    if (fault) flags = d.bor(flags, d.c(FL_RF, 32));
    V old_cs = s.seg[SEG_CS];
    bool from_user = s.cpl != 0;
    // Virtual-8086 mode runs at CPL3: only there can VM be set.
    bool from_vm86 = from_user && d.decide(s.path, m.flag_set(s, FL_VM));
    if (from_user) {
      // Privilege change: the new stack comes from the TSS (ESP0 at +4, SS0 at +8).
      V old_ss = s.seg[SEG_SS];
      V old_esp = s.gpr[R_ESP];
      m.access(s, m.config.tss_base + 4, 8, Access::Data, false, Writer::Delivery);
      s.gpr[R_ESP] = m.read(s, m.config.tss_base + 4, 4);
      s.seg[SEG_SS] = m.read(s, m.config.tss_base + 8, 2);
      // From virtual-8086 mode the data segment registers go first, each a
      // selector in a dword slot like CS and SS (SDM "INT n",
      // INTERRUPT-FROM-VIRTUAL-8086-MODE; FACTS §1).
      if (from_vm86) {
        m.push_selector(s, s.seg[SEG_GS], "gs", Writer::Delivery);
        m.push_selector(s, s.seg[SEG_FS], "fs", Writer::Delivery);
        m.push_selector(s, s.seg[SEG_DS], "ds", Writer::Delivery);
        m.push_selector(s, s.seg[SEG_ES], "es", Writer::Delivery);
      }
      m.push_selector(s, old_ss, "ss", Writer::Delivery);
      m.push(s, old_esp, 4, Writer::Delivery);
    }
    m.push(s, flags, 4, Writer::Delivery);
    m.push_selector(s, old_cs, "cs", Writer::Delivery);
    m.push(s, return_eip, 4, Writer::Delivery);
    // The upper half of the error code is reserved; CPUs write zero.
    if (error_code) m.push(s, d.zext(*error_code, 32), 4, Writer::Delivery);
    // The handler must not see real-mode segment values: they are nulled.
    if (from_vm86)
      for (int i : {SEG_GS, SEG_FS, SEG_DS, SEG_ES}) s.seg[i] = d.c(0, 16);
    s.tf = d.f();
    s.iflag = d.f();
    s.eflags_rest = d.band(s.eflags_rest, d.c(~(FL_VM | FL_RF | FL_NT), 32));
    s.seg[SEG_CS] = d.c(m.config.kernel_cs, 16);
    s.cpl = 0;
    // The CPU blocks further NMIs from an NMI's delivery until the next
    // IRET, whichever handler executes it (SDM Vol.3 §6.7.1).
    if (vector == 2) s.nmi_blocked = true;
    s.entries.push_back(
        EntryRecord<V>{vector, from_user, s.step, m.esp(s), s.cr3, false, return_eip, error_code.has_value(), from_vm86});
    s.pc = gate->second.entry_index;
    m.event = StepEvent{StepEvent::Kind::Exception, vector,
                        "vector " + std::to_string(vector) +
                            (from_vm86 ? " from virtual-8086 mode" : from_user ? " from user mode" : " from kernel mode")};
  }

  // SYSENTER from user mode (SDM "SYSENTER"; FACTS §5): CS, SS, EIP, ESP
  // from the MSRs, VM IF RF cleared, TF kept, nothing pushed.
  void sysenter(S& s) {
    const auto& msr = m.config.sysenter;
    if (!msr.present) throw MachineStop{StopKind::NoSysenterMsrs, "SYSENTER with no $.sysenter MSRs in the spec"};
    if ((msr.cs & 0xfffc) == 0) throw PathCut("unsupported", "SYSENTER with IA32_SYSENTER_CS = 0 raises #GP(0)");
    s.seg[SEG_CS] = d.c(msr.cs & 0xfffc, 16);
    s.seg[SEG_SS] = d.c((msr.cs + 8) & 0xffff, 16);
    s.gpr[R_ESP] = d.c(msr.esp, 32);
    s.iflag = d.f();
    s.eflags_rest = d.band(s.eflags_rest, d.c(~(FL_VM | FL_RF), 32));
    s.cpl = 0;
    s.entries.push_back(EntryRecord<V>{-1, true, s.step, msr.esp, s.cr3, false, d.c(0, 32)});
    s.pc = msr.eip_index;
    m.event = StepEvent{StepEvent::Kind::Exception, -1, "SYSENTER from user mode"};
  }

  // SYSEXIT (SDM "SYSEXIT"): back to CPL3 at EDX with ESP = ECX; the
  // selectors follow IA32_SYSENTER_CS. EFLAGS stays as it is. #GP(0) at
  // CPL > 0.
  void sysexit(S& s, const Instruction&) {
    if (s.cpl != 0) return raise_fault(s, 13, d.c(0, 32));
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
      throw MachineStop{StopKind::SysexitNested, "SYSEXIT at " + m.at(s) + " leaves a nested entry (depth " +
                                            std::to_string(s.entries.size() + 1) + ") for user mode"};
    s.resumed = true;
    s.resumed_eip = eip;
    m.event = StepEvent{StepEvent::Kind::Resumed, -1, "SYSEXIT to user mode"};
    for (auto* mon : m.monitors) mon->after_iret(m, s, returned_from);
  }

  // INT3 (SDM "INT n/INTO/INT3/INT1"): a trap through vector 3 (#BP) whose
  // frame saves the next instruction's EIP; no error code. The gate's DPL
  // check (CPL > DPL is #GP) is not modelled: the spec's IDT has no DPLs,
  // and Linux's #BP gate is DPL 3.
  void int3(S& s, const Instruction&) { deliver(s, 3, std::nullopt, d.c(m.program.address_of(s.pc + 1), 32)); }

  // UD2 (SDM "UD2"): raises #UD (vector 6), a fault: the frame saves UD2's
  // own EIP.
  void ud2(S& s, const Instruction&) { raise_fault(s, 6, d.c(0, 32)); }

  // A fault raised by the current instruction: nothing of it has happened,
  // the frame saves its own address.
  void raise_fault(S& s, int vector, const V& error_code) {
    const Instruction& ins = m.current(s);
    deliver(s, vector, vector_has_error_code(vector) ? std::optional<V>(error_code) : std::nullopt,
            d.c(ins.address, 32), /*fault=*/true);
  }

  // IRET (SDM "IRET"; FACTS §3). At CPL0 a popped EFLAGS with VM set
  // returns to virtual-8086 mode; anything else is PROTECTED-MODE-RETURN,
  // whose selector checks may raise #GP. A faulting IRET changes nothing but
  // NMI blocking: the fault is taken at CPL0 below the IRET frame.
  // (IRET executed *in* virtual-8086 mode, with its IOPL check, is not entry
  // code and is not modelled.)
  void iret(S& s, const Instruction&) {
    const uint32_t frame = m.esp(s);
    V eip = m.pop(s);
    V cs = d.extract(m.pop(s), 15, 0);  // high half of the slot is discarded
    V flags = m.pop(s);
    // A frame an NMI or a sleeping handler overwrote can hold anything:
    // follow every VM bit and RPL it may hold.
    if (s.cpl == 0 && d.decide(s.path, d.bit(flags, 17))) {
      iret_to_vm86(s, frame, eip, cs, flags);
      return;
    }
    // CS: null is #GP(0); RPL < CPL, or a descriptor that is not a code
    // segment of DPL = RPL, is #GP(CS).
    if (d.decide(s.path, m.null_selector(cs))) return iret_fault(s, frame, d.c(0, 32), "a null CS");
    int rpl = 0;
    while (rpl < 3 && !d.decide(s.path, d.eq(d.band(cs, d.c(3, 16)), d.c(rpl, 16)))) ++rpl;
    if (rpl < s.cpl) return iret_fault(s, frame, m.selector_error(cs), "CS.RPL < CPL");
    if (d.decide(s.path, cs_faults(s, cs, rpl))) return iret_fault(s, frame, m.selector_error(cs), "an invalid CS");
    if (rpl > s.cpl) {
      V esp = m.pop(s);
      V ss = d.extract(m.pop(s), 15, 0);
      // SS of an outer-level return: null is #GP(0); RPL or DPL other than
      // CS.RPL, or not a writable data segment, is #GP(SS).
      if (d.decide(s.path, m.null_selector(ss))) return iret_fault(s, frame, d.c(0, 32), "a null SS");
      if (d.decide(s.path, m.stack_segment_faults(s, ss, rpl, "iret.ss_invalid")))
        return iret_fault(s, frame, m.selector_error(ss), "an invalid SS");
      s.gpr[R_ESP] = esp;
      s.seg[SEG_SS] = ss;
      null_inner_segments(s, rpl);
    }
    // At CPL0 every flag loads (VM is 0 here); at CPL3 VM, VIF, VIP and IOPL
    // stay, and IF loads only if IOPL allows it (IRET at CPL3 is reached
    // only after an IRET to user mode inside a nested entry).
    uint32_t writable = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT | FL_RF | FL_AC | FL_ID;
    if (s.cpl == 0) writable |= FL_IOPL | FL_VM | FL_VIF | FL_VIP;
    m.load_if(s, flags);
    m.set_eflags(s, flags, writable);
    s.seg[SEG_CS] = cs;
    s.cpl = rpl;
    s.nmi_blocked = false;
    iret_retired(s, eip, "IRET");
  }

  // RETURN-TO-VIRTUAL-8086-MODE (SDM "IRET"; FACTS §3): after EIP, CS and
  // EFLAGS, pop ESP, SS, ES, DS, FS, GS (low 16 bits of each slot), load
  // every flag, CPL 3. No descriptor is checked (real-mode style loads).
  // EIP beyond the 64 KiB limit: the SDM says #GP(0), QEMU masks it; the
  // model takes #GP(0) or loads it whole (input iret.eip_limit_gp@step).
  void iret_to_vm86(S& s, uint32_t frame, const V& eip, const V& cs, const V& flags) {
    B beyond = d.lnot(d.ult(eip, d.c(0x10000, 32)));
    if (d.decide(s.path, d.land(beyond, d.input_bool(m.step_name(s, "iret.eip_limit_gp")))))
      return iret_fault(s, frame, d.c(0, 32), "an EIP beyond the virtual-8086 CS limit");
    V esp = m.pop(s);
    V ss = d.extract(m.pop(s), 15, 0);
    V es = d.extract(m.pop(s), 15, 0);
    V ds = d.extract(m.pop(s), 15, 0);
    V fs = d.extract(m.pop(s), 15, 0);
    V gs = d.extract(m.pop(s), 15, 0);
    m.set_eflags(s, flags, FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF | kEflagsRestMask);
    s.gpr[R_ESP] = esp;
    s.seg[SEG_CS] = cs;
    s.seg[SEG_SS] = ss;
    s.seg[SEG_ES] = es;
    s.seg[SEG_DS] = ds;
    s.seg[SEG_FS] = fs;
    s.seg[SEG_GS] = gs;
    s.cpl = 3;
    s.nmi_blocked = false;
    if (s.entries.size() > 1)
      throw MachineStop{StopKind::IretToVm86Nested, "IRET at " + m.at(s) + " (nesting depth " + std::to_string(s.entries.size()) +
                                            ") returns to virtual-8086 mode, not to the kernel code its entry "
                                            "interrupted"};
    iret_retired(s, eip, "IRET to virtual-8086 mode");
  }

  // The IRET has retired: pop the entry it returns from; the outermost one
  // ends the run.
  void iret_retired(S& s, const V& eip, const std::string& what) {
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
      m.event = StepEvent{StepEvent::Kind::Resumed, -1, "outermost " + what + " retired"};
      for (auto* mon : m.monitors) mon->after_iret(m, s, returned_from);
      return;
    }
    for (auto* mon : m.monitors) mon->after_iret(m, s, returned_from);
    s.pc = m.code_index(s, eip, "IRET at " + m.at(s) + " (nesting depth " + std::to_string(s.entries.size() + 1) + ")");
  }

  // A faulting IRET: a fault at the IRET's privilege level before any state
  // change, so ESP is back at the IRET frame, which stays above the #GP
  // frame; the saved EIP is the IRET's (FACTS §3). The SDM has IRET unblock
  // NMIs even when it faults; more NMIs is the safe side anyway.
  void iret_fault(S& s, uint32_t frame, const V& error_code, const std::string& why) {
    s.gpr[R_ESP] = d.c(frame, 32);
    s.nmi_blocked = false;
    raise_fault(s, 13, error_code);
    m.event.detail = "IRET raises #GP on " + why + "; " + m.event.detail;
  }


  // May IRET's CS (not null, RPL >= CPL) fault? The spec's selectors are
  // known: a code segment (KnownSelector::code) of DPL = RPL loads, anything
  // else faults (SDM; QEMU requires DPL = RPL for non-conforming code). Any
  // other selector may or may not name a valid code segment, chosen freely
  // at each IRET (input iret.cs_invalid@step). Not seg_valid: an
  // execute-only code segment is a valid CS but cannot be loaded into a data
  // segment register, so tying the two would drop behaviours.
  B cs_faults(S& s, const V& cs, int rpl) {
    B faults = d.input_bool(m.step_name(s, "iret.cs_invalid"));
    for (const auto& k : m.config.selectors) {
      bool good = k.code && k.dpl == rpl;
      faults = d.bool_ite(d.eq(cs, d.c(k.value, 16)), good ? d.f() : d.t(), faults);
    }
    // The kernel's own CS is a code segment whatever the spec lists.
    bool kernel_good = (m.config.kernel_cs & 3) == rpl;
    return d.bool_ite(d.eq(cs, d.c(m.config.kernel_cs, 16)), kernel_good ? d.f() : d.t(), faults);
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
    if (m.config.nmi_encoding == MachineConfig::NmiEncoding::PerArrival && !s.nmi_arrived) {
      // Fork: this path's first NMI arrives here, or not yet. The union over
      // all first-arrival points is every subset the symbolic encoding covers.
      s.nmi_arrived = d.decide(s.path, arrives);
      arrives = s.nmi_arrived ? d.t() : d.f();
    }
    for (auto* mon : m.monitors) mon->at_boundary(m, s, arrives);
    if (auto c = d.as_const(arrives); c && !*c) return;
    uint32_t sp = m.esp(s);
    // The NMI's frame and its handler's stack, below ESP on the current
    // stack: stack writes like any push (stack-bounds, the PTI rule).
    m.clobber(s, sp - m.config.bounds.nmi_clobber_bytes, m.config.bounds.nmi_clobber_bytes, Access::Stack, Writer::Nmi,
              arrives, "nmi.byte.");
    // Linux's NMI entry, finding itself on the entry stack, switches to the
    // kernel CR3 and moves to the top of the task stack and runs there
    // (FACTS §4, `.Lnmi_from_sysenter_stack`): bytes of its own stack.
    if (const Region* task = m.nmi_moves_to(sp))
      m.clobber(s, task->top() - m.config.bounds.nmi_clobber_bytes, m.config.bounds.nmi_clobber_bytes, Access::Foreign,
                Writer::Nmi, arrives, "nmi.byte.");
    if (d.as_const(arrives)) m.event = StepEvent{StepEvent::Kind::Nmi, 2, "NMI arrives"};
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
    // The frame the function may rewrite, found before the clobbers change
    // the argument register.
    std::optional<uint32_t> regs;
    if (!h.frame_writes.empty()) regs = m.concrete(s, s.gpr[h.regs_arg], "pt_regs pointer");
    uint32_t sp = m.esp(s);
    // The callee's frame lies below ESP: the call's return address, then
    // the stack the C function uses (up to bounds.call_clobber_bytes).
    uint32_t frame = std::max<uint32_t>(m.config.bounds.call_clobber_bytes, 4);
    m.clobber(s, sp - 4, 4, Access::Stack, Writer::HandlerCall, d.t(), "call.byte.");
    m.clobber(s, sp - frame, frame - 4, Access::Stack, Writer::HandlerBody, d.t(), "call.byte.");
    if (h.may_sleep) clobber_entry_stack(s);
    for (int r : h.clobbers) s.gpr[r] = d.input(m.step_name(s, "call." + std::string(gpr_name(r))), 32);
    s.cf = d.input_bool(m.step_name(s, "call.cf"));
    s.pf = d.input_bool(m.step_name(s, "call.pf"));
    s.af = d.input_bool(m.step_name(s, "call.af"));
    s.zf = d.input_bool(m.step_name(s, "call.zf"));
    s.sf = d.input_bool(m.step_name(s, "call.sf"));
    s.of = d.input_bool(m.step_name(s, "call.of"));
    s.df = d.f();  // the C ABI returns with DF clear
    apply_contract_effects(s, h, regs);
    if (!h.returns) {
      s.gone = true;
      m.event.detail += " (does not return: the path ends here)";
      return;
    }
    s.pc += 1;
  }

  // What the contract says the function leaves behind beyond the C ABI:
  // return values and rewritten frame fields.
  void apply_contract_effects(S& s, const HandlerContract& h, std::optional<uint32_t> regs) {
    for (const auto& [r, value] : h.return_values)
      s.gpr[r] = contract_value(s, "call.ret." + std::string(gpr_name(r)), 32, value);
    for (const auto& w : h.frame_writes) {
      V v = contract_value(s, "call.regs." + w.field, 8 * w.bytes, w.value);
      m.write(s, *regs + w.offset, v, w.bytes, Access::Data, Writer::HandlerBody);
      // Only the outermost entry's frame holds the interrupted context.
      if (s.entries.size() == 1 && !w.context.empty()) s.context_rewrites[w.context] = v;
    }
  }

  // A value the function may produce: any (a free input), or one of the
  // contract's list (a branch per value; the last one is assumed, so no
  // branch outside the list is ever explored).
  V contract_value(S& s, const std::string& name, int width, const ContractValue& value) {
    V v = d.input(m.step_name(s, name), width);
    if (value.one_of.empty()) return v;
    for (size_t i = 0; i + 1 < value.one_of.size(); ++i)
      if (d.decide(s.path, d.eq(v, d.c(value.one_of[i], width)))) return d.c(value.one_of[i], width);
    B last = d.eq(v, d.c(value.one_of.back(), width));
    if (auto known = d.as_const(last); known && !*known)
      throw PathCut("contract", name + " holds a value the contract of the called function does not allow");
    s.path.push_back(last);
    return d.c(value.one_of.back(), width);
  }

  // The kernel's fault handler for a kernel-mode fault: find regs->ip in the
  // exception table and resume at the fixup; no entry is an oops.
  void apply_fixup(S& s, const HandlerContract& h) {
    uint32_t regs = m.concrete(s, s.gpr[h.regs_arg], "pt_regs pointer");
    V ip = m.read(s, regs + h.ip_offset, 4);
    for (const auto& e : m.program.extable) {
      if (d.decide(s.path, d.eq(ip, d.c(e.from, 32)))) {
        // Only EX_TYPE_DEFAULT is modelled: FAULT and POP_ZERO change
        // registers the model does not follow here (docs/object-input.md).
        if (e.type != ExtableType::Default)
          throw PathCut("unsupported", "exception-table entry of type " + extable_type_name(e.type) + " at " +
                                           hex32(e.from) + describe(e.from) + " is not modelled");
        m.write(s, regs + h.ip_offset, d.c(e.to, 32), 4, Access::Data, Writer::HandlerBody);
        m.event.detail += " (exception-table fixup " + hex32(e.from) + " -> " + hex32(e.to) + ")";
        return;
      }
    }
    // Any EIP no entry names is an oops: no need to pin it down (a frame
    // from user mode taken for a kernel one may hold any EIP).
    auto known = d.as_const(ip);
    std::string where = known ? hex32(static_cast<uint32_t>(*known)) + describe(static_cast<uint32_t>(*known))
                              : std::string("an EIP");
    throw MachineStop{StopKind::KernelFaultNoFixup, "kernel fault at " + where + " has no exception-table entry (handler " +
                                          h.name + " at " + m.at(s) + ")"};
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
    m.clobber(s, r->base, r->top() - r->base, Access::Foreign, Writer::OtherTask, d.t(), "sleep.byte.");
  }
};

}  // namespace ec

// The context every semantic rule runs in: the domain, the program, the
// machine configuration, and helpers for memory, registers, operands and
// EFLAGS shared by the instruction families.
#pragma once
#include <algorithm>
#include <cstdio>
#include <string>

#include "model/machine/domain.hpp"
#include "model/base/hex.hpp"
#include "model/base/invariant_ids.hpp"
#include "model/machine/machine_config.hpp"
#include "model/program/program.hpp"
#include "model/machine/state.hpp"

namespace ec {

// Why the machine cannot go on along a path: a fact about the hardware and
// the program, not a judgement. solver/invariants decides which invariant
// each kind breaks (invariant_broken_by); the explorer turns it into a verdict.
enum class StopKind : uint8_t {
  RanOffProgram,       // EIP walked past the last instruction
  Halt,                // HLT at CPL0: the interrupted context never resumes
  NoIdtGate,           // a vector delivered that the spec's IDT has no gate for
  NoSysenterMsrs,      // SYSENTER with no $.sysenter MSRs
  SysexitNested,       // SYSEXIT to user mode with a nested entry live
  IretToVm86Nested,    // IRET to virtual-8086 mode from a nested entry
  KernelFaultNoFixup,  // a kernel-mode fault the exception table does not cover: an oops
  UserCr3KernelAccess, // #PF: kernel-only memory touched under the user CR3
  JumpOutsideProgram,  // IRET/ret/jmp* to an address that is not an instruction
};

struct MachineStop {
  StopKind kind;
  std::string message;
  int vector = -1;  // the vector involved, where there is one
};

// What a step did beyond its instruction, for traces.
struct StepEvent {
  enum class Kind { None, Exception, HandlerCall, Nmi, Resumed };
  Kind kind = Kind::None;
  int vector = -1;
  std::string detail;
};

// How memory is touched. Stack: a push, a pop, a hardware frame, and the
// stack an NMI handler or a called C function uses below ESP. Foreign: bytes
// changed by code that runs on its own stack under its own CR3 (another
// task while a handler sleeps; the NMI handler after it moved to the task
// stack); the spec's initial memory. Neither stack-bounds nor the PTI rule
// applies to Foreign bytes.
enum class Access { Data, Stack, CopySource, CopyDest, Foreign };

// Who writes (every writer goes through Machine::write or Machine::clobber).
enum class Writer { Instruction, Delivery, Nmi, HandlerCall, HandlerBody, OtherTask, Initial };
// " by <writer>" for messages; nothing for the code's own instructions
// (the location says which).
inline std::string writer_name(Writer w);
inline std::string by_writer(Writer w) { return w == Writer::Instruction ? std::string() : " by " + writer_name(w); }
inline std::string writer_name(Writer w) {
  switch (w) {
    case Writer::Instruction: return "the instruction";
    case Writer::Delivery: return "the CPU's exception frame";
    case Writer::Nmi: return "the NMI";
    case Writer::HandlerCall: return "the C call's return address";
    case Writer::HandlerBody: return "the C handler";
    case Writer::OtherTask: return "another task";
    case Writer::Initial: return "the initial memory";
  }
  return "?";
}

// One access as the monitors see it. A write happens only when `when`
// holds (the abstract NMI's clobber: only if the NMI arrives); reads and
// unconditional writes have when = true.
template <class D>
struct MemoryAccess {
  uint32_t address = 0;
  uint32_t bytes = 0;
  Access kind = Access::Data;
  bool write = false;
  Writer by = Writer::Instruction;
  typename D::Bool when;
  // The code under check (or the CPU on its behalf) made this write: it
  // re-establishes what nmi-safe tracks, unlike an NMI's or a callee's bytes.
  bool by_code() const { return by == Writer::Instruction || by == Writer::Delivery; }
};

template <class D>
struct Machine;

// Invariants are instrumentation: monitors watch these events and state
// what must hold through a Reporter; they never change the semantics.
template <class D>
struct Monitor {
  using B = typename D::Bool;
  virtual ~Monitor() = default;
  virtual void before_instruction(Machine<D>&, State<D>&) {}
  virtual void at_boundary(Machine<D>&, State<D>&, const B& nmi_arrives) {}
  virtual void on_access(Machine<D>&, State<D>&, const MemoryAccess<D>&) {}
  virtual void before_handler(Machine<D>&, State<D>&, const HandlerContract&) {}
  virtual void after_iret(Machine<D>&, State<D>&, const EntryRecord<typename D::Val>& returned_from) {}
};

// Where monitors send their obligations: the symbolic explorer checks
// whether `holds` can fail on the path, the concrete run whether it fails.
template <class D>
struct Reporter {
  virtual ~Reporter() = default;
  virtual void require(State<D>& s, InvariantId invariant, const typename D::Bool& holds,
                       const std::string& message) = 0;
};

template <class D>
struct Machine {
  using V = typename D::Val;
  using B = typename D::Bool;
  using S = State<D>;

  D& d;
  const Program& program;
  const MachineConfig& config;
  StepEvent event;  // set by the rule that ran, reset before each step
  std::vector<Monitor<D>*> monitors = {};
  Reporter<D>* reporter = nullptr;

  void require(S& s, InvariantId invariant, const B& holds, const std::string& message) {
    if (reporter) reporter->require(s, invariant, holds, message);
  }

  // Every access, read or write, announced before it happens: to every
  // monitor, then the PTI rule. Under PTI with the user CR3 live, memory
  // outside the user-mapped regions is not mapped: the access raises #PF,
  // which in entry code is an oops (FACTS §7); the monitors see the access
  // first, so a push off the stack is a stack-bounds violation too. Writes
  // announce themselves from the funnel below; reads call this (or load).
  void access(S& s, const MemoryAccess<D>& a) {
    for (auto* mon : monitors) mon->on_access(*this, s, a);
    if (config.profile.pti && a.kind != Access::Foreign) check_user_mapped(s, a);
  }
  void access(S& s, uint32_t address, int bytes, Access kind, bool write, Writer by = Writer::Instruction) {
    access(s, MemoryAccess<D>{address, static_cast<uint32_t>(bytes), kind, write, by, d.t()});
  }
  void check_user_mapped(S& s, const MemoryAccess<D>& a) {
    const Region* r = config.region_of(a.address);
    if (r && r->user_mapped && r->contains(a.address + a.bytes - 1)) return;
    B user_cr3 = d.lnot(d.eq(d.band(s.cr3, d.c(config.pti.switch_mask, 32)), d.c(0, 32)));
    if (d.decide(s.path, d.land(user_cr3, a.when)))
      throw MachineStop{StopKind::UserCr3KernelAccess, "#PF: " + std::string(a.write ? "write to " : "read of ") + hex32(a.address) +
                                         by_writer(a.by) + " (" +
                                         (r ? "region " + r->name : std::string("no region")) +
                                         ", not mapped under the user CR3) at " + where(s)};
  }
  std::string where(const S& s) const { return s.pc < program.instructions.size() ? at(s) : std::string("delivery"); }

  const Instruction& current(const S& s) const { return program.instructions.at(s.pc); }
  std::string at(const S& s) const { return current(s).loc.str(); }
  std::string step_name(const S& s, const std::string& what) const {
    return what + "@" + std::to_string(s.step);
  }

  // ---- memory: bytes, little-endian; unwritten bytes are inputs "mem0@addr" ----
  V read_byte(const S& s, uint32_t a) {
    auto it = s.mem.find(a);
    if (it != s.mem.end()) return it->second;
    return d.input("mem0@" + hex32(a), 8);
  }
  V read(const S& s, uint32_t a, int bytes) {
    V v = read_byte(s, a);
    for (int i = 1; i < bytes; ++i) v = d.concat(read_byte(s, a + i), v);
    return v;
  }
  V load(S& s, uint32_t a, int bytes, Access kind) {
    access(s, a, bytes, kind, false);
    return read(s, a, bytes);
  }

  // ---- the write funnel: the only code that changes State::mem ----
  // A write of v (bytes <= 4, little-endian), announced to every monitor
  // and the PTI rule first; `span` (if larger) is what the access covers
  // (a selector stored into a dword slot, the upper half left as it was).
  void write(S& s, uint32_t a, const V& v, int bytes, Access kind, Writer by, int span = 0) {
    access(s, MemoryAccess<D>{a, static_cast<uint32_t>(std::max(bytes, span)), kind, true, by, d.t()});
    for (int i = 0; i < bytes; ++i) s.mem.put(a + i, d.extract(v, 8 * i + 7, 8 * i));
  }
  // `count` bytes from `from` up become anything (fresh inputs named
  // input_prefix + address), when `when` holds; otherwise they keep their
  // value. One announcement for the whole range.
  void clobber(S& s, uint32_t from, uint32_t count, Access kind, Writer by, const B& when,
               const std::string& input_prefix) {
    if (count == 0) return;
    access(s, MemoryAccess<D>{from, count, kind, true, by, when});
    auto always = d.as_const(when);
    for (uint32_t a = from; a != from + count; ++a) {
      V fresh = d.input(step_name(s, input_prefix + hex32(a)), 8);
      s.mem.put(a, always && *always ? fresh : d.ite(when, fresh, read_byte(s, a)));
    }
  }
  uint32_t concrete(S& s, const V& v, const std::string& what) {
    if (auto c = d.as_const(v)) return static_cast<uint32_t>(*c);
    return d.concretize(s.path, v, what + " at " + at(s));
  }

  // ---- registers ----
  V get_reg(const S& s, Reg r) const {
    const RegInfo& info = reg_info(r);
    switch (info.family) {
      case RegFamily::Segment: return s.seg[info.index];
      case RegFamily::Control:
        if (r == Reg::CR3) return s.cr3;
        return d.c(0, 32);
      case RegFamily::General: break;
    }
    const V& full = s.gpr[info.index];
    if (info.width_bits == 32) return full;
    if (info.high_byte) return d.extract(full, 15, 8);
    return d.extract(full, info.width_bits - 1, 0);
  }
  // Writes of 8/16-bit registers keep the rest of the 32-bit register.
  void set_reg(S& s, Reg r, const V& v) {
    const RegInfo& info = reg_info(r);
    if (info.family == RegFamily::Segment) { s.seg[info.index] = v; return; }
    if (info.family == RegFamily::Control) {
      if (r == Reg::CR3) s.cr3 = v;
      return;
    }
    V& full = s.gpr[info.index];
    if (info.width_bits == 32) full = v;
    else if (info.width_bits == 16) full = d.concat(d.extract(full, 31, 16), v);
    else if (info.high_byte) full = d.concat(d.extract(full, 31, 16), d.concat(v, d.extract(full, 7, 0)));
    else full = d.concat(d.extract(full, 31, 8), v);
  }

  // ---- operands ----
  V effective_address(const S& s, const ResolvedOperand& o) const {
    V a = d.c(o.disp, 32);
    if (o.base) a = d.add(a, get_reg(s, *o.base));
    if (o.index) a = d.add(a, d.shl(get_reg(s, *o.index), d.c(o.scale == 8 ? 3 : o.scale == 4 ? 2 : o.scale == 2 ? 1 : 0, 32)));
    return a;
  }
  // Linear address: segment bases are zero except for known selectors with a
  // base (the per-CPU %fs); an override of %fs or %gs with an unknown
  // selector cuts the path. A %cs: override reads the code segment: its
  // base is the spec's for that selector, else 0 (flat). A null selector
  // never gets here: execute_instruction raised #GP(0) first.
  uint32_t linear(S& s, const ResolvedOperand& o) {
    uint32_t offset = concrete(s, effective_address(s, o), "memory address");
    if (!o.segment || *o.segment == Reg::DS || *o.segment == Reg::ES || *o.segment == Reg::SS) return offset;
    uint32_t sel = concrete(s, get_reg(s, *o.segment), "segment selector");
    const KnownSelector* k = config.known_selector(sel);
    if (*o.segment == Reg::CS) return offset + (k ? k->base : 0);
    if (!k)
      throw PathCut("segment-base", "access through %" + std::string(reg_info(*o.segment).name) +
                                        " with selector " + hex32(sel) + " of unknown base at " + at(s));
    return offset + k->base;
  }

  // The segment register a memory operand goes through: its override, else
  // SS for an ESP or EBP base, else DS (SDM Vol.1 §3.7.5).
  int operand_segment(const ResolvedOperand& o) const {
    if (o.segment) return reg_info(*o.segment).index;
    return o.base && (*o.base == Reg::ESP || *o.base == Reg::EBP) ? SEG_SS : SEG_DS;
  }
  // Does the instruction touch memory through DS, ES, FS or GS holding a
  // null selector? In protected mode that raises #GP(0) before anything of
  // the instruction happens (SDM Vol.3 §5.4.1, §3.4.2: loading a null
  // selector is allowed, using it is not). CS and SS are never null at CPL0.
  // lea and the multi-byte nop compute an address but touch no memory; MOVS
  // touches DS:ESI and ES:EDI unless rep with ECX = 0 moves nothing.
  B null_segment_access(const S& s, const Instruction& ins) {
    B uses_null = d.f();
    auto through = [&](int seg) {
      if (seg != SEG_CS && seg != SEG_SS) uses_null = d.lor(uses_null, null_selector(s.seg[seg]));
    };
    if (ins.op == Op::Lea || ins.op == Op::Nop) return uses_null;
    for (const auto& o : ins.operands)
      if (o.kind == OperandKind::Memory) through(operand_segment(o));
    if (ins.op == Op::Movs) {
      through(SEG_DS);
      through(SEG_ES);
      if (ins.rep) uses_null = d.land(uses_null, d.lnot(d.eq(s.gpr[R_ECX], d.c(0, 32))));
    }
    return uses_null;
  }

  V read_operand(S& s, const ResolvedOperand& o, int bytes) {
    switch (o.kind) {
      case OperandKind::Register: return get_reg(s, o.reg);
      case OperandKind::Immediate: return d.c(o.imm, bytes * 8);
      case OperandKind::Memory: {
        return load(s, linear(s, o), bytes, Access::Data);
      }
    }
    return d.c(0, bytes * 8);
  }
  void write_operand(S& s, const ResolvedOperand& o, const V& v, int bytes) {
    if (o.kind == OperandKind::Register) { set_reg(s, o.reg, v); return; }
    if (o.kind == OperandKind::Memory) {
      // Code segments are never writable in protected mode: #GP(0) (SDM
      // "MOV"). The model does not undo the instruction's other effects,
      // so it cuts the path instead of delivering a half-done fault.
      if (o.segment == Reg::CS)
        throw PathCut("unsupported", "a write through %cs: (#GP(0), not modelled) at " + at(s));
      write(s, linear(s, o), v, bytes, Access::Data, Writer::Instruction);
      return;
    }
    throw InputError(current(s).loc, "an immediate cannot be a destination");
  }

  // Where control goes when EIP comes from data (IRET, ret, jmp *): a value
  // that may lie outside the program is a violation (the frame was
  // overwritten); the rest must be one instruction.
  size_t code_index(S& s, const V& target, const std::string& what) {
    if (!d.as_const(target)) {
      V offset = d.sub(target, d.c(program.text_base, 32));
      B inside = d.land(d.ult(offset, d.c(static_cast<uint32_t>(program.instructions.size()) * Program::kInstrStride, 32)),
                        d.eq(d.band(offset, d.c(Program::kInstrStride - 1, 32)), d.c(0, 32)));
      if (d.decide(s.path, d.lnot(inside)))
        throw MachineStop{StopKind::JumpOutsideProgram, what + " goes to an address that is not an instruction of the program"};
    }
    uint32_t a = concrete(s, target, what);
    auto index = program.index_of(a);
    if (!index)
      throw MachineStop{StopKind::JumpOutsideProgram, what + " goes to " + hex32(a) + ", which is not an instruction of the program"};
    return *index;
  }

  // Linux's NMI entry, finding itself on the entry stack, moves to the top
  // of the task stack and runs there (FACTS §4, `.Lnmi_from_sysenter_stack`).
  const Region* nmi_moves_to(uint32_t esp) const {
    const Region* entry = config.region_named("entry_stack");
    const Region* task = config.region_named("task_stack");
    if (config.bounds.nmi_leaves_entry_stack && entry && task && entry->contains(esp - 1)) return task;
    return nullptr;
  }

  // ---- stack ----
  uint32_t esp(S& s) { return concrete(s, s.gpr[R_ESP], "stack pointer"); }
  // A dword, or with bytes = 2 a word (the 16-bit operand size: ESP by 2).
  void push(S& s, const V& v, int bytes = 4, Writer by = Writer::Instruction) {
    uint32_t sp = esp(s) - static_cast<uint32_t>(bytes);
    write(s, sp, v, bytes, Access::Stack, by);
    s.gpr[R_ESP] = d.c(sp, 32);
  }
  V pop(S& s, int bytes = 4) {
    uint32_t sp = esp(s);
    V v = load(s, sp, bytes, Access::Stack);
    s.gpr[R_ESP] = d.c(sp + static_cast<uint32_t>(bytes), 32);
    return v;
  }
  // The CPU stores a selector into a dword slot: the low half is the
  // selector, the upper half depends on the CPU (SDM "PUSH"; Linux pt_regs).
  // One access of the whole slot.
  void store_selector(S& s, uint32_t slot, const V& selector16, const std::string& why, Writer by) {
    V upper = d.c(0, 16);
    switch (config.profile.segment_store) {
      case SegmentStore::ZeroExtend: break;
      case SegmentStore::Stale: return write(s, slot, selector16, 2, Access::Stack, by, 4);
      case SegmentStore::Any: {
        B zero = d.input_bool(step_name(s, "zext." + why));
        upper = d.ite(zero, d.c(0, 16), read(s, slot + 2, 2));
        break;
      }
    }
    write(s, slot, d.concat(upper, selector16), 4, Access::Stack, by);
  }
  // Index 0 (selector values 0-3) is the null selector (SDM §3.4.2).
  B null_selector(const V& selector16) { return d.eq(d.band(selector16, d.c(0xfffc, 16)), d.c(0, 16)); }
  // A #GP error code that names a selector: its RPL bits cleared (SDM §6.13).
  V selector_error(const V& selector16) { return d.band(d.zext(selector16, 32), d.c(0xfffc, 32)); }

  // Does loading this selector into DS, ES, FS or GS fault? Null never
  // does, nor do the spec's selectors; any other does when its descriptor
  // is not valid (the uninterpreted seg_valid: explored both ways).
  B data_segment_faults(const V& selector16) {
    B faults = d.land(d.lnot(null_selector(selector16)), d.lnot(d.seg_valid(selector16)));
    for (const auto& k : config.selectors) faults = d.land(faults, d.lnot(d.eq(selector16, d.c(k.value, 16))));
    return faults;
  }

  // Does loading this (non-null) selector as the stack segment at privilege
  // `pl` fault (MOV/POP SS at CPL pl; IRET's SS for CS.RPL pl)? RPL != pl
  // does. The spec's selectors load when they are data segments of DPL = pl
  // (assumed writable), else fault. Any other: a valid stack segment is also
  // loadable into DS, so !seg_valid faults; one seg_valid accepts may still
  // not be a writable data segment of DPL = pl (the free input `input`).
  B stack_segment_faults(const S& s, const V& selector16, int pl, const std::string& input) {
    B faults = d.lor(d.lnot(d.seg_valid(selector16)), d.input_bool(step_name(s, input)));
    for (const auto& k : config.selectors) {
      bool good = !k.code && k.dpl == pl;
      faults = d.bool_ite(d.eq(selector16, d.c(k.value, 16)), good ? d.f() : d.t(), faults);
    }
    return d.lor(d.lnot(d.eq(d.band(selector16, d.c(3, 16)), d.c(static_cast<uint64_t>(pl), 16))), faults);
  }

  void push_selector(S& s, const V& selector16, const std::string& why, Writer by = Writer::Instruction) {
    uint32_t sp = esp(s) - 4;
    store_selector(s, sp, selector16, why, by);
    s.gpr[R_ESP] = d.c(sp, 32);
  }

  // ---- EFLAGS ----
  V flag_bit(const B& b, int pos) { return d.shl(d.zext(d.from_bool(b), 32), d.c(pos, 32)); }
  V eflags(const S& s) {
    V v = d.bor(s.eflags_rest, d.c(FL_FIXED1, 32));
    v = d.bor(v, flag_bit(s.cf, 0));
    v = d.bor(v, flag_bit(s.pf, 2));
    v = d.bor(v, flag_bit(s.af, 4));
    v = d.bor(v, flag_bit(s.zf, 6));
    v = d.bor(v, flag_bit(s.sf, 7));
    v = d.bor(v, flag_bit(s.tf, 8));
    v = d.bor(v, flag_bit(s.iflag, 9));
    v = d.bor(v, flag_bit(s.df, 10));
    v = d.bor(v, flag_bit(s.of, 11));
    return v;
  }
  // Loads the bits in `writable` from v, leaves the others.
  void set_eflags(S& s, const V& v, uint32_t writable) {
    if (writable & FL_CF) s.cf = d.bit(v, 0);
    if (writable & FL_PF) s.pf = d.bit(v, 2);
    if (writable & FL_AF) s.af = d.bit(v, 4);
    if (writable & FL_ZF) s.zf = d.bit(v, 6);
    if (writable & FL_SF) s.sf = d.bit(v, 7);
    if (writable & FL_TF) s.tf = d.bit(v, 8);
    if (writable & FL_IF) s.iflag = d.bit(v, 9);
    if (writable & FL_DF) s.df = d.bit(v, 10);
    if (writable & FL_OF) s.of = d.bit(v, 11);
    uint32_t rest = writable & kEflagsRestMask;
    s.eflags_rest = d.bor(d.band(s.eflags_rest, d.c(~rest, 32)), d.band(v, d.c(rest, 32)));
  }
  B flag_set(const S& s, uint32_t bit) { return d.bit(s.eflags_rest, __builtin_ctz(bit)); }

  // IF as POPF and IRET load it (SDM "POPF", "IRET"): only when CPL <= IOPL;
  // otherwise it keeps its value. Read IOPL before loading the new one
  // (it is writable only at CPL0, where IF always loads).
  void load_if(S& s, const V& v) {
    if (s.cpl == 0) {
      s.iflag = d.bit(v, 9);
      return;
    }
    B allowed = d.lnot(d.ult(d.extract(s.eflags_rest, 13, 12), d.c(static_cast<uint64_t>(s.cpl), 2)));
    s.iflag = d.bool_ite(allowed, d.bit(v, 9), s.iflag);
  }

  // An architecturally undefined flag: any value (qemu and CPUs differ).
  B undefined_flag(const S& s, const char* name) { return d.input_bool(step_name(s, std::string("undef.") + name)); }

  void set_szp(S& s, const V& r) {
    int w = d.width(r);
    s.sf = d.bit(r, w - 1);
    s.zf = d.eq(r, d.c(0, w));
    B parity = d.t();  // even number of set bits in the low byte
    for (int i = 0; i < 8; ++i) parity = d.lxor(parity, d.bit(r, i));
    s.pf = parity;
  }
};

}  // namespace ec

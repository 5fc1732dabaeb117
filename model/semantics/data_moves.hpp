// mov (all sizes, segment and control registers), movzx/movsx, lea, xchg,
// push/pop (register, immediate, memory, segment; 32 and 16 bits),
// pushf/popf (32 and 16 bits), lss.
#pragma once
#include "model/semantics/events.hpp"
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
struct DataMoves {
  using V = typename D::Val;
  using B = typename D::Bool;
  using S = State<D>;
  Machine<D>& m;
  D& d;
  explicit DataMoves(Machine<D>& machine) : m(machine), d(machine.d) {}

  static bool is_segment(const ResolvedOperand& o) {
    return o.kind == OperandKind::Register && reg_info(o.reg).family == RegFamily::Segment;
  }
  static bool is_control(const ResolvedOperand& o) {
    return o.kind == OperandKind::Register && reg_info(o.reg).family == RegFamily::Control;
  }

  // MOV to/from a control register (SDM Vol.2 "MOV—Move to/from Control
  // Registers"): #GP(0) unless CPL = 0. CR3 is modelled; any other control
  // register reads as an unknown value, and a write to one (paging, caches,
  // protection bits) is a path the model cannot follow: cut, never ignored.
  void mov_control(S& s, const ResolvedOperand& src, const ResolvedOperand& dst) {
    if (s.cpl != 0) return Events<D>(m).raise_fault(s, 13, d.c(0, 32));
    if (is_control(dst)) {
      if (dst.reg != Reg::CR3)
        throw PathCut("unsupported", "write to %" + std::string(reg_info(dst.reg).name) + " at " + m.at(s) +
                                         " is not modelled");
      s.cr3 = m.get_reg(s, src.reg);
    } else {
      V value = src.reg == Reg::CR3 ? s.cr3 : d.input(m.step_name(s, std::string(reg_info(src.reg).name)), 32);
      m.set_reg(s, dst.reg, value);
    }
    s.pc += 1;
  }

  // Loading DS/ES/FS/GS: a null selector always loads; one of the spec's
  // kernel selectors always loads; any other may raise #GP(selector) when
  // the descriptor it names is not loadable (SDM "MOV"/"POP" exceptions).
  // Returns false when the load faulted (the fault has been delivered).
  bool load_segment(S& s, Reg sreg, const V& selector) {
    // MOV to CS is #UD (SDM "MOV": "If the DS, ES, FS, GS or SS register is
    // being loaded ... #UD If attempt is made to load the CS register").
    if (sreg == Reg::CS) {
      Events<D>(m).raise_fault(s, 6, d.c(0, 32));
      return false;
    }
    if (sreg == Reg::SS) return load_ss(s, selector);
    if (d.decide(s.path, m.data_segment_faults(selector))) {
      Events<D>(m).raise_fault(s, 13, m.selector_error(selector));
      return false;
    }
    m.set_reg(s, sreg, selector);
    return true;
  }

  // Loading SS (SDM "MOV"/"POP" exceptions; FACTS §6): a null selector is
  // #GP(0), always; otherwise Machine::stack_segment_faults at the CPL
  // decides #GP(selector). A successful load holds off the single-step trap
  // until after the next instruction (the MOV SS shadow, State::ss_shadow);
  // NMIs stay possible there, which is more behaviours than a CPU that
  // delays them too.
  bool load_ss(S& s, const V& selector, bool shadow = true) {
    if (d.decide(s.path, m.null_selector(selector))) {
      Events<D>(m).raise_fault(s, 13, d.c(0, 32));
      return false;
    }
    if (d.decide(s.path, m.stack_segment_faults(s, selector, s.cpl, "ss_invalid"))) {
      Events<D>(m).raise_fault(s, 13, m.selector_error(selector));
      return false;
    }
    s.seg[SEG_SS] = selector;
    s.ss_shadow = shadow;
    return true;
  }

  void mov(S& s, const Instruction& ins) {
    const ResolvedOperand& src = ins.operands[0];
    const ResolvedOperand& dst = ins.operands[1];
    if (is_control(src) || is_control(dst)) return mov_control(s, src, dst);
    if (is_segment(dst)) {
      V sel = d.extract(m.read_operand(s, src, src.kind == OperandKind::Register ? reg_info(src.reg).width_bits / 8 : 2), 15, 0);
      if (load_segment(s, dst.reg, sel)) s.pc += 1;
      return;
    }
    if (is_segment(src)) {
      V sel = m.get_reg(s, src.reg);
      if (dst.kind == OperandKind::Memory) {
        m.write_operand(s, dst, sel, 2);  // always a 16-bit store
      } else if (reg_info(dst.reg).width_bits == 32) {
        // movl %sreg, %r32: upper half as the CPU profile says (SDM: zero on
        // P6 and later, undefined before).
        V old = s.gpr[reg_info(dst.reg).index];
        V upper = d.c(0, 16);
        if (m.config.profile.segment_store == SegmentStore::Stale) upper = d.extract(old, 31, 16);
        if (m.config.profile.segment_store == SegmentStore::Any)
          upper = d.ite(d.input_bool(m.step_name(s, "zext.movsreg")), d.c(0, 16), d.extract(old, 31, 16));
        m.set_reg(s, dst.reg, d.concat(upper, sel));
      } else {
        m.set_reg(s, dst.reg, sel);
      }
      s.pc += 1;
      return;
    }
    m.write_operand(s, dst, m.read_operand(s, src, ins.size), ins.size);
    s.pc += 1;
  }

  void extend(S& s, const Instruction& ins) {
    V v = m.read_operand(s, ins.operands[0], ins.src_size);
    V r = ins.op == Op::Movzx ? d.zext(v, ins.size * 8) : d.sext(v, ins.size * 8);
    m.write_operand(s, ins.operands[1], r, ins.size);
    s.pc += 1;
  }

  void lea(S& s, const Instruction& ins) {
    if (ins.operands[0].kind != OperandKind::Memory) throw InputError(ins.loc, "lea needs a memory operand");
    V a = m.effective_address(s, ins.operands[0]);
    if (ins.size == 2) a = d.extract(a, 15, 0);
    m.write_operand(s, ins.operands[1], a, ins.size);
    s.pc += 1;
  }

  void xchg(S& s, const Instruction& ins) {
    V a = m.read_operand(s, ins.operands[0], ins.size);
    V b = m.read_operand(s, ins.operands[1], ins.size);
    m.write_operand(s, ins.operands[0], b, ins.size);
    m.write_operand(s, ins.operands[1], a, ins.size);
    s.pc += 1;
  }

  // PUSH (SDM "PUSH"): 32 or 16 bits (pushw: ESP by 2). push %esp pushes
  // the value before the decrement; a memory source is addressed before it
  // too. A segment register fills a dword slot as the CPU profile says,
  // or a word.
  void push(S& s, const Instruction& ins) {
    const ResolvedOperand& src = ins.operands[0];
    if (is_segment(src) && ins.size == 4) {
      m.push_selector(s, m.get_reg(s, src.reg), "push");
    } else {
      V v = src.kind == OperandKind::Immediate ? d.c(ins.size == 2 ? src.imm & 0xffff : src.imm, ins.size * 8)
                                               : m.read_operand(s, src, ins.size);
      m.push(s, v, ins.size);
    }
    s.pc += 1;
  }

  // POP (SDM "POP"): 32 or 16 bits. A memory destination based on ESP is
  // addressed after the increment; pop %esp leaves the popped value.
  void pop(S& s, const Instruction& ins) {
    const ResolvedOperand& dst = ins.operands[0];
    if (is_segment(dst)) {
      // The selector is the low word of the slot; a faulting pop changes nothing.
      uint32_t sp = m.esp(s);
      m.access(s, sp, ins.size, Access::Stack, false);
      V sel = m.read(s, sp, 2);
      if (!load_segment(s, dst.reg, sel)) return;
      s.gpr[R_ESP] = d.c(sp + static_cast<uint32_t>(ins.size), 32);
      s.pc += 1;
      return;
    }
    V v = m.pop(s, ins.size);
    m.write_operand(s, dst, v, ins.size);
    s.pc += 1;
  }

  // PUSHF/PUSHFD (SDM "PUSHF"): the image has VM and RF clear; pushfw
  // pushes the low 16 bits (FLAGS).
  void pushf(S& s, const Instruction& ins) {
    V image = d.band(m.eflags(s), d.c(~(FL_VM | FL_RF), 32));
    m.push(s, ins.size == 2 ? d.extract(image, 15, 0) : image, ins.size);
    s.pc += 1;
  }

  // POPF/POPFD (SDM "POPF") at CPL0: everything but VM, VIF, VIP loads; RF
  // is cleared. At CPL>0 IOPL stays, and IF loads only if CPL <= IOPL.
  // popfw (16 bits, ESP by 2) loads only FLAGS, the low 16 bits: RF, AC,
  // ID and the rest of the upper half stay.
  void popf(S& s, const Instruction& ins) {
    V v = ins.size == 2 ? d.zext(m.pop(s, 2), 32) : m.pop(s);
    uint32_t writable = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT | FL_AC | FL_ID | FL_RF;
    if (s.cpl == 0) writable |= FL_IOPL;
    if (ins.size == 2) writable &= 0xffff;
    m.load_if(s, v);
    m.set_eflags(s, d.band(v, d.c(~FL_RF, 32)), writable);
    s.pc += 1;
  }

  // LSS r32, m16:32 (SDM "LDS/LES/LFS/LGS/LSS"): the far pointer's offset
  // (dword at +0) goes to the register, its selector (word at +4) to SS,
  // with MOV SS's checks (load_ss: a null selector or one that is not a
  // writable data segment of DPL = CPL is #GP, and nothing changes). Unlike
  // MOV/POP SS, LSS opens no interrupt/single-step shadow (FACTS, "MOV
  // SS/POP SS shadow").
  void lss(S& s, const Instruction& ins) {
    ResolvedOperand selector_at = ins.operands[0];
    selector_at.disp += 4;
    V offset = m.read_operand(s, ins.operands[0], 4);
    V selector = m.read_operand(s, selector_at, 2);
    if (!load_ss(s, selector, /*shadow=*/false)) return;
    m.set_reg(s, ins.operands[1].reg, offset);
    s.pc += 1;
  }
};

}  // namespace ec

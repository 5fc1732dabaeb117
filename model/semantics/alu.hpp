// Arithmetic and logic: add sub cmp and or xor test not neg inc dec, shifts,
// bit tests. Flags as SDM Vol.2 "Flags Affected" says; flags it calls
// undefined are fresh inputs, so no proof can rely on them.
#pragma once
#include "model/semantics/machine.hpp"

namespace ec {

template <class D>
struct Alu {
  using V = typename D::Val;
  using B = typename D::Bool;
  using S = State<D>;
  Machine<D>& m;
  D& d;
  explicit Alu(Machine<D>& machine) : m(machine), d(machine.d) {}

  B msb(const V& v) { return d.bit(v, d.width(v) - 1); }
  B aux_carry(const V& a, const V& b, const V& r) { return d.bit(d.bxor(d.bxor(a, b), r), 4); }

  V add_values(S& s, const V& a, const V& b) {
    V r = d.add(a, b);
    s.cf = d.ult(r, a);
    s.of = msb(d.band(d.bxor(a, r), d.bxor(b, r)));
    s.af = aux_carry(a, b, r);
    m.set_szp(s, r);
    return r;
  }
  V sub_values(S& s, const V& a, const V& b) {
    V r = d.sub(a, b);
    s.cf = d.ult(a, b);
    s.of = msb(d.band(d.bxor(a, b), d.bxor(a, r)));
    s.af = aux_carry(a, b, r);
    m.set_szp(s, r);
    return r;
  }
  V logic(State<D>& s, const V& r) {
    s.cf = d.f();
    s.of = d.f();
    s.af = m.undefined_flag(s, "af");
    m.set_szp(s, r);
    return r;
  }
  // INC/DEC leave CF alone.
  V inc_dec(State<D>& s, const V& a, bool inc) {
    B cf = s.cf;
    V r = inc ? add_values(s, a, d.c(1, d.width(a))) : sub_values(s, a, d.c(1, d.width(a)));
    s.cf = cf;
    return r;
  }
  V neg_value(S& s, const V& a) {
    V r = sub_values(s, d.c(0, d.width(a)), a);
    s.cf = d.lnot(d.eq(a, d.c(0, d.width(a))));
    return r;
  }

  // SHL/SHR/SAR with the count masked to 5 bits; a zero count changes nothing.
  V shift_value(S& s, Op op, const V& a, const V& count8) {
    int w = d.width(a);
    V n = d.zext(d.band(count8, d.c(31, 8)), w);
    B zero = d.eq(n, d.c(0, w));
    B wide = d.lnot(d.ult(n, d.c(w, w)));  // count >= operand size: CF undefined
    B one = d.eq(n, d.c(1, w));
    V r;
    B cf, of;
    if (op == Op::Shl) {
      r = d.shl(a, n);
      cf = d.bit(d.lshr(a, d.sub(d.c(w, w), n)), 0);
      of = d.lxor(msb(r), cf);
    } else {
      r = op == Op::Shr ? d.lshr(a, n) : d.ashr(a, n);
      cf = d.bit(d.lshr(a, d.sub(n, d.c(1, w))), 0);
      if (op == Op::Sar) cf = d.bool_ite(wide, msb(a), cf);
      of = op == Op::Shr ? msb(a) : d.f();
    }
    if (w < 32 && op != Op::Sar) cf = d.bool_ite(wide, m.undefined_flag(s, "cf"), cf);
    of = d.bool_ite(one, of, m.undefined_flag(s, "of"));
    B af = m.undefined_flag(s, "af");
    State<D> before = s;
    m.set_szp(s, r);
    s.cf = d.bool_ite(zero, before.cf, cf);
    s.of = d.bool_ite(zero, before.of, of);
    s.af = d.bool_ite(zero, before.af, af);
    s.sf = d.bool_ite(zero, before.sf, s.sf);
    s.zf = d.bool_ite(zero, before.zf, s.zf);
    s.pf = d.bool_ite(zero, before.pf, s.pf);
    return d.ite(zero, a, r);
  }

  // ---- the rules (instructions.def): AT&T order, the source first ----
  void add(S& s, const Instruction& ins) { binary(s, ins, true, [&](const V& a, const V& b) { return add_values(s, a, b); }); }
  void sub(S& s, const Instruction& ins) { binary(s, ins, true, [&](const V& a, const V& b) { return sub_values(s, a, b); }); }
  void cmp(S& s, const Instruction& ins) { binary(s, ins, false, [&](const V& a, const V& b) { return sub_values(s, a, b); }); }
  void and_(S& s, const Instruction& ins) { binary(s, ins, true, [&](const V& a, const V& b) { return logic(s, d.band(a, b)); }); }
  void test(S& s, const Instruction& ins) { binary(s, ins, false, [&](const V& a, const V& b) { return logic(s, d.band(a, b)); }); }
  void or_(S& s, const Instruction& ins) { binary(s, ins, true, [&](const V& a, const V& b) { return logic(s, d.bor(a, b)); }); }
  void xor_(S& s, const Instruction& ins) { binary(s, ins, true, [&](const V& a, const V& b) { return logic(s, d.bxor(a, b)); }); }
  void not_(S& s, const Instruction& ins) { unary(s, ins, [&](const V& a) { return d.bnot(a); }); }
  void neg(S& s, const Instruction& ins) { unary(s, ins, [&](const V& a) { return neg_value(s, a); }); }
  void inc(S& s, const Instruction& ins) { unary(s, ins, [&](const V& a) { return inc_dec(s, a, true); }); }
  void dec(S& s, const Instruction& ins) { unary(s, ins, [&](const V& a) { return inc_dec(s, a, false); }); }

  // SHL/SAL, SHR, SAR: "shl %eax" shifts by one; a register count is %cl
  // (GNU as also takes %ecx there and means %cl).
  void shift(S& s, const Instruction& ins) {
    const auto& ops = ins.operands;
    const ResolvedOperand& dst = ops.size() == 2 ? ops[1] : ops[0];
    V count = d.c(1, 8);
    if (ops.size() == 2)
      count = ops[0].kind == OperandKind::Register ? m.get_reg(s, Reg::CL) : d.c(ops[0].imm & 0xff, 8);
    m.write_operand(s, dst, shift_value(s, ins.op, m.read_operand(s, dst, ins.size), count), ins.size);
    s.pc += 1;
  }

  template <class F>
  void binary(S& s, const Instruction& ins, bool writes, F f) {
    V b = m.read_operand(s, ins.operands[0], ins.size);
    V a = m.read_operand(s, ins.operands[1], ins.size);
    V r = f(a, b);
    if (writes) m.write_operand(s, ins.operands[1], r, ins.size);
    s.pc += 1;
  }
  template <class F>
  void unary(S& s, const Instruction& ins, F f) {
    m.write_operand(s, ins.operands[0], f(m.read_operand(s, ins.operands[0], ins.size)), ins.size);
    s.pc += 1;
  }

  // BT/BTS/BTR (SDM "BT", "BTS", "BTR"): CF = the selected bit, which BTS
  // sets and BTR clears. An immediate offset, or any offset into a
  // register, is taken mod the operand size; a register offset into memory
  // is a signed bit offset into the bit string there: the word or dword at
  // EA + size * (offset SAR log2(bits)), bit (offset mod bits). Such an
  // offset must have one value on the path (else the path is cut).
  void bit_test(S& s, const Instruction& ins) {
    const ResolvedOperand& src = ins.operands[0];
    ResolvedOperand dst = ins.operands[1];
    int w = ins.size * 8;
    V offset = d.band(d.zext(d.extract(m.read_operand(s, src, ins.size), 7, 0), w), d.c(w - 1, w));
    if (src.kind == OperandKind::Register && dst.kind == OperandKind::Memory) {
      V wide = d.sext(m.read_operand(s, src, ins.size), 32);
      int32_t bits = static_cast<int32_t>(m.concrete(s, wide, "bit offset"));
      dst.disp += static_cast<uint32_t>((bits >> (w == 16 ? 4 : 5)) * ins.size);
      offset = d.c(static_cast<uint32_t>(bits) & static_cast<uint32_t>(w - 1), w);
    }
    V value = m.read_operand(s, dst, ins.size);
    V mask = d.shl(d.c(1, w), offset);
    s.cf = d.lnot(d.eq(d.band(value, mask), d.c(0, w)));
    s.of = m.undefined_flag(s, "of");
    s.sf = m.undefined_flag(s, "sf");
    s.af = m.undefined_flag(s, "af");
    s.pf = m.undefined_flag(s, "pf");
    if (ins.op == Op::Bts) m.write_operand(s, dst, d.bor(value, mask), ins.size);
    if (ins.op == Op::Btr) m.write_operand(s, dst, d.band(value, d.bnot(mask)), ins.size);
    s.pc += 1;
  }
};

}  // namespace ec

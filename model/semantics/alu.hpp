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
  Machine<D>& m;
  D& d;
  explicit Alu(Machine<D>& machine) : m(machine), d(machine.d) {}

  B msb(const V& v) { return d.bit(v, d.width(v) - 1); }
  B aux_carry(const V& a, const V& b, const V& r) { return d.bit(d.bxor(d.bxor(a, b), r), 4); }

  V add(State<D>& s, const V& a, const V& b) {
    V r = d.add(a, b);
    s.cf = d.ult(r, a);
    s.of = msb(d.band(d.bxor(a, r), d.bxor(b, r)));
    s.af = aux_carry(a, b, r);
    m.set_szp(s, r);
    return r;
  }
  V sub(State<D>& s, const V& a, const V& b) {
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
    V r = inc ? add(s, a, d.c(1, d.width(a))) : sub(s, a, d.c(1, d.width(a)));
    s.cf = cf;
    return r;
  }
  V neg(State<D>& s, const V& a) {
    V r = sub(s, d.c(0, d.width(a)), a);
    s.cf = d.lnot(d.eq(a, d.c(0, d.width(a))));
    return r;
  }

  // SHL/SHR/SAR with the count masked to 5 bits; a zero count changes nothing.
  V shift(State<D>& s, Op op, const V& a, const V& count8) {
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

  void execute(State<D>& s, const Instruction& ins) {
    const auto& ops = ins.operands;
    int size = ins.size;
    switch (ins.op) {
      case Op::Add: case Op::Sub: case Op::Cmp: case Op::And: case Op::Or: case Op::Xor:
      case Op::Test: {
        V b = m.read_operand(s, ops[0], size);
        V a = m.read_operand(s, ops[1], size);
        V r;
        switch (ins.op) {
          case Op::Add: r = add(s, a, b); break;
          case Op::Sub: case Op::Cmp: r = sub(s, a, b); break;
          case Op::And: case Op::Test: r = logic(s, d.band(a, b)); break;
          case Op::Or: r = logic(s, d.bor(a, b)); break;
          default: r = logic(s, d.bxor(a, b)); break;
        }
        if (ins.op != Op::Cmp && ins.op != Op::Test) m.write_operand(s, ops[1], r, size);
        break;
      }
      case Op::Not:
        m.write_operand(s, ops[0], d.bnot(m.read_operand(s, ops[0], size)), size);
        break;
      case Op::Neg:
        m.write_operand(s, ops[0], neg(s, m.read_operand(s, ops[0], size)), size);
        break;
      case Op::Inc: case Op::Dec:
        m.write_operand(s, ops[0], inc_dec(s, m.read_operand(s, ops[0], size), ins.op == Op::Inc), size);
        break;
      case Op::Shl: case Op::Shr: case Op::Sar: {
        const ResolvedOperand& dst = ops.size() == 2 ? ops[1] : ops[0];
        V count = ops.size() == 2 ? m.read_operand(s, ops[0], 1) : d.c(1, 8);
        if (ops.size() == 2 && ops[0].kind == OperandKind::Register && ops[0].reg != Reg::CL)
          throw InputError(ins.loc, "shift count must be an immediate or %cl");
        m.write_operand(s, dst, shift(s, ins.op, m.read_operand(s, dst, size), count), size);
        break;
      }
      case Op::Bt: case Op::Bts: case Op::Btr: bit_test(s, ins); break;
      default: EC_ASSERT(false, "not an ALU instruction");
    }
  }

  // BT/BTS/BTR with an immediate offset (mod operand size) or on a register.
  void bit_test(State<D>& s, const Instruction& ins) {
    const ResolvedOperand& src = ins.operands[0];
    const ResolvedOperand& dst = ins.operands[1];
    int w = ins.size * 8;
    if (src.kind == OperandKind::Register && dst.kind == OperandKind::Memory)
      throw InputError(ins.loc, "bit test of memory with a register offset is not supported");
    V offset = d.band(d.zext(d.extract(m.read_operand(s, src, ins.size), 7, 0), w), d.c(w - 1, w));
    V value = m.read_operand(s, dst, ins.size);
    V mask = d.shl(d.c(1, w), offset);
    s.cf = d.lnot(d.eq(d.band(value, mask), d.c(0, w)));
    s.of = m.undefined_flag(s, "of");
    s.sf = m.undefined_flag(s, "sf");
    s.af = m.undefined_flag(s, "af");
    s.pf = m.undefined_flag(s, "pf");
    if (ins.op == Op::Bts) m.write_operand(s, dst, d.bor(value, mask), ins.size);
    if (ins.op == Op::Btr) m.write_operand(s, dst, d.band(value, d.bnot(mask)), ins.size);
  }
};

}  // namespace ec

// `assertions`: the user's own invariants. An assertion is an expression
// over registers, flags, memory, constants and region bounds, attached to
// an instruction: from the spec (`"assertions": [{"at": "label", "assert":
// "..."}]`) or from a comment in the source, `/* entrycheck: assert ... */`,
// which attaches to the next instruction. It must hold each time that
// instruction is about to run.
//
//   expr    := or;  or := and ('||' and)*;  and := cmp ('&&' cmp)*
//   cmp     := bits (('=='|'!='|'<'|'<='|'>'|'>=') bits)?      (unsigned)
//   bits    := sum (('&'|'|'|'^'|'<<'|'>>') sum)*
//   sum     := unary (('+'|'-'|'*') unary)*
//   unary   := ('!'|'~'|'-') unary | primary
//   primary := number | name | memN '[' expr ']' | '(' expr ')'     N = 8, 16, 32
//   name    := eax..edi | es..gs | cf pf af zf sf of tf if df | eflags | cr3
//            | <region>.base | <region>.top | a spec constant
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/base/diagnostic.hpp"
#include "model/semantics/machine.hpp"

namespace ec {

struct AssertExpr {
  enum class Kind { Number, Register, Segment, Flag, Eflags, Cr3, Memory, Unary, Binary };
  Kind kind = Kind::Number;
  uint32_t number = 0;  // Number; register/segment index; flag bit; memory width
  std::string op;
  std::shared_ptr<AssertExpr> a, b;
};

struct Assertion {
  std::string name;
  std::string text;
  SourceLocation where;  // the spec or the comment
  std::shared_ptr<AssertExpr> expr;
};

// Parses `text`; names resolve against the machine and `constants`. Throws
// InputError at `where` on a syntax error or an unknown name.
Assertion parse_assertion(const std::string& text, const SourceLocation& where, const MachineConfig& machine,
                          const std::map<std::string, int64_t>& constants);

// The spec's assertions (at labels) and the source's (comments), by the
// instruction they are attached to.
struct Spec;
std::map<size_t, std::vector<Assertion>> collect_assertions(const Spec& spec, const Program& program,
                                                            const MachineConfig& machine);

// A scenario's `resume_expect`: each name with its parsed expression, which
// `resume` evaluates on the interrupted context.
struct Scenario;
using ResumeExpectations = std::vector<std::pair<std::string, Assertion>>;
ResumeExpectations resume_expectations(const Spec& spec, const Scenario& scenario, const MachineConfig& machine);

// Assertions written as comments in these files, attached to instruction
// indexes of the program (the first instruction written after the comment).
std::map<size_t, std::vector<Assertion>> source_assertions(const Program& program, const MachineConfig& machine,
                                                           const std::map<std::string, int64_t>& constants);

// The value of an assertion expression in state s (truth values are 0/1).
template <class D>
typename D::Val assertion_value(Machine<D>& m, State<D>& s, const AssertExpr& e) {
  using V = typename D::Val;
  D& d = m.d;
  auto truth = [&](const typename D::Bool& b) { return d.zext(d.from_bool(b), 32); };
  switch (e.kind) {
    case AssertExpr::Kind::Number: return d.c(e.number, 32);
    case AssertExpr::Kind::Register: return s.gpr[e.number];
    case AssertExpr::Kind::Segment: return d.zext(s.seg[e.number], 32);
    case AssertExpr::Kind::Flag: return d.band(d.lshr(m.eflags(s), d.c(e.number, 32)), d.c(1, 32));
    case AssertExpr::Kind::Eflags: return m.eflags(s);
    case AssertExpr::Kind::Cr3: return s.cr3;
    case AssertExpr::Kind::Memory: {
      uint32_t a = m.concrete(s, assertion_value(m, s, *e.a), "assertion's memory address");
      return d.zext(m.read(s, a, static_cast<int>(e.number / 8)), 32);
    }
    case AssertExpr::Kind::Unary: {
      V x = assertion_value(m, s, *e.a);
      if (e.op == "!") return truth(d.eq(x, d.c(0, 32)));
      if (e.op == "~") return d.bnot(x);
      return d.neg(x);
    }
    case AssertExpr::Kind::Binary: break;
  }
  V x = assertion_value(m, s, *e.a), y = assertion_value(m, s, *e.b);
  const std::string& op = e.op;
  auto nz = [&](const V& v) { return d.lnot(d.eq(v, d.c(0, 32))); };
  if (op == "||") return truth(d.lor(nz(x), nz(y)));
  if (op == "&&") return truth(d.land(nz(x), nz(y)));
  if (op == "==") return truth(d.eq(x, y));
  if (op == "!=") return truth(d.lnot(d.eq(x, y)));
  if (op == "<") return truth(d.ult(x, y));
  if (op == ">=") return truth(d.lnot(d.ult(x, y)));
  if (op == ">") return truth(d.ult(y, x));
  if (op == "<=") return truth(d.lnot(d.ult(y, x)));
  if (op == "&") return d.band(x, y);
  if (op == "|") return d.bor(x, y);
  if (op == "^") return d.bxor(x, y);
  if (op == "<<") return d.shl(x, d.band(y, d.c(31, 32)));
  if (op == ">>") return d.lshr(x, d.band(y, d.c(31, 32)));
  if (op == "+") return d.add(x, y);
  if (op == "-") return d.sub(x, y);
  EC_ASSERT(op == "*", "unknown assertion operator");
  // x * y by shift-and-add would be long; constants only.
  auto cy = d.as_const(y);
  EC_ASSERT(cy.has_value(), "the parser only allows a constant right operand for '*'");
  V r = d.c(0, 32);
  for (int i = 0; i < 32; ++i)
    if ((*cy >> i) & 1) r = d.add(r, d.shl(x, d.c(i, 32)));
  return r;
}

template <class D>
class AssertionMonitor : public Monitor<D> {
 public:
  explicit AssertionMonitor(const std::map<size_t, std::vector<Assertion>>* at) : at_(at) {}

  void before_instruction(Machine<D>& m, State<D>& s) override {
    auto it = at_->find(s.pc);
    if (it == at_->end()) return;
    for (const auto& a : it->second) {
      auto v = assertion_value(m, s, *a.expr);
      m.require(s, InvariantId::Assertions, m.d.lnot(m.d.eq(v, m.d.c(0, 32))),
                "assertion " + (a.name.empty() ? "" : a.name + " ") + "'" + a.text + "' (" + a.where.str() +
                    ") fails at " + m.at(s));
    }
  }

 private:
  const std::map<size_t, std::vector<Assertion>>* at_;
};

}  // namespace ec

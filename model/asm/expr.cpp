#include "model/asm/expr.hpp"

#include <algorithm>
#include <set>

namespace ec {

ExprPtr Expr::number(int64_t v, SourceLocation loc) {
  auto e = std::make_shared<Expr>();
  e->op = Op::Num;
  e->num = v;
  e->loc = std::move(loc);
  return e;
}

ExprPtr Expr::symbol(std::string name, SourceLocation loc) {
  auto e = std::make_shared<Expr>();
  e->op = Op::Sym;
  e->sym = std::move(name);
  e->loc = std::move(loc);
  return e;
}

namespace {

int checked_depth(int child_depth, const SourceLocation& loc) {
  if (child_depth >= kMaxExprDepth)
    throw InputError(loc, "expression nested too deeply (more than " + std::to_string(kMaxExprDepth) +
                              " levels of operators and parentheses)");
  return child_depth + 1;
}

}  // namespace

ExprPtr Expr::unary(Op op, ExprPtr a, SourceLocation loc) {
  auto e = std::make_shared<Expr>();
  e->op = op;
  e->depth = checked_depth(a->depth, loc);
  e->lhs = std::move(a);
  e->loc = std::move(loc);
  return e;
}

ExprPtr Expr::binary(Op op, ExprPtr a, ExprPtr b, SourceLocation loc) {
  auto e = std::make_shared<Expr>();
  e->op = op;
  e->depth = checked_depth(std::max(a->depth, b->depth), loc);
  e->lhs = std::move(a);
  e->rhs = std::move(b);
  e->loc = std::move(loc);
  return e;
}

namespace {

using Op = Expr::Op;

int64_t eval_unary(Op op, int64_t a) {
  switch (op) {
    case Op::Neg: return static_cast<int64_t>(0ULL - static_cast<uint64_t>(a));
    case Op::BitNot: return ~a;
    default: return a == 0 ? 1 : 0;  // LogNot
  }
}

int64_t shift(Op op, int64_t a, int64_t b) {
  if (b < 0 || b >= 64) return 0;
  auto ua = static_cast<uint64_t>(a);
  // GNU as shifts the unsigned value both ways.
  return static_cast<int64_t>(op == Op::Shl ? ua << b : ua >> b);
}

int64_t divide(const Expr& e, int64_t a, int64_t b) {
  if (b == 0) throw InputError(e.loc, "division by zero");
  if (b == -1) return e.op == Op::Div ? eval_unary(Op::Neg, a) : 0;  // avoids INT64_MIN / -1 trap
  return e.op == Op::Div ? a / b : a % b;
}

// GNU as: comparisons yield -1 for true, logical and/or yield 1.
int64_t truth(bool b) { return b ? -1 : 0; }

int64_t eval_binary(const Expr& e, int64_t a, int64_t b) {
  auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  switch (e.op) {
    case Op::Mul: return static_cast<int64_t>(ua * ub);
    case Op::Div:
    case Op::Mod: return divide(e, a, b);
    case Op::Shl:
    case Op::Shr: return shift(e.op, a, b);
    case Op::And: return a & b;
    case Op::Or: return a | b;
    case Op::Xor: return a ^ b;
    case Op::OrNot: return a | ~b;
    case Op::Add: return static_cast<int64_t>(ua + ub);
    case Op::Sub: return static_cast<int64_t>(ua - ub);
    case Op::Eq: return truth(a == b);
    case Op::Ne: return truth(a != b);
    case Op::Lt: return truth(a < b);
    case Op::Le: return truth(a <= b);
    case Op::Gt: return truth(a > b);
    case Op::Ge: return truth(a >= b);
    case Op::LogAnd: return (a != 0 && b != 0) ? 1 : 0;
    case Op::LogOr: return (a != 0 || b != 0) ? 1 : 0;
    default: break;
  }
  EC_ASSERT(false, "eval_binary: not a binary operator");
  return 0;
}

bool is_unary(Op op) { return op == Op::Neg || op == Op::BitNot || op == Op::LogNot; }

}  // namespace

int64_t eval_expr(const Expr& e, const SymbolLookup& lookup) {
  if (e.op == Op::Num) return e.num;
  if (e.op == Op::Sym) {
    std::optional<int64_t> v = lookup ? lookup(e.sym) : std::nullopt;
    if (!v) throw InputError(e.loc, "undefined symbol '" + e.sym + "'");
    return *v;
  }
  EC_ASSERT(e.lhs != nullptr, "eval_expr: missing operand");
  int64_t a = eval_expr(*e.lhs, lookup);
  if (is_unary(e.op)) return eval_unary(e.op, a);
  EC_ASSERT(e.rhs != nullptr, "eval_expr: missing right operand");
  return eval_binary(e, a, eval_expr(*e.rhs, lookup));
}

namespace {

// Higher binds tighter; GNU as's ranking as the parser's Gas dialect uses
// (rendered trees are nearly always GNU as expressions, and must re-read the same).
int precedence(Op op) {
  switch (op) {
    case Op::LogOr: return 1;
    case Op::LogAnd: return 2;
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: return 3;
    case Op::Add: case Op::Sub: return 4;
    case Op::Or: case Op::Xor: case Op::And: case Op::OrNot: return 5;
    case Op::Mul: case Op::Div: case Op::Mod: case Op::Shl: case Op::Shr: return 6;
    default: return 7;
  }
}

const char* op_text(Op op) {
  switch (op) {
    case Op::Neg: return "-";
    case Op::BitNot: return "~";
    case Op::LogNot: return "!";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Mod: return "%";
    case Op::Shl: return "<<";
    case Op::Shr: return ">>";
    case Op::And: return "&";
    case Op::Or: return "|";
    case Op::Xor: return "^";
    case Op::OrNot: return "!";
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::LogAnd: return "&&";
    case Op::LogOr: return "||";
    default: return "?";
  }
}

std::string render(const Expr& e, int outer);

std::string render_child(const ExprPtr& e, int min_prec) {
  return e ? render(*e, min_prec) : std::string("<null>");
}

std::string render(const Expr& e, int outer) {
  if (e.op == Op::Num) return std::to_string(e.num);
  if (e.op == Op::Sym) return e.sym;
  int p = precedence(e.op);
  std::string s;
  if (is_unary(e.op)) {
    s = std::string(op_text(e.op)) + render_child(e.lhs, p);
  } else {
    // Left-associative: the right child needs parentheses at equal precedence.
    s = render_child(e.lhs, p) + " " + op_text(e.op) + " " + render_child(e.rhs, p + 1);
  }
  return p < outer ? "(" + s + ")" : s;
}

}  // namespace

std::string expr_to_string(const Expr& e) { return render(e, 0); }

}  // namespace ec

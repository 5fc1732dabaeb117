// Constant expressions of GNU as over symbols: numbers, names, ( ) unary - ~ !,
// binary * / % << >> & | ^ ! (or-not) + - and comparisons/logic used by .if.
// Symbols are resolved late (labels get addresses only when the program is linked,
// layout constants come from the spec), so expressions stay trees until then.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "model/base/diagnostic.hpp"

namespace ec {

// The deepest expression tree read (operators, parentheses): deeper ones are
// a located error, so that parsing, evaluating and freeing a tree never
// recurses without bound (docs/cli.md "Limits"). The kernel's deepest is ~20.
constexpr int kMaxExprDepth = 200;

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Op {
    Num, Sym,
    Neg, BitNot, LogNot,
    Mul, Div, Mod, Shl, Shr, And, Or, Xor, OrNot, Add, Sub,
    Eq, Ne, Lt, Le, Gt, Ge, LogAnd, LogOr,
  };
  Op op = Op::Num;
  int64_t num = 0;      // Num
  std::string sym;      // Sym
  ExprPtr lhs, rhs;     // unary ops use lhs only
  SourceLocation loc;   // where the expression (or symbol) was written
  int depth = 1;        // levels of the tree, this node included (<= kMaxExprDepth)

  // unary and binary throw InputError at `loc` when the tree would be
  // deeper than kMaxExprDepth.

  static ExprPtr number(int64_t v, SourceLocation loc = {});
  static ExprPtr symbol(std::string name, SourceLocation loc = {});
  static ExprPtr unary(Op op, ExprPtr a, SourceLocation loc = {});
  static ExprPtr binary(Op op, ExprPtr a, ExprPtr b, SourceLocation loc = {});
};

// Returns the value of a symbol, or nullopt if it is not defined.
using SymbolLookup = std::function<std::optional<int64_t>(const std::string&)>;

// Evaluates with GNU as semantics on 64-bit integers (callers truncate to 32 bits).
// Throws InputError at the symbol's location for an undefined symbol, and for
// division by zero.
int64_t eval_expr(const Expr& e, const SymbolLookup& lookup);

// Parses a whole string as one expression (spec files use this for
// addresses and constants). Throws InputError at `loc` (column adjusted) on
// a syntax error.
ExprPtr parse_expr_text(const std::string& text, const SourceLocation& loc);

// Renders back to text (for diagnostics and traces).
std::string expr_to_string(const Expr& e);

}  // namespace ec

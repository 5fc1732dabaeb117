// Parses GNU as (or cpp #if) constant expressions into Expr trees: GNU as's
// operator ranking for Gas, C precedence for Cpp.
#pragma once
#include "model/asm/expr.hpp"
#include "model/asm/loc_text.hpp"

namespace ec::asmfe {

enum class ExprDialect {
  Gas,  // "1b"/"1f" are local-label references
  Cpp,  // integer suffixes (1UL) allowed
};

// Parses all of `t` as one expression; throws InputError on anything else.
ExprPtr parse_expr(const LocText& t, ExprDialect dialect = ExprDialect::Gas);

}  // namespace ec::asmfe

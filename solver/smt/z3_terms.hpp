// Small helpers on Z3 terms shared by the symbolic domain's folding and
// solving (solver/symbolic_fold.cpp, solver/symbolic_solve.cpp).
#pragma once
#include <z3++.h>

namespace ec::z3terms {

// The operator of an application (Z3_OP_UNINTERPRETED for anything else).
inline Z3_decl_kind kind_of(Z3_context c, Z3_ast a) {
  if (Z3_get_ast_kind(c, a) != Z3_APP_AST) return Z3_OP_UNINTERPRETED;
  return Z3_get_decl_kind(c, Z3_get_app_decl(c, Z3_to_app(c, a)));
}
// The same hash-consed term.
inline bool same(const z3::expr& a, const z3::expr& b) { return Z3_is_eq_ast(a.ctx(), a, b); }
inline int bv_width(const z3::expr& e) {
  return static_cast<int>(Z3_get_bv_sort_size(e.ctx(), Z3_get_sort(e.ctx(), e)));
}

}  // namespace ec::z3terms

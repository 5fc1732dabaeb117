#include "model/asm/equates.hpp"

#include <cctype>

namespace ec::asmfe {
namespace {

bool has_symbol(const ExprPtr& e) {
  if (!e) return false;
  return e->op == Expr::Op::Sym || has_symbol(e->lhs) || has_symbol(e->rhs);
}

// "1b" / "1f": GNU as binds these where the definition is written, but the
// renaming of numeric labels happens per statement, after substitution would
// have moved the reference to each use; refuse rather than bind it wrongly.
const Expr* local_label_reference(const ExprPtr& e) {
  if (!e) return nullptr;
  if (e->op == Expr::Op::Sym) {
    const std::string& s = e->sym;
    bool digits = s.size() >= 2 && std::isdigit(static_cast<unsigned char>(s[0]));
    return digits && (s.back() == 'b' || s.back() == 'f') ? e.get() : nullptr;
  }
  if (const Expr* l = local_label_reference(e->lhs)) return l;
  return local_label_reference(e->rhs);
}

}  // namespace

void EquateTable::define(const std::string& name, const ExprPtr& value, bool once, const SourceLocation& loc) {
  if (once && defined(name)) throw InputError(loc, "symbol '" + name + "' is already defined");
  if (const Expr* ref = local_label_reference(value))
    throw InputError(ref->loc, "local label reference '" + ref->sym + "' in a symbol definition is not supported");
  ExprPtr v = bind(value);
  // Folding keeps "N = N + 1" repeated (in .rept) from growing a tree per use.
  if (!has_symbol(v)) v = Expr::number(eval_expr(*v, {}), v->loc);
  current_[name] = v;
  first_.emplace(name, v);
}

ExprPtr EquateTable::bind(const ExprPtr& e) const {
  if (!e) return e;
  if (e->op == Expr::Op::Sym) {
    auto it = current_.find(e->sym);
    if (it == current_.end()) return e;
    // A number takes the use's location (for diagnostics there); a tree keeps
    // its own, whose symbols were bound where it was defined.
    const ExprPtr& v = it->second;
    return v->op == Expr::Op::Num ? Expr::number(v->num, e->loc) : v;
  }
  ExprPtr l = bind(e->lhs), r = bind(e->rhs);
  if (l == e->lhs && r == e->rhs) return e;
  auto copy = std::make_shared<Expr>(*e);
  copy->lhs = l;
  copy->rhs = r;
  return copy;
}

}  // namespace ec::asmfe

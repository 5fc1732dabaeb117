#include "model/asm/local_labels.hpp"

#include <cctype>
#include <map>

#include "model/asm/gas_macros.hpp"

namespace ec::asmfe {
namespace {

bool all_digits(const std::string& s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// "007" and "7" are the same label.
std::string canonical_number(const std::string& digits) {
  size_t i = 0;
  while (i + 1 < digits.size() && digits[i] == '0') ++i;
  return digits.substr(i);
}

std::string unique_name(const std::string& n, int k) {
  return ".Lnum" + n + "." + std::to_string(k);
}

class Renamer {
 public:
  explicit Renamer(const std::vector<Statement>& all) {
    for (const Statement& s : all)
      if (s.kind == Statement::Kind::Label && is_numeric_label(s.label)) ++total_[canonical_number(s.label)];
  }

  void visit(Statement& s) {
    if (s.kind == Statement::Kind::Label && is_numeric_label(s.label)) {
      std::string n = canonical_number(s.label);
      s.label = unique_name(n, seen_[n]++);
      return;
    }
    for (Operand& op : s.operands) {
      op.imm = rewrite(op.imm);
      op.mem.disp = rewrite(op.mem.disp);
    }
    s.extable_from = rewrite(s.extable_from);
    s.extable_to = rewrite(s.extable_to);
  }

 private:
  ExprPtr rewrite(const ExprPtr& e) {
    if (!e) return e;
    if (e->op == Expr::Op::Sym) return is_reference(e->sym) ? resolve(*e) : e;
    ExprPtr l = rewrite(e->lhs), r = rewrite(e->rhs);
    if (l == e->lhs && r == e->rhs) return e;
    auto copy = std::make_shared<Expr>(*e);
    copy->lhs = l;
    copy->rhs = r;
    return copy;
  }

  static bool is_reference(const std::string& s) {
    return s.size() >= 2 && (s.back() == 'b' || s.back() == 'f') && all_digits(s, s.size() - 1);
  }

  ExprPtr resolve(const Expr& e) {
    std::string n = canonical_number(e.sym.substr(0, e.sym.size() - 1));
    int seen = seen_[n];
    bool backward = e.sym.back() == 'b';
    if (backward ? seen == 0 : seen >= total_[n])
      throw InputError(e.loc, "undefined local label '" + e.sym + "'");
    return Expr::symbol(unique_name(n, backward ? seen - 1 : seen), e.loc);
  }

  std::map<std::string, int> total_, seen_;
};

}  // namespace

bool is_numeric_label(const std::string& name) { return all_digits(name, name.size()); }

void rename_numeric_labels(std::vector<Statement>& statements) {
  Renamer r(statements);
  for (Statement& s : statements) {
    try {
      r.visit(s);
    } catch (const InputError& e) {
      throw with_expansion_notes(e, s.expanded_from, s.macro_names);
    }
  }
}

}  // namespace ec::asmfe

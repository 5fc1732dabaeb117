// Symbols set by .set / .equ / .equiv / '=', with GNU as's redefinition rules.
//
// GNU as gives a symbol that is set again a new identity (it clones it), so a
// use means the definition in force where the use is written, and a use
// before any definition (a forward reference) means the first definition:
//   movl $F, %eax   # 1 (forward: the first definition)
//   .set F, 1
//   .set F, 2
//   N = N + 1       # the previous N
// The table substitutes the current value into expressions as they are
// parsed; names not defined yet stay symbols and are resolved at link time
// against the first definitions (ParsedSource::equates).
#pragma once
#include <map>
#include <string>

#include "model/asm/expr.hpp"

namespace ec::asmfe {

class EquateTable {
 public:
  // `once` (.equiv): an error if `name` is already defined. `value` is bound
  // (see bind) and, when it names no symbol left, folded to a number.
  void define(const std::string& name, const ExprPtr& value, bool once, const SourceLocation& loc);
  // `e` with every symbol defined so far replaced by its current value.
  ExprPtr bind(const ExprPtr& e) const;
  bool defined(const std::string& name) const { return current_.count(name) != 0; }
  // Each name's first definition: what forward references mean.
  const std::map<std::string, ExprPtr>& first() const { return first_; }

 private:
  std::map<std::string, ExprPtr> current_, first_;
};

}  // namespace ec::asmfe

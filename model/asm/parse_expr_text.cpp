// Expressions in spec files: the same grammar as in the assembly.
#include "model/asm/expr.hpp"
#include "model/asm/expr_parser.hpp"

namespace ec {

ExprPtr parse_expr_text(const std::string& text, const SourceLocation& loc) {
  asmfe::LocText t = asmfe::make_loc_text(loc.file, text, asmfe::Pos{loc.line, loc.column > 0 ? loc.column : 1});
  return asmfe::parse_expr(t, asmfe::ExprDialect::Gas);
}

}  // namespace ec

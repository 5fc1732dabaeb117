// GNU as .macro definitions: parameter lists, argument binding, and the
// \param / \@ / \() substitution applied to each body statement.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/asm/loc_text.hpp"

namespace ec::asmfe {

// One statement waiting to be processed, with the macro expansions it came from.
struct RawStmt {
  LocText text;
  std::vector<SourceLocation> expanded_from;  // innermost first
  std::vector<std::string> macro_names;
  // The innermost macro expansion it belongs to (0: none), and whether this is
  // the empty statement queued after that expansion's body: .exitm drops the
  // rest of the expansion up to it.
  int expansion = 0;
  bool ends_expansion = false;
};

struct GasMacroParam {
  std::string name;
  LocText default_value;
  bool required = false;
  bool vararg = false;
};

struct GasMacro {
  std::string name;
  std::vector<GasMacroParam> params;
  std::vector<RawStmt> body;
  SourceLocation loc;
};

// Adds "in expansion of macro 'M' at file:line:col" notes, innermost first.
InputError with_expansion_notes(const InputError& e, const std::vector<SourceLocation>& sites,
                                const std::vector<std::string>& names);

using MacroValues = std::map<std::string, LocText>;

// Splits GNU as macro arguments: separated by commas or blanks (blanks around
// an operator do not separate), strings and parentheses kept whole.
std::vector<LocText> split_macro_args(const LocText& t);

// The text inside the quotes for "..." arguments, else `t` trimmed.
LocText unquote(const LocText& t);

// Parses the text after ".macro": "NAME a, b=1, c:req, d:vararg".
GasMacro parse_macro_header(const LocText& rest, const SourceLocation& loc);

// Binds invocation arguments (positional or name=value) to parameters.
MacroValues bind_macro_args(const GasMacro& m, const LocText& args, const SourceLocation& call);

// Replaces \name by its value, \@ by `counter` and \() by nothing. Substituted
// characters are attributed to the backslash's position.
LocText substitute_macro_args(const LocText& line, const MacroValues& values, int counter);

}  // namespace ec::asmfe

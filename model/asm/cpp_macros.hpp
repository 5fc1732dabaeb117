// C preprocessor macros: #define table and expansion of one logical line.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/asm/loc_text.hpp"

namespace ec::asmfe {

// Bounds on one line's expansion (docs/cli.md "Limits"): macro calls nested
// in each other's arguments or bodies (expansion recurses once per level),
// and the expanded line's length (a chain of #defines that each use the
// previous one twice doubles it per link).
constexpr int kMaxCppMacroNesting = 200;
constexpr size_t kMaxCppExpansionBytes = size_t{1} << 20;

struct CppMacro {
  std::string name;
  bool function_like = false;
  std::vector<std::string> params;  // "__VA_ARGS__" last for "..."
  bool variadic = false;
  std::string body;
  SourceLocation loc;
};

class CppMacros {
 public:
  // Parses "NAME body" / "NAME(a, b) body" (the text after "#define").
  void define_from(const LocText& rest);
  void undef(const std::string& name) { macros_.erase(name); }
  bool defined(const std::string& name) const { return macros_.count(name) != 0; }

  // Expands every macro in `line` (strings and pp-numbers are left alone); a
  // macro is not re-expanded inside its own expansion. Expanded text is
  // attributed to the position of the macro name.
  LocText expand(const LocText& line) const;
  std::string expand_string(const std::string& s) const;

 private:
  // `depth`: how many macro calls enclose `in` (at most kMaxCppMacroNesting).
  LocText expand_with(const LocText& in, const std::set<std::string>& disabled, int depth) const;
  size_t expand_call(const CppMacro& m, const LocText& in, size_t name_at, size_t after_name,
                     const std::set<std::string>& disabled, int depth, LocText& out) const;
  std::string substitute(const CppMacro& m, const std::vector<LocText>& args,
                         const std::set<std::string>& disabled, int depth) const;

  std::map<std::string, CppMacro> macros_;
};

// Index just past the identifier / pp-number starting at `i`.
size_t cpp_ident_end(std::string_view s, size_t i);
size_t pp_number_end(std::string_view s, size_t i);

}  // namespace ec::asmfe

// C preprocessor macros: #define table and expansion of one logical line.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/asm/loc_text.hpp"

namespace ec::asmfe {

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
  LocText expand_with(const LocText& in, const std::set<std::string>& disabled) const;
  size_t expand_call(const CppMacro& m, const LocText& in, size_t name_at, size_t after_name,
                     const std::set<std::string>& disabled, LocText& out) const;
  std::string substitute(const CppMacro& m, const std::vector<LocText>& args,
                         const std::set<std::string>& disabled) const;

  std::map<std::string, CppMacro> macros_;
};

// Index just past the identifier / pp-number starting at `i`.
size_t cpp_ident_end(std::string_view s, size_t i);
size_t pp_number_end(std::string_view s, size_t i);

}  // namespace ec::asmfe

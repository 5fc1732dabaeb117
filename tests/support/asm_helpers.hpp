// Shared helpers for the assembly front-end tests.
#pragma once
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "model/asm/parsed.hpp"

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string s = "{";
    for (const auto& x : v) s += (s.size() > 1 ? ", \"" : "\"") + x + "\"";
    return String((s + "}").c_str());
  }
};
}  // namespace doctest

namespace ec::asmtest {

inline ParsedSource parse(const std::string& text, const FrontEndOptions& opts = {}) {
  return parse_asm_text(text, "t.S", opts);
}

inline std::vector<const Statement*> of_kind(const ParsedSource& ps, Statement::Kind k) {
  std::vector<const Statement*> out;
  for (const Statement& s : ps.statements)
    if (s.kind == k) out.push_back(&s);
  return out;
}

inline std::vector<std::string> texts(const ParsedSource& ps) {
  std::vector<std::string> out;
  for (const Statement& s : ps.statements) {
    if (s.kind == Statement::Kind::Label) out.push_back(s.label + ":");
    if (s.kind == Statement::Kind::Instruction) out.push_back(s.text);
    if (s.kind == Statement::Kind::ExtableEntry) out.push_back("extable");
  }
  return out;
}

inline std::string where(const SourceLocation& l) { return l.str(); }

// The error's "file:line:col: message" for an input that must be rejected.
inline std::string error_of(const std::string& text, const FrontEndOptions& opts = {}) {
  try {
    parse(text, opts);
  } catch (const InputError& e) {
    return e.diagnostic().where.str() + ": " + e.diagnostic().message;
  }
  return "<no error>";
}

inline std::string fixture(const std::string& name) {
  return std::string(EC_SOURCE_DIR) + "/tests/model/asm/fixtures/" + name;
}

}  // namespace ec::asmtest

// Text that remembers, per character, the line and column it was written at, so
// that every later stage (cpp expansion, GAS macro substitution, operand
// parsing) can point diagnostics at the original source.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/base/diagnostic.hpp"

namespace ec::asmfe {

struct Pos {
  int line = 0;
  int col = 0;
};

struct LocText {
  std::string file;
  std::string text;
  std::vector<Pos> pos;  // same size as text
  Pos end_pos;           // location just past the last character (for empty slices)

  size_t size() const { return text.size(); }
  bool empty() const { return text.empty(); }
  char operator[](size_t i) const { return text[i]; }

  SourceLocation at(size_t i) const;  // clamps to end_pos past the end
  LocText slice(size_t begin, size_t end) const;
  LocText trimmed() const;  // without surrounding blanks
  size_t first_nonblank() const;

  void append(char c, Pos p);
  void append(const LocText& other);
  // Appends `s`, attributing every character to `p` (text produced by an expansion).
  void append_generated(std::string_view s, Pos p);
};

LocText make_loc_text(const std::string& file, std::string_view s, Pos start);

bool is_blank(char c);
bool is_ident_start(char c);  // GAS symbol start: letters _ . $
bool is_ident_char(char c);
bool is_cpp_ident_start(char c);
bool is_cpp_ident_char(char c);

// Index just past the string literal starting at `i` (which must be '"').
size_t skip_string(std::string_view s, size_t i);

// Splits at commas outside parentheses and strings. Always returns at least one part.
std::vector<LocText> split_top_level(const LocText& t, char sep);

}  // namespace ec::asmfe

#include "model/asm/loc_text.hpp"

#include <cctype>

namespace ec::asmfe {

SourceLocation LocText::at(size_t i) const {
  Pos p = i < pos.size() ? pos[i] : end_pos;
  return SourceLocation{file, p.line, p.col};
}

LocText LocText::slice(size_t begin, size_t end) const {
  LocText out;
  out.file = file;
  if (end > text.size()) end = text.size();
  if (begin > end) begin = end;
  out.text = text.substr(begin, end - begin);
  out.pos.assign(pos.begin() + static_cast<long>(begin), pos.begin() + static_cast<long>(end));
  out.end_pos = end < pos.size() ? pos[end] : end_pos;
  return out;
}

size_t LocText::first_nonblank() const {
  size_t i = 0;
  while (i < text.size() && is_blank(text[i])) ++i;
  return i;
}

LocText LocText::trimmed() const {
  size_t b = first_nonblank();
  size_t e = text.size();
  while (e > b && is_blank(text[e - 1])) --e;
  LocText out = slice(b, e);
  if (out.empty()) out.end_pos = b < pos.size() ? pos[b] : end_pos;
  return out;
}

void LocText::append(char c, Pos p) {
  text.push_back(c);
  pos.push_back(p);
  end_pos = Pos{p.line, p.col + 1};
}

void LocText::append(const LocText& other) {
  text += other.text;
  pos.insert(pos.end(), other.pos.begin(), other.pos.end());
  end_pos = other.end_pos;
}

void LocText::append_generated(std::string_view s, Pos p) {
  text += s;
  pos.insert(pos.end(), s.size(), p);
  end_pos = p;
}

LocText make_loc_text(const std::string& file, std::string_view s, Pos start) {
  LocText t;
  t.file = file;
  t.end_pos = start;
  for (size_t i = 0; i < s.size(); ++i) t.append(s[i], Pos{start.line, start.col + static_cast<int>(i)});
  return t;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}
bool is_cpp_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_cpp_ident_char(char c) {
  return is_cpp_ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

size_t skip_string(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

std::vector<LocText> split_top_level(const LocText& t, char sep) {
  std::vector<LocText> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < t.size();) {
    char c = t[i];
    if (c == '"') {
      i = skip_string(t.text, i);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == sep && depth <= 0) {
      parts.push_back(t.slice(start, i));
      start = i + 1;
    }
    ++i;
  }
  parts.push_back(t.slice(start, t.size()));
  return parts;
}

}  // namespace ec::asmfe

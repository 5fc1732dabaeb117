#include "model/asm/cpp_macros.hpp"

#include <cctype>

namespace ec::asmfe {

size_t cpp_ident_end(std::string_view s, size_t i) {
  while (i < s.size() && is_cpp_ident_char(s[i])) ++i;
  return i;
}

size_t pp_number_end(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    char c = s[i];
    bool exp_sign = (c == '+' || c == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E' ||
                                               s[i - 1] == 'p' || s[i - 1] == 'P');
    if (!is_cpp_ident_char(c) && c != '.' && !exp_sign) break;
  }
  return i;
}

namespace {

bool starts_pp_number(std::string_view s, size_t i) {
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  return digit(s[i]) || (s[i] == '.' && i + 1 < s.size() && digit(s[i + 1]));
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_blank(s[b])) ++b;
  while (e > b && is_blank(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> parse_params(const LocText& list, bool& variadic) {
  std::vector<std::string> params;
  if (list.trimmed().empty()) return params;
  for (const LocText& p : split_top_level(list, ',')) {
    std::string name = trim(p.text);
    if (name == "...") {
      variadic = true;
      name = "__VA_ARGS__";
    } else if (name.empty() || cpp_ident_end(name, 0) != name.size() ||
               !is_cpp_ident_start(name[0])) {
      throw InputError(p.trimmed().at(0), "invalid macro parameter '" + name + "'");
    }
    params.push_back(name);
  }
  return params;
}

// Finds the ')' closing the '(' at `open`; npos when the line ends first.
size_t matching_paren(const std::string& s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size();) {
    if (s[i] == '"') {
      i = skip_string(s, i);
      continue;
    }
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i;
    ++i;
  }
  return std::string::npos;
}

std::string stringify(const std::string& s) {
  std::string out = "\"";
  for (char c : trim(s)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Removes "##" and the blanks around it.
std::string paste(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 2, "##") == 0) {
      while (!out.empty() && is_blank(out.back())) out.pop_back();
      i += 2;
      while (i < s.size() && is_blank(s[i])) ++i;
    } else {
      out += s[i++];
    }
  }
  return out;
}

bool next_to_paste(const std::string& body, size_t b, size_t e) {
  size_t k = b;
  while (k > 0 && is_blank(body[k - 1])) --k;
  if (k >= 2 && body.compare(k - 2, 2, "##") == 0) return true;
  while (e < body.size() && is_blank(body[e])) ++e;
  return body.compare(e, 2, "##") == 0;
}

[[noreturn]] void too_long(const SourceLocation& where) {
  throw InputError(where, "macro expansion longer than " + std::to_string(kMaxCppExpansionBytes) +
                              " characters (a chain of macros that each use the previous one twice?)");
}

// Every character of an expansion points at the macro name.
LocText generated(const std::string& file, const std::string& text, Pos at) {
  LocText t;
  t.file = file;
  t.append_generated(text, at);
  return t;
}

}  // namespace

void CppMacros::define_from(const LocText& rest_in) {
  LocText rest = rest_in.trimmed();
  size_t n = cpp_ident_end(rest.text, 0);
  if (rest.empty() || !is_cpp_ident_start(rest[0]))
    throw InputError(rest.at(0), "macro names must be identifiers");
  CppMacro m;
  m.name = rest.text.substr(0, n);
  m.loc = rest.at(0);
  size_t body_at = n;
  if (n < rest.size() && rest[n] == '(') {
    size_t close = matching_paren(rest.text, n);
    if (close == std::string::npos) throw InputError(rest.at(n), "missing ')' in macro parameter list");
    m.function_like = true;
    m.params = parse_params(rest.slice(n + 1, close), m.variadic);
    body_at = close + 1;
  }
  m.body = trim(std::string_view(rest.text).substr(body_at));
  macros_[m.name] = std::move(m);
}

LocText CppMacros::expand(const LocText& line) const { return expand_with(line, {}, 0); }

std::string CppMacros::expand_string(const std::string& s) const {
  return expand(make_loc_text("", s, Pos{1, 1})).text;
}

LocText CppMacros::expand_with(const LocText& in, const std::set<std::string>& disabled, int depth) const {
  LocText out;
  out.file = in.file;
  out.end_pos = in.end_pos;
  const std::string& s = in.text;
  for (size_t i = 0; i < s.size();) {
    size_t e = i + 1;
    if (s[i] == '"') {
      e = skip_string(s, i);
    } else if (starts_pp_number(s, i)) {
      e = pp_number_end(s, i);
    } else if (is_cpp_ident_start(s[i])) {
      e = cpp_ident_end(s, i);
      auto it = macros_.find(s.substr(i, e - i));
      if (it != macros_.end() && !disabled.count(it->first)) {
        size_t name_at = i;
        i = expand_call(it->second, in, i, e, disabled, depth, out);
        if (out.size() > kMaxCppExpansionBytes) too_long(in.at(name_at));
        continue;
      }
    }
    out.append(in.slice(i, e));
    i = e;
  }
  out.end_pos = in.end_pos;
  return out;
}

// Appends the expansion of `m` (named at `name_at`) to `out`; returns the index
// just past what it consumed.
size_t CppMacros::expand_call(const CppMacro& m, const LocText& in, size_t name_at,
                              size_t after_name, const std::set<std::string>& disabled, int depth,
                              LocText& out) const {
  if (depth >= kMaxCppMacroNesting)
    throw InputError(in.at(name_at), "macro '" + m.name + "' called nested more than " +
                                         std::to_string(kMaxCppMacroNesting) + " levels deep");
  std::set<std::string> inner = disabled;
  inner.insert(m.name);
  Pos at = in.pos[name_at];
  if (!m.function_like) {
    out.append(expand_with(generated(in.file, m.body, at), inner, depth + 1));
    return after_name;
  }
  size_t open = after_name;
  while (open < in.size() && is_blank(in[open])) ++open;
  if (open >= in.size() || in[open] != '(') {  // a function-like name alone is not a call
    out.append(in.slice(name_at, after_name));
    return after_name;
  }
  size_t close = matching_paren(in.text, open);
  if (close == std::string::npos)
    throw InputError(in.at(name_at), "unterminated argument list invoking macro '" + m.name + "'");
  std::vector<LocText> args = split_top_level(in.slice(open + 1, close), ',');
  if (m.params.empty() && args.size() == 1 && args[0].trimmed().empty()) args.clear();
  if (m.variadic && args.size() > m.params.size()) {
    LocText rest = in.slice(open + 1, close);
    size_t skip = 0;
    for (size_t k = 0; k + 1 < m.params.size(); ++k) skip += args[k].size() + 1;
    args.resize(m.params.size() - 1);
    args.push_back(rest.slice(skip, rest.size()));
  }
  if (args.size() != m.params.size() && !(m.variadic && args.size() + 1 == m.params.size()))
    throw InputError(in.at(name_at), "macro '" + m.name + "' requires " +
                                         std::to_string(m.params.size()) + " arguments, but " +
                                         std::to_string(args.size()) + " given");
  args.resize(m.params.size());
  std::string body = substitute(m, args, disabled, depth + 1);
  out.append(expand_with(generated(in.file, body, at), inner, depth + 1));
  return close + 1;
}

std::string CppMacros::substitute(const CppMacro& m, const std::vector<LocText>& args,
                                  const std::set<std::string>& disabled, int depth) const {
  auto param_index = [&](std::string_view name) -> int {
    for (size_t k = 0; k < m.params.size(); ++k)
      if (m.params[k] == name) return static_cast<int>(k);
    return -1;
  };
  const std::string& b = m.body;
  std::string out;
  for (size_t i = 0; i < b.size();) {
    if (b[i] == '"') {
      size_t e = skip_string(b, i);
      out += b.substr(i, e - i);
      i = e;
      continue;
    }
    bool hash = b[i] == '#' && (i + 1 >= b.size() || b[i + 1] != '#') && (i == 0 || b[i - 1] != '#');
    size_t id = hash ? i + 1 : i;
    while (hash && id < b.size() && is_blank(b[id])) ++id;
    if (id < b.size() && is_cpp_ident_start(b[id])) {
      size_t e = cpp_ident_end(b, id);
      int k = param_index(std::string_view(b).substr(id, e - id));
      if (k >= 0 && hash) {
        out += stringify(args[static_cast<size_t>(k)].text);
      } else if (k >= 0) {
        const LocText& a = args[static_cast<size_t>(k)];
        out += next_to_paste(b, id, e) ? trim(a.text) : trim(expand_with(a, disabled, depth).text);
      } else {
        out += b.substr(i, e - i);
      }
      i = e;
      if (out.size() > kMaxCppExpansionBytes) too_long(m.loc);
      continue;
    }
    out += b[i++];
  }
  return paste(out);
}

}  // namespace ec::asmfe

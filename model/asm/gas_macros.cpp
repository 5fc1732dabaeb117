#include "model/asm/gas_macros.hpp"

#include <cctype>
#include <string_view>

namespace ec::asmfe {
namespace {

bool is_operator_char(char c) { return std::string_view("+-*/%|&^<>=!~").find(c) != std::string_view::npos; }

size_t skip_blanks(const LocText& t, size_t i) {
  while (i < t.size() && is_blank(t[i])) ++i;
  return i;
}

// End of one argument starting at `i`: stops at a top-level comma, or at blanks
// not adjoining an operator.
size_t arg_end(const LocText& t, size_t i) {
  int depth = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '"') {
      i = skip_string(t.text, i);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth <= 0 && c == ',') return i;
    if (depth <= 0 && is_blank(c)) {
      size_t next = skip_blanks(t, i);
      // "a + b" is one argument, "%eax %ebx" or "1 -1" are two.
      bool binary_op = next + 1 < t.size() && is_operator_char(t[next]) && is_blank(t[next + 1]);
      bool joins = next < t.size() && (binary_op || is_operator_char(t[i - 1]));
      if (!joins) return i;
      i = next;
      continue;
    }
    ++i;
  }
  return i;
}

std::string word_at(const LocText& t, size_t i) {
  size_t e = i;
  while (e < t.size() && (std::isalnum(static_cast<unsigned char>(t[e])) || t[e] == '_')) ++e;
  return t.text.substr(i, e - i);
}

// "name=value" with `name` a parameter of `m`: returns the parameter index.
int named_param(const GasMacro& m, const LocText& arg, LocText& value) {
  size_t eq = arg.text.find('=');
  if (eq == std::string::npos || arg[0] == '"') return -1;
  std::string name = arg.slice(0, eq).trimmed().text;
  for (size_t k = 0; k < m.params.size(); ++k) {
    if (m.params[k].name == name) {
      value = arg.slice(eq + 1, arg.size()).trimmed();
      return static_cast<int>(k);
    }
  }
  return -1;
}

LocText join_args(const std::vector<LocText>& args, size_t from) {
  LocText out;
  for (size_t k = from; k < args.size(); ++k) {
    if (k > from) out.append_generated(",", args[k].pos.empty() ? args[k].end_pos : args[k].pos[0]);
    out.append(args[k]);
    out.file = args[k].file;
  }
  return out;
}

}  // namespace

std::vector<LocText> split_macro_args(const LocText& t) {
  std::vector<LocText> args;
  size_t i = skip_blanks(t, 0);
  while (i < t.size()) {
    size_t e = arg_end(t, i);
    args.push_back(t.slice(i, e).trimmed());
    i = skip_blanks(t, e);
    if (i < t.size() && t[i] == ',') {
      i = skip_blanks(t, i + 1);
      if (i >= t.size()) args.push_back(t.slice(i, i));  // trailing empty argument
    }
  }
  return args;
}

LocText unquote(const LocText& t) {
  LocText s = t.trimmed();
  if (s.size() >= 2 && s[0] == '"' && skip_string(s.text, 0) == s.size()) return s.slice(1, s.size() - 1);
  return s;
}

GasMacro parse_macro_header(const LocText& rest_in, const SourceLocation& loc) {
  LocText rest = rest_in.trimmed();
  GasMacro m;
  m.loc = loc;
  size_t e = 0;
  while (e < rest.size() && is_ident_char(rest[e])) ++e;
  if (e == 0) throw InputError(rest.at(0), "expected macro name after '.macro'");
  m.name = rest.text.substr(0, e);
  size_t i = skip_blanks(rest, e);
  if (i < rest.size() && rest[i] == ',') ++i;
  for (const LocText& p : split_macro_args(rest.slice(i, rest.size()))) {
    GasMacroParam param;
    size_t eq = p.text.find('=');
    LocText head = eq == std::string::npos ? p : p.slice(0, eq).trimmed();
    if (eq != std::string::npos) param.default_value = unquote(p.slice(eq + 1, p.size()));
    size_t colon = head.text.find(':');
    param.name = head.slice(0, colon).trimmed().text;
    std::string qual = colon == std::string::npos ? "" : head.slice(colon + 1, head.size()).trimmed().text;
    if (param.name.empty() || word_at(head, 0) != param.name)
      throw InputError(p.at(0), "bad macro parameter '" + p.text + "'");
    if (qual == "req") {
      param.required = true;
    } else if (qual == "vararg") {
      param.vararg = true;
    } else if (!qual.empty()) {
      throw InputError(head.at(colon + 1), "'" + qual + "' is not a valid parameter qualifier");
    }
    for (const GasMacroParam& earlier : m.params)  // GNU as: "duplicate parameter"
      if (earlier.name == param.name)
        throw InputError(p.at(0), "macro '" + m.name + "' has two parameters named '" + param.name + "'");
    m.params.push_back(std::move(param));
  }
  return m;
}

MacroValues bind_macro_args(const GasMacro& m, const LocText& text, const SourceLocation& call) {
  MacroValues values;
  std::vector<bool> bound(m.params.size(), false), given(m.params.size(), false);
  std::vector<LocText> args = split_macro_args(text);
  size_t next = 0;
  for (size_t a = 0; a < args.size(); ++a) {
    LocText value;
    int k = named_param(m, args[a], value);
    if (k < 0) {
      while (next < m.params.size() && bound[next]) ++next;
      if (next >= m.params.size())
        throw InputError(args[a].at(0), "too many positional arguments for macro '" + m.name + "'");
      k = static_cast<int>(next);
      value = m.params[next].vararg ? join_args(args, a) : args[a];
      if (m.params[next].vararg) a = args.size();
    }
    auto idx = static_cast<size_t>(k);
    values[m.params[idx].name] = unquote(value);
    bound[idx] = true;
    given[idx] = !value.trimmed().empty() || m.params[idx].vararg;
  }
  for (size_t k = 0; k < m.params.size(); ++k) {
    if (given[k]) continue;
    if (m.params[k].required)
      throw InputError(call, "missing value for required parameter '" + m.params[k].name +
                                 "' of macro '" + m.name + "'");
    values[m.params[k].name] = m.params[k].default_value;
  }
  return values;
}

LocText substitute_macro_args(const LocText& line, const MacroValues& values, int counter) {
  LocText out;
  out.file = line.file;
  for (size_t i = 0; i < line.size();) {
    if (line[i] != '\\' || i + 1 >= line.size()) {
      out.append(line[i], line.pos[i]);
      ++i;
      continue;
    }
    Pos at = line.pos[i];
    if (line[i + 1] == '@') {
      out.append_generated(std::to_string(counter), at);
      i += 2;
    } else if (line.text.compare(i + 1, 2, "()") == 0) {
      i += 3;
    } else {
      std::string name = word_at(line, i + 1);
      auto it = name.empty() ? values.end() : values.find(name);
      if (it == values.end()) {
        out.append(line[i], at);
        ++i;
        continue;
      }
      out.append_generated(it->second.text, at);
      i += 1 + name.size();
    }
  }
  out.end_pos = line.end_pos;
  return out;
}

InputError with_expansion_notes(const InputError& e, const std::vector<SourceLocation>& sites,
                                const std::vector<std::string>& names) {
  if (sites.empty() || !e.diagnostic().notes.empty()) return e;
  Diagnostic d = e.diagnostic();
  for (size_t k = 0; k < sites.size() && k < names.size(); ++k)
    d.notes.push_back("in expansion of macro '" + names[k] + "' at " + sites[k].str());
  return InputError(std::move(d));
}

}  // namespace ec::asmfe

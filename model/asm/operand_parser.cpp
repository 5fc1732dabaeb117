#include "model/asm/operand_parser.hpp"

#include <array>
#include <cctype>

#include "model/asm/expr_parser.hpp"

namespace ec::asmfe {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void check_balanced(const LocText& t) {
  std::vector<size_t> open;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '(') open.push_back(i);
    if (t[i] != ')') continue;
    if (open.empty()) throw InputError(t.at(i), "unbalanced parentheses in operand");
    open.pop_back();
  }
  if (!open.empty()) throw InputError(t.at(open.back()), "unbalanced parentheses in operand");
}

// Reads "%name" at `i`; returns the register and sets `end` past the name.
Reg read_register(const LocText& t, size_t i, size_t& end) {
  size_t e = i + 1;
  while (e < t.size() && std::isalnum(static_cast<unsigned char>(t[e]))) ++e;
  std::string name = t.text.substr(i + 1, e - i - 1);
  std::optional<Reg> r = reg_by_name(lower(name));
  if (!r) throw InputError(t.at(i), "bad register name '%" + name + "'");
  end = e;
  return *r;
}

// A whole-text register ("%eax" with nothing else but blanks).
Reg expect_register(const LocText& t, const char* role) {
  if (t.empty() || t[0] != '%')
    throw InputError(t.at(0), std::string("expected ") + role + " register, got '" + t.text + "'");
  size_t end = 0;
  Reg r = read_register(t, 0, end);
  if (end != t.size()) throw InputError(t.at(end), "junk '" + t.text.substr(end) + "' after register");
  if (reg_info(r).family != RegFamily::General)
    throw InputError(t.at(0), "'%" + std::string(reg_info(r).name) + "' is not a valid " + role +
                                  " register");
  return r;
}

int parse_scale(const LocText& t) {
  ExprPtr e = parse_expr(t);
  int64_t v = eval_expr(*e, [](const std::string&) { return std::optional<int64_t>{}; });
  if (v != 1 && v != 2 && v != 4 && v != 8)
    throw InputError(t.at(0), "invalid scale factor '" + t.text + "'");
  return static_cast<int>(v);
}

void parse_base_index(const LocText& inner, MemRef& mem) {
  std::vector<LocText> parts = split_top_level(inner, ',');
  if (parts.size() > 3) throw InputError(parts[3].at(0), "too many commas in memory operand");
  LocText base = parts[0].trimmed();
  if (!base.empty()) mem.base = expect_register(base, "base");
  if (parts.size() >= 2) {
    LocText index = parts[1].trimmed();
    if (index.empty()) throw InputError(index.at(0), "expected index register");
    mem.index = expect_register(index, "index");
    if (*mem.index == Reg::ESP) throw InputError(index.at(0), "'%esp' is not a valid index register");
  }
  if (parts.size() == 3) {
    LocText scale = parts[2].trimmed();
    if (scale.empty()) throw InputError(scale.at(0), "expected scale factor");
    mem.scale = parse_scale(scale);
  }
}

// Index of the '(' matching the final ')' of `t`.
size_t opening_paren(const LocText& t) {
  int depth = 0;
  for (size_t i = t.size(); i-- > 0;) {
    if (t[i] == ')') ++depth;
    if (t[i] == '(' && --depth == 0) return i;
  }
  return 0;
}

void parse_memory(const LocText& t, MemRef& mem) {
  if (t.empty()) throw InputError(t.at(0), "expected memory operand");
  if (t[t.size() - 1] == ')') {
    size_t open = opening_paren(t);
    LocText inner = t.slice(open + 1, t.size() - 1).trimmed();
    if (inner.empty() || inner[0] == '%' || inner[0] == ',') {
      if (inner.empty()) throw InputError(t.at(open), "empty base/index in memory operand");
      parse_base_index(inner, mem);
      LocText disp = t.slice(0, open).trimmed();
      if (!disp.empty()) mem.disp = parse_expr(disp);
      return;
    }
  }
  mem.disp = parse_expr(t);
}

Operand parse_register_or_segmented(const LocText& t, Operand op) {
  size_t end = 0;
  Reg r = read_register(t, 0, end);
  LocText rest = t.slice(end, t.size()).trimmed();
  if (rest.empty()) {
    op.kind = Operand::Kind::Register;
    op.reg = r;
    return op;
  }
  if (rest[0] != ':') throw InputError(rest.at(0), "junk '" + rest.text + "' after register");
  if (reg_info(r).family != RegFamily::Segment)
    throw InputError(t.at(0), "'%" + std::string(reg_info(r).name) + "' is not a segment register");
  op.kind = Operand::Kind::Memory;
  op.mem.segment = r;
  parse_memory(rest.slice(1, rest.size()).trimmed(), op.mem);
  return op;
}

}  // namespace

bool is_instruction_prefix(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kPrefixes = {"rep",  "repe",  "repz", "repne",
                                                                 "repnz", "lock", "notrack"};
  for (std::string_view p : kPrefixes)
    if (word == p) return true;
  return false;
}

Operand parse_operand(const LocText& text) {
  LocText t = text.trimmed();
  Operand op;
  op.loc = t.at(0);
  if (t.empty()) throw InputError(op.loc, "empty operand");
  check_balanced(t);
  if (t[0] == '*') {
    op.indirect = true;
    t = t.slice(1, t.size()).trimmed();
    if (t.empty()) throw InputError(op.loc, "missing operand after '*'");
  }
  if (t[0] == '$') {
    if (op.indirect) throw InputError(op.loc, "immediate operand cannot be indirect");
    LocText value = t.slice(1, t.size()).trimmed();
    if (value.empty()) throw InputError(t.at(0), "missing value after '$'");
    op.kind = Operand::Kind::Immediate;
    op.imm = parse_expr(value);
    return op;
  }
  if (t[0] == '%') return parse_register_or_segmented(t, op);
  op.kind = Operand::Kind::Memory;
  parse_memory(t, op.mem);
  return op;
}

namespace {

size_t word_end(const LocText& t, size_t i) {
  while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_' || t[i] == '.'))
    ++i;
  return i;
}

size_t skip_blanks(const LocText& t, size_t i) {
  while (i < t.size() && is_blank(t[i])) ++i;
  return i;
}

}  // namespace

void parse_instruction(const LocText& text, Statement& st) {
  LocText t = text.trimmed();
  size_t i = 0;
  std::string text_out;
  while (i < t.size()) {
    size_t e = word_end(t, i);
    if (e == i || !std::isalpha(static_cast<unsigned char>(t[i])))
      throw InputError(t.at(i), "junk '" + t.text.substr(i) + "' at start of statement");
    std::string word = lower(t.text.substr(i, e - i));
    text_out += word + " ";
    i = skip_blanks(t, e);
    if (!is_instruction_prefix(word)) {
      st.mnemonic = word;
      break;
    }
    st.prefixes.push_back(word);
  }
  if (st.mnemonic.empty() || i >= t.size()) {
    st.text = text_out.substr(0, text_out.empty() ? 0 : text_out.size() - 1);
    return;
  }
  std::string ops;
  for (const LocText& part : split_top_level(t.slice(i, t.size()), ',')) {
    st.operands.push_back(parse_operand(part));
    ops += (ops.empty() ? "" : ", ") + part.trimmed().text;
  }
  st.text = text_out + ops;
}

}  // namespace ec::asmfe

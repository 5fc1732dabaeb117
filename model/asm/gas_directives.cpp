// GasProcessor: directives, equates, kernel helper macros and statement emission.
#include <cctype>

#include "model/asm/expr_parser.hpp"
#include "model/asm/gas_processor.hpp"
#include "model/asm/operand_parser.hpp"

namespace ec::asmfe {
namespace {

bool one_of(const std::string& w, std::initializer_list<const char*> words) {
  for (const char* x : words)
    if (w == x) return true;
  return false;
}

bool is_ignored_directive(const std::string& w) {
  return w.starts_with(".cfi_") ||
         one_of(w, {".type", ".size", ".align", ".balign", ".p2align", ".code32", ".file", ".loc",
                    ".weak", ".hidden", ".local", ".ident", ".warning", ".print", ".nops"});
}

bool is_data_directive(const std::string& w) {
  return one_of(w, {".long", ".word", ".short", ".byte", ".int", ".quad", ".octa", ".value",
                    ".ascii", ".asciz", ".string", ".skip", ".space", ".zero", ".fill"});
}

bool is_symbol_name(const LocText& t) {
  if (t.empty() || !is_ident_start(t[0]) || t[0] == '$') return false;
  for (char c : t.text)
    if (!is_ident_char(c)) return false;
  return true;
}

std::string remove_blanks(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!is_blank(c)) out += c;
  return out;
}

// "x - ." as written by _ASM_EXTABLE's directive form: returns x, else null.
ExprPtr relative_target(const ExprPtr& e) {
  if (e->op == Expr::Op::Sub && e->rhs->op == Expr::Op::Sym && e->rhs->sym == ".") return e->lhs;
  return nullptr;
}

struct Builtin {
  const char* name;
  size_t args;
  enum Action { Extable, GlobalLabel, LocalLabel, Ignore } action;
};

constexpr Builtin kBuiltins[] = {
    {"_ASM_EXTABLE", 2, Builtin::Extable},          {"_ASM_EXTABLE_UA", 2, Builtin::Extable},
    {"_ASM_EXTABLE_TYPE", 3, Builtin::Extable},     {"ENTRY", 1, Builtin::GlobalLabel},
    {"GLOBAL", 1, Builtin::GlobalLabel},            {"SYM_CODE_START", 1, Builtin::GlobalLabel},
    {"SYM_FUNC_START", 1, Builtin::GlobalLabel},    {"SYM_CODE_START_NOALIGN", 1, Builtin::GlobalLabel},
    {"SYM_CODE_START_LOCAL", 1, Builtin::LocalLabel}, {"SYM_FUNC_START_LOCAL", 1, Builtin::LocalLabel},
    {"SYM_CODE_START_LOCAL_NOALIGN", 1, Builtin::LocalLabel},
    {"END", 1, Builtin::Ignore},                    {"ENDPROC", 1, Builtin::Ignore},
    {"SYM_CODE_END", 1, Builtin::Ignore},           {"SYM_FUNC_END", 1, Builtin::Ignore},
};

}  // namespace

void GasProcessor::directive(const RawStmt& s, const std::string& word, const LocText& rest,
                             const SourceLocation& loc) {
  if (word == ".set" || word == ".equ" || word == ".equiv") {
    std::vector<LocText> parts = split_top_level(rest, ',');
    if (parts.size() != 2) throw InputError(loc, "expected 'name, value' after '" + word + "'");
    return set_equate(parts[0].trimmed(), parts[1], word == ".equiv");
  }
  if (word == ".globl" || word == ".global") {
    for (const LocText& part : split_top_level(rest, ',')) {  // GNU as: "expected symbol name"
      LocText n = part.trimmed();
      size_t e = 0;
      while (e < n.size() && is_ident_char(n[e])) ++e;
      if (e == 0 || e != n.size()) throw InputError(n.empty() ? loc : n.at(0), "expected symbol name after '" + word + "'");
      out_->globals.insert(n.text);
    }
    return;
  }
  if (is_data_directive(word)) return data_directive(s, rest, loc);
  if (one_of(word, {".section", ".pushsection", ".popsection", ".previous", ".text", ".data", ".bss"}))
    return section_directive(word, rest, loc);
  if (word == ".error" || word == ".err")
    throw InputError(loc, word == ".err" ? ".err encountered" : unquote(rest).text);
  if (word == ".endm" || word == ".endr")
    throw InputError(loc, "'" + word + "' without '" + (word == ".endm" ? ".macro" : ".rept") + "'");
  if (is_ignored_directive(word)) return;
  throw InputError(loc, "unknown directive '" + word + "'");
}

void GasProcessor::section_directive(const std::string& word, const LocText& rest, const SourceLocation& loc) {
  if (word == ".popsection") return sections_.pop(loc);
  if (word == ".previous") return sections_.previous();
  if (word == ".text" || word == ".data" || word == ".bss") return sections_.switch_to(word, std::nullopt);
  std::vector<LocText> parts = split_top_level(rest, ',');
  std::string name = unquote(parts[0]).text;
  if (name.empty()) throw InputError(loc, "expected section name after '" + word + "'");
  std::optional<std::string> flags;
  if (parts.size() > 1) flags = unquote(parts[1]).text;
  if (word == ".pushsection") return sections_.push(name, flags);
  sections_.switch_to(name, flags);
}

// Data is ignored outside code, except the exception table's "(x) - ." pairs.
void GasProcessor::data_directive(const RawStmt& s, const LocText& rest, const SourceLocation& loc) {
  if (sections_.in_code()) throw InputError(loc, "data directive in code is not supported");
  if (sections_.current() != "__ex_table") return;
  for (const LocText& item : split_top_level(rest, ',')) {
    ExprPtr target = relative_target(parse_expr(item.trimmed()));
    if (!target) continue;  // e.g. the type word of newer entries
    if (!extable_half_) {
      extable_half_ = std::make_pair(target, loc);
      continue;
    }
    extable(s, extable_half_->first, target, extable_half_->second);
    extable_half_.reset();
  }
}

void GasProcessor::set_equate(const LocText& name, const LocText& value, bool once) {
  LocText n = name.trimmed();
  if (!is_symbol_name(n)) throw InputError(n.at(0), "invalid symbol name '" + n.text + "'");
  equates_.define(n.text, parse_expr(value.trimmed()), once, n.at(0));
}

// Kernel helpers written like C macro calls ("ENTRY(name)") that cpp left alone.
bool GasProcessor::builtin_call(const RawStmt& s, const std::string& word, const LocText& t, size_t name_end) {
  LocText call = t.slice(name_end, t.size()).trimmed();
  if (word == "ALTERNATIVE" || word == "ALTERNATIVE_2") {
    alternative(s, split_macro_args(call), t.at(0));
    return true;
  }
  const Builtin* b = nullptr;
  for (const Builtin& x : kBuiltins)
    if (word == x.name) b = &x;
  if (!b || call.empty() || call[0] != '(') return false;
  if (call[call.size() - 1] != ')') throw InputError(call.at(0), "expected ')' to close '" + word + "('");
  std::vector<LocText> args = split_top_level(call.slice(1, call.size() - 1), ',');
  if (args.size() != b->args)
    throw InputError(t.at(0), "'" + word + "' expects " + std::to_string(b->args) + " argument" +
                                  (b->args == 1 ? "" : "s"));
  if (b->action == Builtin::Extable) {
    extable(s, parse_expr(args[0].trimmed()), parse_expr(args[1].trimmed()), t.at(0));
    return true;
  }
  LocText name = args[0].trimmed();
  if (!is_symbol_name(name)) throw InputError(name.at(0), "invalid symbol name '" + name.text + "'");
  if (b->action == Builtin::Ignore) return true;
  emit_label(s, name.text, t.at(0));
  if (b->action == Builtin::GlobalLabel) out_->globals.insert(name.text);
  return true;
}

void GasProcessor::alternative(const RawStmt& s, const std::vector<LocText>& args, const SourceLocation& loc) {
  size_t want = args.size() == 5 ? 5 : 3;
  if (args.size() != want) throw InputError(loc, "ALTERNATIVE expects \"old\", \"new\", feature");
  LocText chosen = unquote(args[0]);
  if (has_feature(args[2])) chosen = unquote(args[1]);
  if (want == 5 && has_feature(args[4])) chosen = unquote(args[3]);
  push_text(s, chosen);
}

// The feature may have been #defined to a number by the source; compare both forms.
bool GasProcessor::has_feature(const LocText& feature) const {
  std::string f = remove_blanks(feature.text);
  for (const std::string& name : options_.cpu_features)
    if (name == f || remove_blanks(cpp_.expand_string(name)) == f) return true;
  return false;
}

void GasProcessor::extable(const RawStmt& s, ExprPtr from, ExprPtr to, const SourceLocation& loc) {
  Statement st = make_statement(s, Statement::Kind::ExtableEntry, loc);
  st.extable_from = equates_.bind(from);
  st.extable_to = equates_.bind(to);
  out_->statements.push_back(std::move(st));
}

Statement GasProcessor::make_statement(const RawStmt& s, Statement::Kind kind, const SourceLocation& loc) const {
  Statement st;
  st.kind = kind;
  st.loc = loc;
  st.expanded_from = s.expanded_from;
  st.macro_names = s.macro_names;
  st.section = sections_.current();
  st.code_section = sections_.in_code();
  return st;
}

void GasProcessor::emit_label(const RawStmt& s, const std::string& name, const SourceLocation& loc) {
  Statement st = make_statement(s, Statement::Kind::Label, loc);
  st.label = name;
  labels_.insert(name);
  out_->statements.push_back(std::move(st));
}

void GasProcessor::emit_instruction(const RawStmt& s, const LocText& t) {
  Statement st = make_statement(s, Statement::Kind::Instruction, t.at(0));
  parse_instruction(t, st);
  for (Operand& o : st.operands) {  // each use sees the symbols' values here
    o.imm = equates_.bind(o.imm);
    o.mem.disp = equates_.bind(o.mem.disp);
  }
  if (st.mnemonic.empty()) {  // "rep; movsl": the prefix applies to the next instruction
    pending_prefixes_.insert(pending_prefixes_.end(), st.prefixes.begin(), st.prefixes.end());
    return;
  }
  if (!pending_prefixes_.empty()) {
    std::string text;
    for (const std::string& p : pending_prefixes_) text += p + " ";
    st.prefixes.insert(st.prefixes.begin(), pending_prefixes_.begin(), pending_prefixes_.end());
    st.text = text + st.text;
    pending_prefixes_.clear();
  }
  out_->statements.push_back(std::move(st));
}

}  // namespace ec::asmfe

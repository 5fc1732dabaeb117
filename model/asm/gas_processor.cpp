#include "model/asm/gas_processor.hpp"

#include <algorithm>
#include <cctype>

#include "model/asm/expr_parser.hpp"
#include "model/asm/local_labels.hpp"

namespace ec::asmfe {
namespace {

constexpr size_t kMaxMacroDepth = 100;
constexpr int kMaxEquateDepth = 100;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t ident_end(const LocText& t, size_t i) {
  while (i < t.size() && is_ident_char(t[i])) ++i;
  return i;
}

bool is_if_word(const std::string& w) {
  static const std::set<std::string> kIfs = {".if",   ".ifdef", ".ifndef", ".ifnotdef", ".ifeq",
                                             ".ifne", ".ifgt",  ".ifge",   ".iflt",     ".ifle",
                                             ".ifb",  ".ifnb",  ".ifc",    ".ifnc"};
  return kIfs.count(w) != 0;
}

std::string first_word(const LocText& t) {
  LocText s = t.trimmed();
  return lower(s.text.substr(0, ident_end(s, 0)));
}

}  // namespace

GasProcessor::GasProcessor(const FrontEndOptions& options, const CppMacros& cpp)
    : options_(options), cpp_(cpp) {}

void GasProcessor::run(const std::vector<LocText>& lines, ParsedSource& out) {
  out_ = &out;
  for (const LocText& line : lines)
    for (const LocText& stmt : split_top_level(line, ';')) queue_.push_back(RawStmt{stmt, {}, {}});
  while (!queue_.empty()) {
    RawStmt s = std::move(queue_.front());
    queue_.pop_front();
    try {
      expanding_ = s.text.trimmed().at(0);
      process(s);
    } catch (const InputError& e) {
      throw with_expansion_notes(e, s.expanded_from, s.macro_names);
    }
  }
  if (!ifs_.empty()) throw InputError(ifs_.back().loc, "unterminated .if");
  if (!pending_prefixes_.empty())
    throw InputError(out.statements.empty() ? SourceLocation{} : out.statements.back().loc,
                     "instruction prefix '" + pending_prefixes_.back() + "' without instruction");
  if (extable_half_) throw InputError(extable_half_->second, "incomplete exception table entry");
  out.equates.insert(equates_.first().begin(), equates_.first().end());
  rename_numeric_labels(out.statements);
}

void GasProcessor::process(const RawStmt& s) {
  LocText t = s.text.trimmed();
  if (t.empty()) return;
  std::string word = lower(t.text.substr(0, ident_end(t, 0)));
  if (conditional(s, word, t.slice(word.size(), t.size()), t.at(0))) return;
  if (!active()) return;
  t = strip_labels(s, t);
  if (!t.empty()) dispatch(s, t);
}

// Emits every "name:" at the start of `t`; returns what follows.
LocText GasProcessor::strip_labels(const RawStmt& s, LocText t) {
  for (;;) {
    size_t e = ident_end(t, 0);
    if (e == 0 || e >= t.size() || t[e] != ':') return t;
    emit_label(s, t.text.substr(0, e), t.at(0));
    t = t.slice(e + 1, t.size()).trimmed();
  }
}

bool GasProcessor::conditional(const RawStmt& s, const std::string& word, const LocText& rest,
                               const SourceLocation& loc) {
  if (is_if_word(word)) {
    IfState st{active(), false, false, false, loc, s.expanded_from.size()};
    if (st.parent_active) st.active = st.taken = test_condition(word, rest, loc);
    ifs_.push_back(st);
    return true;
  }
  if (word != ".else" && word != ".elseif" && word != ".endif") return false;
  if (ifs_.empty()) throw InputError(loc, "'" + word + "' without '.if'");
  IfState& st = ifs_.back();
  if (word == ".endif") {
    ifs_.pop_back();
  } else if (st.seen_else) {
    throw InputError(loc, "'" + word + "' after '.else'");
  } else if (word == ".else") {
    st.seen_else = true;
    st.active = st.parent_active && !st.taken;
    st.taken = true;
  } else {
    st.active = st.parent_active && !st.taken && test_condition(".if", rest, loc);
    st.taken = st.taken || st.active;
  }
  return true;
}

bool GasProcessor::test_condition(const std::string& word, const LocText& rest, const SourceLocation& loc) {
  LocText arg = rest.trimmed();
  if (word == ".ifb" || word == ".ifnb") return arg.empty() == (word == ".ifb");
  if (word == ".ifc" || word == ".ifnc") {
    std::vector<LocText> parts = split_top_level(arg, ',');
    if (parts.size() != 2) throw InputError(loc, "'" + word + "' expects two comma-separated strings");
    return (unquote(parts[0]).text == unquote(parts[1]).text) == (word == ".ifc");
  }
  if (word == ".ifdef" || word == ".ifndef" || word == ".ifnotdef") {
    if (arg.empty() || ident_end(arg, 0) != arg.size())
      throw InputError(arg.at(0), "expected symbol name after '" + word + "'");
    bool d = equates_.defined(arg.text) || labels_.count(arg.text);
    return d == (word == ".ifdef");
  }
  int64_t v = eval(arg);
  if (word == ".ifeq") return v == 0;
  if (word == ".ifgt") return v > 0;
  if (word == ".ifge") return v >= 0;
  if (word == ".iflt") return v < 0;
  if (word == ".ifle") return v <= 0;
  return v != 0;  // .if, .ifne
}

// Symbols left after binding are forward references: their first definition.
std::optional<int64_t> GasProcessor::lookup(const std::string& name, int depth) {
  auto it = equates_.first().find(name);
  if (it == equates_.first().end()) return std::nullopt;
  if (depth > kMaxEquateDepth) throw InputError(it->second->loc, "recursive definition of '" + name + "'");
  return eval_expr(*it->second, [&](const std::string& n) { return lookup(n, depth + 1); });
}

int64_t GasProcessor::eval(const LocText& t) {
  ExprPtr e = equates_.bind(parse_expr(t.trimmed()));
  return eval_expr(*e, [&](const std::string& n) { return lookup(n, 0); });
}

void GasProcessor::dispatch(const RawStmt& s, const LocText& t) {
  size_t e = ident_end(t, 0);
  std::string word = t.text.substr(0, e);
  LocText rest = t.slice(e, t.size());
  LocText after = rest.trimmed();
  if (e > 0 && !after.empty() && after[0] == '=' && (after.size() < 2 || after[1] != '=')) {
    set_equate(t.slice(0, e), after.slice(1, after.size()));
    return;
  }
  std::string key = lower(word);
  if (key == ".macro") return define_macro(s, rest);
  if (key == ".rept") return expand_rept(s, rest);
  if (key == ".irp") return expand_irp(s, rest);
  if (key == ".irpc") return expand_irpc(s, rest);
  if (key == ".exitm") return exit_macro(s);
  if (auto it = macros_.find(key); it != macros_.end()) return expand_macro(it->second, s, t, e);
  if (!word.empty() && word[0] == '.') return directive(s, key, rest, t.at(0));
  if (builtin_call(s, word, t, e)) return;
  emit_instruction(s, t);
}

void GasProcessor::define_macro(const RawStmt& s, const LocText& rest) {
  SourceLocation loc = s.text.trimmed().at(0);
  GasMacro m = parse_macro_header(rest, loc);
  m.body = collect_body(loc, ".macro", {".macro"}, ".endm");
  macros_[lower(m.name)] = std::move(m);
}

std::vector<RawStmt> GasProcessor::collect_body(const SourceLocation& start, const std::string& what,
                                                const std::set<std::string>& openers,
                                                const std::string& closer) {
  std::vector<RawStmt> body;
  int depth = 1;
  while (!queue_.empty()) {
    RawStmt s = std::move(queue_.front());
    queue_.pop_front();
    std::string w = first_word(s.text);
    if (openers.count(w)) ++depth;
    if (w == closer && --depth == 0) return body;
    body.push_back(std::move(s));
  }
  throw InputError(start, "unterminated " + what);
}

void GasProcessor::expand_macro(const GasMacro& m, const RawStmt& call, const LocText& t, size_t name_end) {
  SourceLocation site = t.at(0);
  if (call.expanded_from.size() >= kMaxMacroDepth)
    throw InputError(site, "macro '" + m.name + "' expansion nested too deeply");
  MacroValues values = bind_macro_args(m, t.slice(name_end, t.size()), site);
  int counter = macro_counter_++;
  std::vector<RawStmt> out;
  for (const RawStmt& b : m.body) {
    RawStmt r{substitute_macro_args(b.text, values, counter), {site}, {m.name}};
    r.expanded_from.insert(r.expanded_from.end(), call.expanded_from.begin(), call.expanded_from.end());
    r.macro_names.insert(r.macro_names.end(), call.macro_names.begin(), call.macro_names.end());
    r.expansion = counter + 1;  // \@ is unique per expansion; 0 means none
    out.push_back(std::move(r));
  }
  RawStmt end{LocText{}, {}, {}, counter + 1, true};
  out.push_back(std::move(end));
  push_front(out);
}

// .exitm: GNU as leaves the innermost expansion, closing the conditionals
// opened inside it (its cond_exit_macro); outside a macro it only warns.
void GasProcessor::exit_macro(const RawStmt& s) {
  if (s.expansion == 0) return;
  while (!ifs_.empty() && ifs_.back().macro_depth >= s.expanded_from.size()) ifs_.pop_back();
  while (!queue_.empty()) {
    bool end = queue_.front().ends_expansion && queue_.front().expansion == s.expansion;
    queue_.pop_front();
    if (end) return;
  }
}

void GasProcessor::expand_rept(const RawStmt& s, const LocText& rest) {
  SourceLocation loc = s.text.trimmed().at(0);
  int64_t n = eval(rest);
  std::vector<RawStmt> body = collect_body(loc, ".rept", {".rept", ".irp", ".irpc"}, ".endr");
  // Checked before the copies are made (push_front checks the total).
  if (n > 0 && static_cast<uint64_t>(n) > kMaxExpandedStatements / std::max<size_t>(body.size(), 1))
    throw InputError(loc, "'.rept " + std::to_string(n) + "' would expand to more than " +
                              std::to_string(kMaxExpandedStatements) + " statements");
  std::vector<RawStmt> out;
  for (int64_t k = 0; k < n; ++k) out.insert(out.end(), body.begin(), body.end());
  push_front(out);
}

void GasProcessor::expand_irp(const RawStmt& s, const LocText& rest) {
  SourceLocation loc = s.text.trimmed().at(0);
  std::vector<LocText> args = split_macro_args(rest);
  if (args.empty() || args[0].empty()) throw InputError(loc, "missing symbol name after '.irp'");
  std::vector<RawStmt> body = collect_body(loc, ".irp", {".rept", ".irp", ".irpc"}, ".endr");
  std::vector<LocText> values;
  for (size_t k = 1; k < args.size(); ++k) values.push_back(unquote(args[k]));
  repeat_with(body, args[0].text, values);
}

// ".irpc sym, chars": one pass per character of the rest of the line (a comma
// included); GNU as drops blanks outside quotes, keeps them inside.
void GasProcessor::expand_irpc(const RawStmt& s, const LocText& rest) {
  SourceLocation loc = s.text.trimmed().at(0);
  LocText t = rest.trimmed();
  size_t e = ident_end(t, 0);
  if (e == 0) throw InputError(loc, "missing symbol name after '.irpc'");
  LocText chars = t.slice(e, t.size()).trimmed();
  if (!chars.empty() && chars[0] == ',') chars = chars.slice(1, chars.size()).trimmed();
  bool quoted = !chars.empty() && chars[0] == '"';
  if (quoted) chars = unquote(chars);
  std::vector<RawStmt> body = collect_body(loc, ".irpc", {".rept", ".irp", ".irpc"}, ".endr");
  std::vector<LocText> values;
  for (size_t k = 0; k < chars.size(); ++k)
    if (quoted || !is_blank(chars[k])) values.push_back(chars.slice(k, k + 1));
  repeat_with(body, t.text.substr(0, e), values);
}

// The body once per value with \param replaced; once, empty, for no values (GNU as).
void GasProcessor::repeat_with(const std::vector<RawStmt>& body, const std::string& param,
                               const std::vector<LocText>& values) {
  std::vector<LocText> each = values.empty() ? std::vector<LocText>{LocText{}} : values;
  std::vector<RawStmt> out;
  for (const LocText& value : each) {
    MacroValues v{{param, value}};
    for (RawStmt r : body) {
      r.text = substitute_macro_args(r.text, v, macro_counter_);
      out.push_back(std::move(r));
    }
  }
  push_front(out);
}

// Every expansion comes here: the budget of expanded statements and bytes is
// charged before they are queued.
void GasProcessor::push_front(const std::vector<RawStmt>& stmts) {
  expanded_statements_ += stmts.size();
  for (const RawStmt& s : stmts) expanded_bytes_ += s.text.size();
  if (expanded_statements_ > kMaxExpandedStatements || expanded_bytes_ > kMaxExpandedBytes)
    throw InputError(expanding_, "the program expands to more than " + std::to_string(kMaxExpandedStatements) +
                                     " statements or " + std::to_string(kMaxExpandedBytes >> 20) +
                                     " MiB (.rept, .irp, .irpc and macros, in all)");
  for (auto it = stmts.rbegin(); it != stmts.rend(); ++it) queue_.push_front(*it);
}

// Queues `text` (e.g. the chosen ALTERNATIVE) as statements from `origin`'s expansion.
void GasProcessor::push_text(const RawStmt& origin, const LocText& text) {
  std::vector<RawStmt> out;
  for (const LocText& part : split_top_level(text, ';'))
    out.push_back(RawStmt{part, origin.expanded_from, origin.macro_names, origin.expansion, false});
  push_front(out);
}

}  // namespace ec::asmfe

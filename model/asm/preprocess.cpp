#include "model/asm/preprocess.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/asm/cpp_lines.hpp"
#include "model/asm/expr_parser.hpp"
#include "model/base/input_file.hpp"
#include "model/base/numbers.hpp"

namespace ec::asmfe {

namespace {

constexpr int kMaxIncludeDepth = 200;

struct Cond {
  std::string kind;  // "#if", "#ifdef", ... for the unterminated message
  bool parent_active = true;
  bool taken = false;  // some branch of this group was selected already
  bool active = false;
  bool seen_else = false;
  SourceLocation loc;
};

// What a `# N "file"` line marker changed for the rest of the physical file.
struct LineMap {
  bool set = false;
  std::string file;
  int delta = 0;

  LocText apply(LocText t) const {
    if (!set) return t;
    t.file = file;
    for (Pos& p : t.pos) p.line += delta;
    t.end_pos.line += delta;
    return t;
  }
};

struct FileState {
  std::string path;  // physical path, for relative includes
  std::vector<Cond> conds;
  LineMap map;

  bool active() const { return conds.empty() || conds.back().active; }
};

size_t skip_blanks(const LocText& t, size_t i) {
  while (i < t.size() && is_blank(t[i])) ++i;
  return i;
}

// Replaces `defined X` / `defined(X)` by 1 or 0 before macro expansion.
LocText replace_defined(const LocText& t, const CppMacros& macros) {
  LocText out;
  out.file = t.file;
  for (size_t i = 0; i < t.size();) {
    size_t e = is_cpp_ident_start(t[i]) ? cpp_ident_end(t.text, i) : i + 1;
    if (std::isdigit(static_cast<unsigned char>(t[i]))) e = pp_number_end(t.text, i);
    if (t.text.compare(i, e - i, "defined") != 0) {
      out.append(t.slice(i, e));
      i = e;
      continue;
    }
    size_t k = skip_blanks(t, e);
    bool paren = k < t.size() && t[k] == '(';
    if (paren) k = skip_blanks(t, k + 1);
    size_t name_end = k < t.size() && is_cpp_ident_start(t[k]) ? cpp_ident_end(t.text, k) : k;
    if (name_end == k) throw InputError(t.at(k), "operator \"defined\" requires an identifier");
    bool is_def = macros.defined(t.text.substr(k, name_end - k));
    k = skip_blanks(t, name_end);
    if (paren && (k >= t.size() || t[k] != ')'))
      throw InputError(t.at(k), "missing ')' after \"defined\"");
    out.append_generated(is_def ? "1" : "0", t.pos[i]);
    i = paren ? k + 1 : name_end;
  }
  out.end_pos = t.end_pos;
  return out;
}

// cpp: identifiers left after expansion evaluate to 0.
LocText zero_identifiers(const LocText& t) {
  LocText out;
  out.file = t.file;
  for (size_t i = 0; i < t.size();) {
    if (std::isdigit(static_cast<unsigned char>(t[i]))) {
      size_t e = pp_number_end(t.text, i);
      out.append(t.slice(i, e));
      i = e;
    } else if (is_cpp_ident_start(t[i])) {
      out.append_generated("0", t.pos[i]);
      i = cpp_ident_end(t.text, i);
    } else {
      out.append(t[i], t.pos[i]);
      ++i;
    }
  }
  out.end_pos = t.end_pos;
  return out;
}

class Preprocessor {
 public:
  explicit Preprocessor(const FrontEndOptions& options) {
    result_.macros.define_from(make_loc_text("<built-in>", "PER_CPU_VAR(x) %fs:x", Pos{1, 1}));
    for (const auto& [name, value] : options.defines)
      result_.macros.define_from(make_loc_text("<command-line>", name + " " + value, Pos{1, 1}));
  }

  void run_file(const std::string& path, const std::string& text) {
    if (static_cast<int>(stack_.size()) >= kMaxIncludeDepth)
      throw InputError(SourceLocation{path, 0, 0}, "#include nested too deeply");
    check_text(path, text);
    result_.files.push_back(path);
    stack_.push_back(canonical(path));
    FileState fs;
    fs.path = path;
    for (const LocText& raw : split_logical_lines(path, text)) handle_line(fs, raw);
    if (!fs.conds.empty())
      throw InputError(fs.conds.back().loc, "unterminated " + fs.conds.back().kind);
    stack_.pop_back();
  }

  PreprocessResult take() { return std::move(result_); }

 private:
  // An object file or other binary given as a source: said so, instead of
  // errors that quote its bytes. Text never holds a NUL byte.
  static void check_text(const std::string& path, const std::string& text) {
    if (text.find('\0') == std::string::npos) return;
    bool elf = text.rfind("\x7f" "ELF", 0) == 0;
    throw InputError(SourceLocation{path, 0, 0},
                     std::string("not an assembly source: ") +
                         (elf ? "an ELF object file" : "a binary file (it holds NUL bytes)"));
  }

  static std::string canonical(const std::string& path) {
    std::error_code ec;
    auto c = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : c.string();
  }

  void handle_line(FileState& fs, const LocText& raw) {
    LocText line = fs.map.apply(raw);
    size_t hash = line.first_nonblank();
    if (hash < line.size() && line[hash] == '#') {
      directive(fs, line, raw, hash);
      return;
    }
    if (!fs.active()) return;
    LocText out = result_.macros.expand(strip_hash_comment(line));
    if (out.first_nonblank() < out.size()) result_.lines.push_back(std::move(out));
  }

  void directive(FileState& fs, const LocText& line, const LocText& raw, size_t hash) {
    size_t w = skip_blanks(line, hash + 1);
    if (w >= line.size()) return;  // null directive
    if (std::isdigit(static_cast<unsigned char>(line[w]))) {
      if (fs.active()) line_marker(fs, line, raw, w);
      return;
    }
    size_t we = cpp_ident_end(line.text, w);
    std::string word = line.text.substr(w, we - w);
    LocText rest = line.slice(we, line.size());
    if (conditional(fs, word, rest, line.at(hash))) return;
    if (!fs.active()) return;  // cpp ignores other directives in skipped groups
    if (word == "define") {
      result_.macros.define_from(rest);
    } else if (word == "undef") {
      result_.macros.undef(rest.trimmed().text);
    } else if (word == "include") {
      include(fs, rest.trimmed());
    } else if (word == "line") {
      line_marker(fs, line, raw, skip_blanks(line, we));
    } else if (word == "error") {
      throw InputError(line.at(hash), "#error" + rest.text);
    } else if (word != "warning" && word != "pragma" && word != "ident") {
      std::string shown = word.empty() ? line.text.substr(w, 1) : word;
      throw InputError(line.at(hash), "unknown preprocessor directive '#" + shown + "'");
    }
  }

  // Handles the conditional directives; false for any other word.
  bool conditional(FileState& fs, const std::string& word, const LocText& rest,
                   const SourceLocation& loc) {
    if (word == "if" || word == "ifdef" || word == "ifndef") {
      Cond c{"#" + word, fs.active(), false, false, false, loc};
      if (c.parent_active) c.active = c.taken = test(word, rest);
      fs.conds.push_back(c);
      return true;
    }
    if (word != "elif" && word != "else" && word != "endif") return false;
    if (fs.conds.empty()) throw InputError(loc, "#" + word + " without #if");
    Cond& c = fs.conds.back();
    if (word == "endif") {
      fs.conds.pop_back();
      return true;
    }
    if (c.seen_else) throw InputError(loc, "#" + word + " after #else");
    if (word == "else") {
      c.seen_else = true;
      c.active = c.parent_active && !c.taken;
      c.taken = true;
    } else {
      c.active = c.parent_active && !c.taken && test("if", rest);
      c.taken = c.taken || c.active;
    }
    return true;
  }

  bool test(const std::string& word, const LocText& rest) {
    if (word == "if") return eval_condition(rest);
    LocText name = rest.trimmed();
    if (name.empty() || !is_cpp_ident_start(name[0]))
      throw InputError(name.at(0), "no macro name given in #" + word + " directive");
    bool d = result_.macros.defined(name.text.substr(0, cpp_ident_end(name.text, 0)));
    return word == "ifdef" ? d : !d;
  }

  bool eval_condition(const LocText& rest) {
    LocText t = zero_identifiers(result_.macros.expand(replace_defined(rest, result_.macros)));
    if (t.trimmed().empty()) throw InputError(rest.at(rest.size()), "#if with no expression");
    ExprPtr e = parse_expr(t, ExprDialect::Cpp);
    return eval_expr(*e, [](const std::string&) -> std::optional<int64_t> { return 0; }) != 0;
  }

  void line_marker(FileState& fs, const LocText& line, const LocText& raw, size_t at) {
    size_t e = at;
    while (e < line.size() && std::isdigit(static_cast<unsigned char>(line[e]))) ++e;
    if (e == at) throw InputError(line.at(at), "line number expected after '#line'");
    std::optional<uint64_t> number = parse_unsigned(line.text.substr(at, e - at), INT32_MAX / 2);
    if (!number) throw InputError(line.at(at), "line number out of range");
    int n = static_cast<int>(*number);
    LocText name = line.slice(e, line.size()).trimmed();
    if (!fs.map.set) fs.map.file = line.file;
    if (!name.empty() && name[0] == '"') {
      size_t close = skip_string(name.text, 0);
      fs.map.file = name.text.substr(1, close >= 2 ? close - 2 : 0);
    }
    fs.map.set = true;
    int physical = raw.pos.empty() ? raw.end_pos.line : raw.pos.front().line;
    fs.map.delta = n - (physical + 1);
  }

  void include(FileState& fs, const LocText& spec) {
    char open = spec.empty() ? '\0' : spec[0];
    char close = open == '<' ? '>' : '"';
    size_t end = spec.text.find(close, 1);
    if ((open != '"' && open != '<') || end == std::string::npos)
      throw InputError(spec.at(0), "#include expects \"FILENAME\"");
    std::string name = spec.text.substr(1, end - 1);
    std::filesystem::path p(name);
    if (p.is_relative()) p = std::filesystem::path(fs.path).parent_path() / p;
    std::string path = p.lexically_normal().string();
    for (const std::string& s : stack_)
      if (s == canonical(path)) throw InputError(spec.at(0), "recursive #include of '" + name + "'");
    std::optional<std::string> text = read_input_file(path, spec.at(0));
    if (!text) throw InputError(spec.at(0), "include file '" + name + "' not found");
    run_file(path, *text);
  }

  PreprocessResult result_;
  std::vector<std::string> stack_;  // canonical paths of the files being read
};

}  // namespace

PreprocessResult preprocess(const std::string& text, const std::string& name,
                            const FrontEndOptions& options) {
  Preprocessor pp(options);
  pp.run_file(name, text);
  return pp.take();
}

}  // namespace ec::asmfe

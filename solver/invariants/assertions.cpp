#include "solver/invariants/assertions.hpp"

#include "model/spec/spec.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace ec {
namespace {

using Node = std::shared_ptr<AssertExpr>;

// Bounds on one assertion (docs/cli.md "Limits"): nesting of parentheses,
// brackets and unary operators (the parser recurses once per level), and
// nodes (evaluation recurses along the tree, which chains of && grow).
constexpr int kMaxAssertionNesting = 200;
constexpr int kMaxAssertionNodes = 2000;

class Parser {
 public:
  Parser(const std::string& text, const SourceLocation& where, const MachineConfig& machine,
         const std::map<std::string, int64_t>& constants)
      : text_(text), where_(where), machine_(machine), constants_(constants) {}

  Node parse() {
    Node e = binary(0);
    skip();
    if (pos_ != text_.size()) fail("unexpected '" + text_.substr(pos_, 1) + "'");
    return e;
  }

 private:
  // Binary operators, loosest first: each level's operators.
  static const std::vector<std::vector<std::string>>& levels() {
    static const std::vector<std::vector<std::string>> l = {
        {"||"}, {"&&"}, {"==", "!=", "<=", ">=", "<", ">"}, {"&", "|", "^", "<<", ">>"}, {"+", "-", "*"}};
    return l;
  }

  Node binary(size_t level) {
    if (level == levels().size()) return unary();
    Node left = binary(level + 1);
    while (true) {
      std::string op = match(levels()[level]);
      if (op.empty()) return left;
      Node right = binary(level + 1);
      if (op == "*" && right->kind != AssertExpr::Kind::Number) fail("'*' takes a constant on its right");
      Node n = node();
      n->kind = AssertExpr::Kind::Binary;
      n->op = op;
      n->a = left;
      n->b = right;
      left = n;
      if (level == 2) return left;  // comparisons do not chain
    }
  }

  Node unary() {
    std::string op = match({"!", "~", "-"});
    if (op.empty()) return primary();
    Node n = node();
    n->kind = AssertExpr::Kind::Unary;
    n->op = op;
    n->a = nested([&] { return unary(); });
    return n;
  }

  Node primary() {
    skip();
    if (pos_ >= text_.size()) fail("expression ends too early");
    if (text_[pos_] == '(') {
      ++pos_;
      Node e = nested([&] { return binary(0); });
      expect(")");
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(text_[pos_]))) return number();
    std::string name = identifier();
    if (name.empty()) fail("unexpected '" + text_.substr(pos_, 1) + "'");
    return resolve(name);
  }

  Node number() {
    size_t used = 0;
    uint64_t v = 0;
    try {
      v = std::stoull(text_.substr(pos_), &used, 0);
    } catch (const std::out_of_range&) {
      v = UINT64_MAX;
    }
    if (v > UINT32_MAX) fail("the number at offset " + std::to_string(pos_) + " does not fit in 32 bits");
    pos_ += used;
    return constant(static_cast<uint32_t>(v));
  }

  // A new node, counted against kMaxAssertionNodes.
  Node node() {
    if (++nodes_ > kMaxAssertionNodes)
      fail("more than " + std::to_string(kMaxAssertionNodes) + " operators and operands");
    return std::make_shared<AssertExpr>();
  }

  // Parses one level deeper (parentheses, brackets, a unary operand).
  template <typename Parse>
  Node nested(Parse parse) {
    if (++nesting_ > kMaxAssertionNesting)
      fail("nested more than " + std::to_string(kMaxAssertionNesting) + " levels deep");
    Node n = parse();
    --nesting_;
    return n;
  }

  Node resolve(const std::string& name) {
    Node n = node();
    if (name == "mem8" || name == "mem16" || name == "mem32") {
      expect("[");
      n->kind = AssertExpr::Kind::Memory;
      n->number = static_cast<uint32_t>(std::stoul(name.substr(3)));
      n->a = nested([&] { return binary(0); });
      expect("]");
      return n;
    }
    if (auto r = reg_by_name(name)) {
      const RegInfo& info = reg_info(*r);
      if (info.family == RegFamily::General && info.width_bits == 32) {
        n->kind = AssertExpr::Kind::Register;
        n->number = static_cast<uint32_t>(info.index);
        return n;
      }
      if (info.family == RegFamily::Segment) {
        n->kind = AssertExpr::Kind::Segment;
        n->number = static_cast<uint32_t>(info.index);
        return n;
      }
      if (*r == Reg::CR3) {
        n->kind = AssertExpr::Kind::Cr3;
        return n;
      }
    }
    static const std::map<std::string, uint32_t> flags = {{"cf", 0}, {"pf", 2}, {"af", 4}, {"zf", 6}, {"sf", 7},
                                                          {"tf", 8}, {"if", 9}, {"df", 10}, {"of", 11}};
    if (auto f = flags.find(name); f != flags.end()) {
      n->kind = AssertExpr::Kind::Flag;
      n->number = f->second;
      return n;
    }
    if (name == "eflags") {
      n->kind = AssertExpr::Kind::Eflags;
      return n;
    }
    auto dot = name.rfind('.');
    if (dot != std::string::npos) {
      if (const Region* r = machine_.region_named(name.substr(0, dot))) {
        std::string field = name.substr(dot + 1);
        if (field == "base") return constant(r->base);
        if (field == "top") return constant(r->top());
        fail("a region has .base and .top, not ." + field);
      }
    }
    if (auto c = constants_.find(name); c != constants_.end()) return constant(static_cast<uint32_t>(c->second));
    fail("unknown name '" + name + "' (registers, flags, eflags, cr3, memN[...], <region>.base/.top, constants)");
  }

  Node constant(uint32_t v) {
    Node n = node();
    n->number = v;
    return n;
  }

  std::string identifier() {
    skip();
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
                                   text_[pos_] == '.' || text_[pos_] == '%'))
      ++pos_;
    std::string s = text_.substr(start, pos_ - start);
    if (!s.empty() && s[0] == '%') s.erase(0, 1);
    return s;
  }

  std::string match(const std::vector<std::string>& ops) {
    skip();
    // Longest first, so "<=" is not read as "<", nor "||" as "|".
    std::string best;
    for (const auto& op : ops)
      if (text_.compare(pos_, op.size(), op) == 0 && op.size() > best.size()) best = op;
    for (const auto& longer : {"||", "&&", "<<", ">>", "<=", ">=", "==", "!="})
      if (best.size() == 1 && text_.compare(pos_, 2, longer) == 0) return "";
    pos_ += best.size();
    return best;
  }

  void expect(const std::string& s) {
    skip();
    if (text_.compare(pos_, s.size(), s) != 0) fail("expected '" + s + "'");
    pos_ += s.size();
  }

  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  [[noreturn]] void fail(const std::string& msg) const {
    throw InputError(where_, "in assertion '" + text_ + "': " + msg);
  }

  const std::string& text_;
  SourceLocation where_;
  const MachineConfig& machine_;
  const std::map<std::string, int64_t>& constants_;
  size_t pos_ = 0;
  int nesting_ = 0, nodes_ = 0;
};

}  // namespace

Assertion parse_assertion(const std::string& text, const SourceLocation& where, const MachineConfig& machine,
                          const std::map<std::string, int64_t>& constants) {
  Assertion a;
  a.text = text;
  a.where = where;
  a.expr = Parser(text, where, machine, constants).parse();
  return a;
}

std::map<size_t, std::vector<Assertion>> source_assertions(const Program& program, const MachineConfig& machine,
                                                           const std::map<std::string, int64_t>& constants) {
  static const std::string marker = "entrycheck: assert";
  std::map<size_t, std::vector<Assertion>> out;
  for (const auto& file : program.files) {
    std::ifstream in(file);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      auto at = line.find(marker);
      if (at == std::string::npos) continue;
      auto end = line.find("*/", at);
      std::string text = line.substr(at + marker.size(), end == std::string::npos ? std::string::npos : end - at - marker.size());
      text.erase(0, text.find_first_not_of(" \t"));
      text.erase(text.find_last_not_of(" \t") + 1);
      SourceLocation where{file, n, static_cast<int>(at) + 1};
      // The next instruction written in this file after the comment.
      std::optional<size_t> next;
      int best = 0;
      for (size_t i = 0; i < program.instructions.size(); ++i) {
        const SourceLocation& loc = program.instructions[i].loc;
        if (loc.file == file && loc.line > n && (!next || loc.line < best)) {
          next = i;
          best = loc.line;
        }
      }
      if (!next) throw InputError(where, "assertion comment with no instruction after it");
      // Every instruction written on that line (one per macro expansion).
      for (size_t i = 0; i < program.instructions.size(); ++i) {
        const SourceLocation& loc = program.instructions[i].loc;
        if (loc.file == file && loc.line == best) out[i].push_back(parse_assertion(text, where, machine, constants));
      }
    }
  }
  return out;
}

std::map<size_t, std::vector<Assertion>> collect_assertions(const Spec& spec, const Program& program,
                                                            const MachineConfig& machine) {
  auto out = source_assertions(program, machine, spec.link.constants);
  for (const auto& a : spec.assertions) {
    SourceLocation where{spec.path, 0, 0};
    auto index = program.label_index(a.at);
    if (!index) throw InputError(where, a.where + ".at: no source defines the label '" + a.at + "'");
    try {
      Assertion parsed = parse_assertion(a.text, where, machine, spec.link.constants);
      parsed.name = a.name;
      out[*index].push_back(std::move(parsed));
    } catch (const InputError& e) {
      throw InputError(where, a.where + ".assert: " + e.diagnostic().message);
    }
  }
  return out;
}

ResumeExpectations resume_expectations(const Spec& spec, const Scenario& scenario, const MachineConfig& machine) {
  ResumeExpectations out;
  for (const auto& [name, text] : scenario.start.resume_expect) {
    SourceLocation where{spec.path, 0, 0};
    try {
      out.emplace_back(name, parse_assertion(text, where, machine, spec.link.constants));
    } catch (const InputError& e) {
      throw InputError(where, "scenario " + scenario.name + ": $.scenarios[].resume_expect." + name + ": " +
                                  e.diagnostic().message);
    }
  }
  return out;
}

}  // namespace ec

#include "model/asm/expr_parser.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace ec::asmfe {
namespace {

using Op = Expr::Op;

struct Token {
  enum class Kind { Num, Sym, Punct, End };
  Kind kind = Kind::End;
  std::string text;
  int64_t value = 0;
  size_t at = 0;
};

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

int digit_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

class Lexer {
 public:
  Lexer(const LocText& t, ExprDialect d) : t_(t), d_(d) {}

  Token next() {
    while (i_ < t_.size() && is_blank(t_[i_])) ++i_;
    Token tok;
    tok.at = i_;
    if (i_ >= t_.size()) return tok;
    char c = t_[i_];
    if (is_digit(c)) return number(tok);
    if (c == '\'') return char_literal(tok);
    if (is_ident_start(c)) return symbol(tok);
    return punct(tok);
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& msg) const {
    throw InputError(t_.at(at), msg);
  }

  std::string_view rest() const { return std::string_view(t_.text).substr(i_); }

  Token number(Token tok) {
    std::string_view s = rest();
    size_t n = 0;
    while (n < s.size() && (std::isalnum(static_cast<unsigned char>(s[n])) || s[n] == '_')) ++n;
    std::string word(s.substr(0, n));
    i_ += n;
    if (d_ == ExprDialect::Gas && is_local_ref(word)) {
      tok.kind = Token::Kind::Sym;
      tok.text = word;
      return tok;
    }
    tok.kind = Token::Kind::Num;
    tok.text = word;
    tok.value = convert(word, tok.at);
    return tok;
  }

  // "1b" / "1f": digits then one direction letter (but "0b101" is binary).
  static bool is_local_ref(const std::string& w) {
    if (w.size() < 2) return false;
    char last = w.back();
    if (last != 'b' && last != 'f') return false;
    for (size_t k = 0; k + 1 < w.size(); ++k)
      if (!is_digit(w[k])) return false;
    return true;
  }

  int64_t convert(std::string word, size_t at) const {
    if (d_ == ExprDialect::Cpp)
      while (!word.empty() && (word.back() == 'u' || word.back() == 'U' || word.back() == 'l' ||
                               word.back() == 'L'))
        word.pop_back();
    int base = 10;
    size_t k = 0;
    if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
      base = 16, k = 2;
    } else if (word.size() > 2 && word[0] == '0' && (word[1] == 'b' || word[1] == 'B')) {
      base = 2, k = 2;
    } else if (word.size() > 1 && word[0] == '0') {
      base = 8, k = 1;
    }
    uint64_t v = 0;
    for (; k < word.size(); ++k) {
      int dv = digit_value(word[k]);
      if (dv >= base) fail(at, "invalid number '" + word + "'");
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(dv);
    }
    return static_cast<int64_t>(v);
  }

  Token char_literal(Token tok) {
    // 'a' (C) or 'a (GNU as); a backslash escape is taken literally.
    if (i_ + 1 >= t_.size()) fail(tok.at, "missing character after '''");
    size_t k = i_ + 1;
    if (t_[k] == '\\' && k + 1 < t_.size()) ++k;
    tok.kind = Token::Kind::Num;
    tok.value = static_cast<unsigned char>(t_[k]);
    i_ = k + 1;
    if (i_ < t_.size() && t_[i_] == '\'') ++i_;
    tok.text = t_.text.substr(tok.at, i_ - tok.at);
    return tok;
  }

  Token symbol(Token tok) {
    size_t k = i_;
    while (k < t_.size() && is_ident_char(t_[k])) ++k;
    tok.kind = Token::Kind::Sym;
    tok.text = t_.text.substr(i_, k - i_);
    i_ = k;
    return tok;
  }

  Token punct(Token tok) {
    static const std::array<const char*, 9> two = {"<<", ">>", "<=", ">=", "==",
                                                   "!=", "&&", "||", "<>"};
    std::string_view s = rest();
    for (const char* p : two) {
      if (s.substr(0, 2) == p) {
        tok.kind = Token::Kind::Punct;
        tok.text = p;
        i_ += 2;
        return tok;
      }
    }
    if (std::string_view("+-*/%&|^~!()<>").find(s[0]) == std::string_view::npos)
      fail(i_, std::string("unexpected character '") + s[0] + "' in expression");
    tok.kind = Token::Kind::Punct;
    tok.text = std::string(1, s[0]);
    ++i_;
    return tok;
  }

  const LocText& t_;
  ExprDialect d_;
  size_t i_ = 0;
};

// Each operator's rank in both dialects; higher binds tighter, equal ranks
// associate left. GNU as does not use C precedence: its ranking (binutils
// gas/expr.c op_rank) puts << >> with * / %, the bitwise operators above
// + -, then comparisons, &&, ||. cpp #if keeps C's. Rank 0: not an operator
// in that dialect (binary '!', GNU as's or-not, exists only there).
struct BinOp {
  const char* text;
  Op op;
  int gas_rank, cpp_rank;
};

constexpr std::array<BinOp, 20> kBinOps = {{
    {"||", Op::LogOr, 1, 1},  {"&&", Op::LogAnd, 2, 2},
    {"==", Op::Eq, 3, 6},     {"!=", Op::Ne, 3, 6},     {"<>", Op::Ne, 3, 6},
    {"<", Op::Lt, 3, 7},      {"<=", Op::Le, 3, 7},     {">", Op::Gt, 3, 7},  {">=", Op::Ge, 3, 7},
    {"+", Op::Add, 4, 9},     {"-", Op::Sub, 4, 9},
    {"|", Op::Or, 5, 3},      {"^", Op::Xor, 5, 4},     {"&", Op::And, 5, 5}, {"!", Op::OrNot, 5, 0},
    {"*", Op::Mul, 6, 10},    {"/", Op::Div, 6, 10},    {"%", Op::Mod, 6, 10},
    {"<<", Op::Shl, 6, 8},    {">>", Op::Shr, 6, 8},
}};

class Parser {
 public:
  Parser(const LocText& t, ExprDialect d) : t_(t), d_(d), lex_(t, d) { tok_ = lex_.next(); }

  ExprPtr parse_all() {
    if (tok_.kind == Token::Kind::End) throw InputError(t_.at(tok_.at), "expected expression");
    ExprPtr e = binary(1);
    if (tok_.kind != Token::Kind::End)
      throw InputError(t_.at(tok_.at), "junk '" + t_.text.substr(tok_.at) + "' after expression");
    return e;
  }

 private:
  void advance() { tok_ = lex_.next(); }
  bool is_punct(const char* p) const { return tok_.kind == Token::Kind::Punct && tok_.text == p; }

  // The operator at the current token and its rank in this dialect (0: none).
  std::pair<const BinOp*, int> current_binop() const {
    if (tok_.kind != Token::Kind::Punct) return {nullptr, 0};
    for (const BinOp& b : kBinOps)
      if (tok_.text == b.text) return {&b, d_ == ExprDialect::Gas ? b.gas_rank : b.cpp_rank};
    return {nullptr, 0};
  }

  ExprPtr binary(int min_rank) {
    ExprPtr lhs = unary();
    for (;;) {
      auto [b, rank] = current_binop();
      if (!b || rank == 0 || rank < min_rank) break;
      SourceLocation loc = lhs->loc;
      advance();
      ExprPtr rhs = binary(rank + 1);
      lhs = Expr::binary(b->op, lhs, rhs, loc);
    }
    return lhs;
  }

  // Counts the unary operators and parentheses open around the token being
  // read: the parser recurses once per level, before any tree exists to
  // measure (Expr's own limit covers the trees).
  class Nesting {
   public:
    Nesting(Parser& p, const SourceLocation& loc) : p_(p) {
      if (++p_.nesting_ > kMaxExprDepth)
        throw InputError(loc, "expression nested too deeply (more than " + std::to_string(kMaxExprDepth) +
                                  " levels of operators and parentheses)");
    }
    ~Nesting() { --p_.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& p_;
  };

  ExprPtr unary() {
    SourceLocation loc = t_.at(tok_.at);
    for (auto [text, op] : {std::pair{"-", Op::Neg}, {"~", Op::BitNot}, {"!", Op::LogNot}, {"+", Op::Num}}) {
      if (is_punct(text)) {
        Nesting level(*this, loc);
        advance();
        ExprPtr operand = unary();
        return op == Op::Num ? operand : Expr::unary(op, operand, loc);  // unary + is no node
      }
    }
    return primary();
  }

  ExprPtr primary() {
    Token tok = tok_;
    SourceLocation loc = t_.at(tok.at);
    if (tok.kind == Token::Kind::Num) {
      advance();
      return Expr::number(tok.value, loc);
    }
    if (tok.kind == Token::Kind::Sym) {
      advance();
      return Expr::symbol(tok.text, loc);
    }
    if (is_punct("(")) {
      Nesting level(*this, loc);
      advance();
      ExprPtr e = binary(1);
      if (!is_punct(")")) throw InputError(t_.at(tok_.at), "missing ')' in expression");
      advance();
      return e;
    }
    if (tok.kind == Token::Kind::End) throw InputError(loc, "expected expression");
    throw InputError(loc, "unexpected '" + tok.text + "' in expression");
  }

  const LocText& t_;
  ExprDialect d_;
  Lexer lex_;
  Token tok_;
  int nesting_ = 0;
};

}  // namespace

ExprPtr parse_expr(const LocText& t, ExprDialect dialect) {
  return Parser(t, dialect).parse_all();
}

}  // namespace ec::asmfe

#include <doctest/doctest.h>

#include "model/asm/expr_parser.hpp"

using namespace ec;

namespace {

ExprPtr px(const std::string& s, asmfe::ExprDialect d = asmfe::ExprDialect::Gas) {
  return asmfe::parse_expr(asmfe::make_loc_text("e.S", s, asmfe::Pos{3, 5}), d);
}

int64_t ev(const std::string& s) {
  return eval_expr(*px(s), [](const std::string& n) -> std::optional<int64_t> {
    if (n == "X") return 10;
    return std::nullopt;
  });
}

}  // namespace

TEST_CASE("asm expr: number forms") {
  CHECK(ev("42") == 42);
  CHECK(ev("0x2a") == 42);
  CHECK(ev("0X2A") == 42);
  CHECK(ev("052") == 42);
  CHECK(ev("0b101010") == 42);
  CHECK(ev("'a'") == 97);
  CHECK(ev("'a") == 97);
  CHECK(ev("0") == 0);
  CHECK(eval_expr(*px("1UL << 3", asmfe::ExprDialect::Cpp), {}) == 8);
}

// GNU as ranks (binutils gas/expr.c op_rank), high to low: * / % << >>;
// | & ^ ! (or-not); + -; comparisons; &&; ||. Each value below was checked
// against GNU as 2.40 (".set X, expr" then "movl $X, %eax").
TEST_CASE("asm expr: GNU as operator ranking") {
  CHECK(ev("1 + 2 * 3") == 7);
  CHECK(ev("(1 + 2) * 3") == 9);
  CHECK(ev("1 + 2 << 3") == 17);   // 1 + (2 << 3): << ranks with *
  CHECK(ev("1 << 2 + 1") == 5);    // (1 << 2) + 1
  CHECK(ev("6 & 3 + 1") == 3);     // (6 & 3) + 1: & above +
  CHECK(ev("8 - 4 | 1") == 3);     // 8 - (4 | 1)
  CHECK(ev("1 | 2 & 0") == 0);     // (1 | 2) & 0: | and & share a rank
  CHECK(ev("1 ^ 3 | 4") == 6);     // (1 ^ 3) | 4
  CHECK(ev("16 >> 2 * 2") == 8);   // (16 >> 2) * 2: left to right
  CHECK(ev("2 * 3 << 1") == 12);
  CHECK(ev("7 % 4 << 1") == 6);
  CHECK(ev("5 & 4 == 4") == -1);   // (5 & 4) == 4; true is -1
  CHECK(ev("1 < 2 + 3") == -1);
  CHECK(ev("2 > 1 | 4") == 0);     // 2 > (1 | 4)
  CHECK(ev("1 || 0 && 0") == 1);   // && above ||
  CHECK(ev("10 - 4 - 3") == 3);    // left associative
  CHECK(ev("100 / 10 / 5") == 2);
  CHECK(ev("-X + ~0") == -11);
  CHECK(ev("!0 + !5") == 1);
  CHECK(ev("1 < 2 && 3 > 2 || 0") == 1);
  CHECK(ev("~(1 << 31)") == ~(int64_t{1} << 31));
}

TEST_CASE("asm expr: binary ! is GNU as's or-not") {
  CHECK(ev("12 ! 5") == -2);       // 12 | ~5
  CHECK(ev("1 ! 0 + 2") == 1);     // (1 | ~0) + 2
  CHECK(ev("6 ! 1 & 3") == 2);     // (6 | ~1) & 3
  CHECK(ev("1 != 1") == 0);        // still not-equal
  CHECK_THROWS_WITH_AS(px("12 ! 5", asmfe::ExprDialect::Cpp), doctest::Contains("junk '! 5'"), InputError);
}

TEST_CASE("asm expr: cpp #if expressions keep C precedence") {
  auto cpp = [](const std::string& s) { return eval_expr(*px(s, asmfe::ExprDialect::Cpp), {}); };
  CHECK(cpp("1 + 2 << 3") == 24);  // (1 + 2) << 3
  CHECK(cpp("1 << 2 + 1") == 8);
  CHECK(cpp("6 & 3 + 1") == 4);
  CHECK(cpp("1 | 2 ^ 3 & 4") == 3);  // & > ^ > |
  CHECK(cpp("6 & 3 == 3") == 6);     // == above &; true is -1
  CHECK(cpp("8 - 4 | 1") == 5);
}

TEST_CASE("asm expr: GNU as truth values") {
  CHECK(ev("1 == 1") == -1);
  CHECK(ev("1 != 1") == 0);
  CHECK(ev("2 <> 1") == -1);
  CHECK(ev("1 && 2") == 1);
}

TEST_CASE("asm expr: symbols and local label references") {
  ExprPtr e = px("X + .Lfoo_3 - $bar");
  CHECK(expr_to_string(*e) == "X + .Lfoo_3 - $bar");
  ExprPtr r = px("1b");
  REQUIRE(r->op == Expr::Op::Sym);
  CHECK(r->sym == "1b");
  CHECK(px("2f")->sym == "2f");
  CHECK(px("0b")->sym == "0b");
  CHECK(px("0b1")->op == Expr::Op::Num);
}

TEST_CASE("asm expr: expr_to_string keeps needed parentheses only") {
  CHECK(expr_to_string(*px("(1 + 2) * 3")) == "(1 + 2) * 3");
  CHECK(expr_to_string(*px("1 + (2 * 3)")) == "1 + 2 * 3");
  CHECK(expr_to_string(*px("a - (b - c)")) == "a - (b - c)");
  CHECK(expr_to_string(*px("-(a + 1)")) == "-(a + 1)");
  CHECK(expr_to_string(*Expr::binary(Expr::Op::Shl, Expr::number(1), Expr::symbol("n"))) == "1 << n");
  // Parenthesised by GNU as's ranking, so the text reads back as the same tree.
  CHECK(expr_to_string(*px("(1 + 2) << 3")) == "(1 + 2) << 3");
  CHECK(expr_to_string(*px("1 + 2 << 3")) == "1 + 2 << 3");
  CHECK(expr_to_string(*px("(a | b) + c")) == "a | b + c");
  CHECK(expr_to_string(*px("a | (b + c)")) == "a | (b + c)");
  CHECK(expr_to_string(*px("a ! b")) == "a ! b");
}

TEST_CASE("asm expr: locations and errors") {
  ExprPtr e = px("1 + Y");
  CHECK(e->rhs->loc.str() == "e.S:3:9");
  try {
    ev("1 + Y");
    FAIL("expected an error");
  } catch (const InputError& err) {
    CHECK(err.diagnostic().where.str() == "e.S:3:9");
    CHECK(err.diagnostic().message == "undefined symbol 'Y'");
  }
  CHECK_THROWS_WITH_AS(ev("4 / (X - 10)"), doctest::Contains("division by zero"), InputError);
  CHECK_THROWS_WITH_AS(px("(1 + 2"), doctest::Contains("missing ')'"), InputError);
  CHECK_THROWS_WITH_AS(px("1 2"), doctest::Contains("junk '2' after expression"), InputError);
  CHECK_THROWS_WITH_AS(px(""), doctest::Contains("expected expression"), InputError);
  CHECK_THROWS_WITH_AS(px("09"), doctest::Contains("invalid number '09'"), InputError);
  CHECK_THROWS_WITH_AS(px("1 @ 2"), doctest::Contains("unexpected character '@'"), InputError);
}

// Issue 17: deep expressions are located errors, not stack overflows
// (kMaxExprDepth = 200 levels of operators and parentheses).
TEST_CASE("asm expr: nesting is bounded") {
  auto error = [](const std::string& s) {
    try {
      px(s);
    } catch (const InputError& e) {
      return e.diagnostic().render();
    }
    return std::string();
  };
  CHECK(ev(std::string(150, '(') + "1" + std::string(150, ')')) == 1);
  CHECK(ev(std::string(150, '-') + "1") == 1);  // an even number of minus signs
  std::string parens = error(std::string(2000, '(') + "1" + std::string(2000, ')'));
  CHECK(parens.find("e.S:3:") == 0);
  CHECK(parens.find("expression nested too deeply") != std::string::npos);
  CHECK(error(std::string(10000, '~') + "1").find("expression nested too deeply") != std::string::npos);
  std::string sum = "1";
  for (int i = 0; i < 300; ++i) sum += "+1";  // a left-leaning tree 301 levels deep
  CHECK(error(sum).find("expression nested too deeply") != std::string::npos);
  std::string short_sum = "1";
  for (int i = 0; i < 150; ++i) short_sum += "+1";
  CHECK(ev(short_sum) == 151);
}

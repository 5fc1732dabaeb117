// Every kind of bad input is rejected with a located, GCC-style message.
#include "tests/support/asm_helpers.hpp"

using namespace ec;
using asmtest::error_of;

TEST_CASE("asm error: malformed operands") {
  CHECK(error_of("\tnop\n\tmovl 4(%esp, %eax\n") == "t.S:2:8: unbalanced parentheses in operand");
  CHECK(error_of("\tmovl 4(%esp)), %eax\n") == "t.S:1:14: unbalanced parentheses in operand");
  CHECK(error_of("\tmovl %eax,\n") == "t.S:1:12: empty operand");
  CHECK(error_of("\tmovl , %eax\n") == "t.S:1:7: empty operand");
  CHECK(error_of("\tmovl (,%eax,3), %ebx\n") == "t.S:1:14: invalid scale factor '3'");
  CHECK(error_of("\tmovl (%eax,%esp), %ebx\n") == "t.S:1:13: '%esp' is not a valid index register");
  CHECK(error_of("\tmovl $, %ebx\n") == "t.S:1:7: missing value after '$'");
  CHECK(error_of("\tmovl %eax:4, %ebx\n") == "t.S:1:7: '%eax' is not a segment register");
}

TEST_CASE("asm error: unknown register at its column, also inside a macro body") {
  CHECK(error_of("\tmovl %foo, %eax\n") == "t.S:1:7: bad register name '%foo'");
  CHECK(error_of("\tmovl 4(%ebx,%exx,2), %eax\n") == "t.S:1:14: bad register name '%exx'");
  CHECK(error_of(".macro M r\n  pushl \\r\n.endm\n\tM %bogus\n") == "t.S:2:9: bad register name '%bogus'");
}

TEST_CASE("asm error: unknown directive") {
  CHECK(error_of("\tnop\n   .frobnicate 1\n") == "t.S:2:4: unknown directive '.frobnicate'");
  CHECK(error_of("\t.long 1\n") == "t.S:1:2: data directive in code is not supported");
  CHECK(error_of(".endm\n") == "t.S:1:1: '.endm' without '.macro'");
  CHECK(error_of("\t.error \"no xen here\"\n") == "t.S:1:2: no xen here");
}

TEST_CASE("asm error: unknown preprocessor directive") {
  CHECK(error_of("\tnop\n  #frobnicate x\n") == "t.S:2:3: unknown preprocessor directive '#frobnicate'");
  CHECK(error_of("# a GNU as comment line\n") == "t.S:1:1: unknown preprocessor directive '#a'");
  CHECK(error_of("#error stop here\n") == "t.S:1:1: #error stop here");
}

TEST_CASE("asm error: unterminated .macro, #if, .if, comment and .rept") {
  CHECK(error_of("\tnop\n .macro M a\n\tnop\n") == "t.S:2:2: unterminated .macro");
  CHECK(error_of("#ifdef X\n#if 1\n#endif\n") == "t.S:1:1: unterminated #ifdef");
  CHECK(error_of("\tnop\n  #if 1\n\tnop\n") == "t.S:2:3: unterminated #if");
  CHECK(error_of(".if 1\n\tnop\n") == "t.S:1:1: unterminated .if");
  CHECK(error_of("\tnop /* open\n\tnop\n") == "t.S:1:6: unterminated comment");
  CHECK(error_of(".rept 3\n\tnop\n") == "t.S:1:1: unterminated .rept");
  CHECK(error_of("#endif\n") == "t.S:1:1: #endif without #if");
  CHECK(error_of(".else\n") == "t.S:1:1: '.else' without '.if'");
}

TEST_CASE("asm error: undefined symbol in .if") {
  CHECK(error_of(".set A, 1\n.if A + MISSING\n.endif\n") == "t.S:2:9: undefined symbol 'MISSING'");
  CHECK(error_of(".set A, B\n\n.if A\n.endif\n") == "t.S:1:9: undefined symbol 'B'");
}

TEST_CASE("asm error: missing and recursive include files") {
  try {
    parse_asm_file(asmtest::fixture("missing_include.S"), {});
    FAIL("expected an error");
  } catch (const InputError& e) {
    CHECK(e.diagnostic().where.file.ends_with("missing_include.S"));
    CHECK(e.diagnostic().where.line == 2);
    CHECK(e.diagnostic().where.column == 12);
    CHECK(e.diagnostic().message == "include file 'does_not_exist.h' not found");
  }
  CHECK_THROWS_WITH_AS(parse_asm_file(asmtest::fixture("recursive.S"), {}),
                       doctest::Contains("recursive #include of 'recursive.S'"), InputError);
  CHECK_THROWS_WITH_AS(parse_asm_file(asmtest::fixture("no_such_file.S"), {}),
                       doctest::Contains("cannot open file"), InputError);
}

TEST_CASE("asm error: local label reference without a definition") {
  CHECK(error_of("\tjmp 1b\n1:\tnop\n") == "t.S:1:6: undefined local label '1b'");
  CHECK(error_of("1:\tnop\n\tjmp 1f\n") == "t.S:2:6: undefined local label '1f'");
  CHECK(error_of("2:\tnop\n\t_ASM_EXTABLE(2b, 3f)\n") == "t.S:2:19: undefined local label '3f'");
}

TEST_CASE("asm error: macro argument errors point at the invocation") {
  CHECK(error_of(".macro M a:req\n\tnop\n.endm\n  M\n") ==
        "t.S:4:3: missing value for required parameter 'a' of macro 'M'");
  CHECK(error_of(".macro M a\n.endm\n\tM 1, 2\n") == "t.S:3:7: too many positional arguments for macro 'M'");
  CHECK(error_of("#define F(a, b) a\n\tF(1)\n") == "t.S:2:2: macro 'F' requires 2 arguments, but 1 given");
}

TEST_CASE("asm error: a diagnostic inside a macro names its file, line and column in the body") {
  try {
    asmtest::parse(".macro M\n\n   .bogus\n.endm\n\tM\n");
    FAIL("expected an error");
  } catch (const InputError& e) {
    CHECK(e.diagnostic().where.str() == "t.S:3:4");
    CHECK(e.diagnostic().message == "unknown directive '.bogus'");
    REQUIRE(e.diagnostic().notes.size() == 1);
    CHECK(e.diagnostic().notes[0] == "in expansion of macro 'M' at t.S:5:2");
  }
}

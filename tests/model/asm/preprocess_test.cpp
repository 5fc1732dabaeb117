// The C preprocessor subset of the assembly front end.
#include "tests/support/asm_helpers.hpp"

using namespace ec;
using asmtest::parse;
using asmtest::texts;
using Strings = std::vector<std::string>;

TEST_CASE("asm cpp: object-like and function-like #define") {
  auto ps = parse(
      "#define SIZE (4 * 4)\n"
      "#define OFF(base, n) ((n) * 4 + base)\n"
      "#define PAIR(a, b) a, b\n"
      "\taddl $SIZE, %ecx\n"
      "\tmovl OFF(8, (1 + 2))(%esp), %eax\n"
      "\tmovl PAIR((%esp, %ecx, 2), OFF(SIZE, 1))\n");
  CHECK(texts(ps) == Strings{"addl $(4 * 4), %ecx", "movl (((1 + 2)) * 4 + 8)(%esp), %eax",
                             "movl (%esp, %ecx, 2), ((1) * 4 + (4 * 4))"});
  CHECK(ps.statements[1].operands[0].mem.base == Reg::ESP);
  CHECK(ps.statements[2].operands[0].mem.scale == 2);
}

TEST_CASE("asm cpp: #undef, token pasting and stringification") {
  auto ps = parse(
      "#define A 1\n#undef A\n#define CAT(a, b) a ## b\n"
      "\tmovl $A, CAT(foo, bar)\n");
  CHECK(texts(ps) == Strings{"movl $A, foobar"});
}

TEST_CASE("asm cpp: a macro is not re-expanded inside its own expansion") {
  auto ps = parse("#define foo foo + 1\n#define bar baz\n#define baz bar\n\tmovl $foo, bar\n");
  CHECK(texts(ps) == Strings{"movl $foo + 1, bar"});
}

TEST_CASE("asm cpp: macros are not expanded in strings, pp-numbers or comments") {
  auto ps = parse("#define b 7\n#define X 3\n1: jmp 1b /* X */ // X\n\tmovl $X, %eax # X b\n");
  CHECK(texts(ps) == Strings{".Lnum1.0:", "jmp 1b", "movl $3, %eax"});
}

TEST_CASE("asm cpp: #ifdef / #ifndef / #else / #endif") {
  auto ps = parse(
      "#define ON\n"
      "#ifdef ON\n\tinc %eax\n#else\n\tinc %ebx\n#endif\n"
      "#ifndef ON\n\tinc %ecx\n#else\n\tinc %edx\n#endif\n"
      "#ifdef OFF\n#ifdef ON\n\tinc %esi\n#endif\n#endif\n");
  CHECK(texts(ps) == Strings{"inc %eax", "inc %edx"});
}

TEST_CASE("asm cpp: #if with defined(), defined X, numbers and #elif") {
  auto ps = parse(
      "#define TWO 2\n#define ON\n"
      "#if defined(ON) && !defined OFF\n\tinc %eax\n#endif\n"
      "#if TWO * 2 == 3\n\tinc %ebx\n#elif TWO > 1 || UNKNOWN\n\tinc %ecx\n#else\n\tinc %edx\n#endif\n"
      "#if 0\n\tinc %esi\n#elif 0\n\tinc %esi\n#endif\n"
      "#if (1UL << 3) == 8\n\tinc %edi\n#endif\n");
  CHECK(texts(ps) == Strings{"inc %eax", "inc %ecx", "inc %edi"});
}

TEST_CASE("asm cpp: unknown directives inside skipped groups are ignored") {
  auto ps = parse("#if 0\n#frobnicate\n.bogus\n#endif\n\tnop\n");
  CHECK(texts(ps) == Strings{"nop"});
}

TEST_CASE("asm cpp: FrontEndOptions::defines apply before the source") {
  FrontEndOptions o;
  o.defines = {{"CONFIG_X86_ESPFIX32", "1"}, {"VAL", "5"}};
  auto ps = parse("#ifdef CONFIG_X86_ESPFIX32\n\tmovl $VAL, %eax\n#endif\n", o);
  CHECK(texts(ps) == Strings{"movl $5, %eax"});
}

TEST_CASE("asm cpp: PER_CPU_VAR is built in unless the source defines it") {
  CHECK(texts(parse("\tmovl PER_CPU_VAR(cpu_tss_rw + 4), %edi\n")) ==
        Strings{"movl %fs:cpu_tss_rw + 4, %edi"});
  auto ps = parse("\tmovl PER_CPU_VAR(x), %edi\n");
  REQUIRE(ps.statements.size() == 1);
  CHECK(ps.statements[0].operands[0].mem.segment == Reg::FS);
  CHECK(texts(parse("#define PER_CPU_VAR(v) %gs:v\n\tmovl PER_CPU_VAR(x), %edi\n")) ==
        Strings{"movl %gs:x, %edi"});
}

TEST_CASE("asm cpp: backslash-newline joins lines") {
  auto ps = parse("#define TWO_INSNS \\\n\tinc %eax; \\\n\tinc %ebx\n\tTWO_INSNS\n");
  CHECK(texts(ps) == Strings{"inc %eax", "inc %ebx"});
}

TEST_CASE("asm cpp: locations survive comments spanning lines") {
  auto ps = parse("/* a comment\n   over lines */  movl %eax, %ebx\n\n  \tnop // trailing\n");
  REQUIRE(ps.statements.size() == 2);
  CHECK(ps.statements[0].loc.str() == "t.S:2:19");
  CHECK(ps.statements[0].operands[1].loc.str() == "t.S:2:30");
  CHECK(ps.statements[1].loc.str() == "t.S:4:4");
}

TEST_CASE("asm cpp: expanded text points at the macro name") {
  auto ps = parse("#define LOAD movl 4(%esp), %eax\n   LOAD\n");
  REQUIRE(ps.statements.size() == 1);
  CHECK(ps.statements[0].loc.str() == "t.S:2:4");
}

TEST_CASE("asm cpp: # N \"file\" line markers set the following locations") {
  auto ps = parse("# 1 \"t.S\"\n# 40 \"arch/x86/entry/entry_32.S\" 2\n\tnop\n\n  inc %eax\n#line 7 \"x.S\"\n ret\n");
  REQUIRE(ps.statements.size() == 3);
  CHECK(ps.statements[0].loc.str() == "arch/x86/entry/entry_32.S:40:2");
  CHECK(ps.statements[1].loc.str() == "arch/x86/entry/entry_32.S:42:3");
  CHECK(ps.statements[2].loc.str() == "x.S:7:2");
}

TEST_CASE("asm cpp: #include \"file\" relative to the including file") {
  ParsedSource ps = parse_asm_file(asmtest::fixture("include_main.S"), {});
  CHECK(texts(ps) == Strings{"movl $42, %eax", "movl 8(%ebx), %ebx"});
  REQUIRE(ps.files.size() == 3);
  CHECK(ps.files[1].ends_with("fixtures/inc/defs.h"));
  CHECK(ps.files[2].ends_with("fixtures/inc/more.h"));
  const Statement& expanded = ps.statements[1];
  CHECK(expanded.loc.file.ends_with("inc/defs.h"));
  CHECK(expanded.loc.line == 4);
  CHECK(expanded.loc.column == 2);
  REQUIRE(expanded.expanded_from.size() == 1);
  CHECK(expanded.expanded_from[0].file.ends_with("include_main.S"));
  CHECK(expanded.expanded_from[0].line == 4);
}

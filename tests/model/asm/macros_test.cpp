// The GNU as layer: .macro, .exitm, .if, .rept/.irp/.irpc, equates, ALTERNATIVE, sections.
#include "tests/support/asm_helpers.hpp"

using namespace ec;
using asmtest::parse;
using asmtest::texts;
using Strings = std::vector<std::string>;

TEST_CASE("asm gas: statements separated by ';' keep their columns") {
  auto ps = parse("  inc %eax ;  inc %ebx;inc %ecx\n");
  CHECK(texts(ps) == Strings{"inc %eax", "inc %ebx", "inc %ecx"});
  CHECK(ps.statements[1].loc.str() == "t.S:1:15");
  CHECK(ps.statements[2].loc.str() == "t.S:1:24");
}

TEST_CASE("asm gas: macro with \\arg, defaults, :req and \\@") {
  auto ps = parse(
      ".macro LOAD dst:req, off=4, base=%esp\n"
      "\tmovl \\off(\\base), \\dst\n"
      ".Ldone_\\@:\n"
      ".endm\n"
      "\tLOAD %eax\n"
      "\tLOAD %ebx, 8\n"
      "\tLOAD %ecx 12 %ebp\n");
  CHECK(texts(ps) == Strings{"movl 4(%esp), %eax", ".Ldone_0:", "movl 8(%esp), %ebx", ".Ldone_1:",
                             "movl 12(%ebp), %ecx", ".Ldone_2:"});
}

TEST_CASE("asm gas: named arguments, empty positional arguments and \\()") {
  auto ps = parse(
      ".macro M a=1 b=2 c=3\n\tmovl $\\a\\()\\b, foo_\\c\n.endm\n"
      "\tM b=7\n"
      "\tM 5,,9\n");
  CHECK(texts(ps) == Strings{"movl $17, foo_3", "movl $52, foo_9"});
}

TEST_CASE("asm gas: quoted arguments lose their quotes; blanks around operators join") {
  auto ps = parse(".macro M x y\n\t\\x $\\y, %eax\n.endm\n\tM \"addl\" 4 + 4\n");
  CHECK(texts(ps) == Strings{"addl $4 + 4, %eax"});
}

TEST_CASE("asm gas: nested macros record every invocation site, innermost first") {
  auto ps = parse(
      ".macro INNER r\n"      // 1
      "  pushl \\r\n"         // 2
      ".endm\n"               // 3
      ".macro OUTER\n"        // 4
      "\tINNER %eax\n"        // 5
      "  \tINNER %ebx\n"      // 6
      ".endm\n"               // 7
      "entry:\n"              // 8
      "    OUTER\n");         // 9
  REQUIRE(texts(ps) == Strings{"entry:", "pushl %eax", "pushl %ebx"});
  const Statement& s = ps.statements[2];
  CHECK(s.loc.str() == "t.S:2:3");
  REQUIRE(s.expanded_from.size() == 2);
  CHECK(s.expanded_from[0].str() == "t.S:6:4");
  CHECK(s.expanded_from[1].str() == "t.S:9:5");
  CHECK(s.macro_names == Strings{"INNER", "OUTER"});
  CHECK(s.operands[0].loc.str() == "t.S:2:9");  // the \r in the body
  CHECK(ps.statements[0].expanded_from.empty());
}

TEST_CASE("asm gas: macros defined by macros, and recursion bounded by .if") {
  auto ps = parse(
      ".macro DEF name\n.macro \\name\n\tnop\n.endm\n.endm\n"
      "\tDEF MYNOP\n\tMYNOP\n"
      ".macro COUNT n\n.if \\n\n\tpushl $\\n\n\tCOUNT \"(\\n-1)\"\n.endif\n.endm\n"
      "\tCOUNT 2\n");
  CHECK(texts(ps) == Strings{"nop", "pushl $2", "pushl $(2-1)"});
}

TEST_CASE("asm gas: .set / .equ / = feed .if, .elseif, .else") {
  auto ps = parse(
      ".set A, 3\n.equ B, A * 2\nC = B - 6\n"
      ".if B == 6\n\tinc %eax\n.else\n\tinc %ebx\n.endif\n"
      ".if C\n\tinc %ecx\n.elseif A > 2\n\tinc %edx\n.else\n\tinc %esi\n.endif\n"
      ".ifeq C\n\tinc %edi\n.endif\n"
      ".ifne C\n\tdec %eax\n.endif\n");
  CHECK(texts(ps) == Strings{"inc %eax", "inc %edx", "inc %edi"});
  REQUIRE(ps.equates.count("C") == 1);
  CHECK(expr_to_string(*ps.equates.at("C")) == "0");  // B (6) was known: folded
}

TEST_CASE("asm gas: .ifdef / .ifndef / .ifb / .ifnb / .ifc") {
  auto ps = parse(
      ".set X, 1\nlbl:\n"
      ".ifdef X\n\tinc %eax\n.endif\n.ifdef lbl\n\tinc %ebx\n.endif\n"
      ".ifndef Y\n\tinc %ecx\n.endif\n.ifdef Y\n\tinc %edx\n.endif\n"
      ".macro M a, b\n.ifb \\a\n\tpushl $0\n.endif\n.ifnb \\b\n\tpushl \\b\n.endif\n"
      ".ifc \\a,go\n\tnop\n.endif\n.endm\n"
      "\tM\n\tM go, %esi\n");
  CHECK(texts(ps) == Strings{"lbl:", "inc %eax", "inc %ebx", "inc %ecx", "pushl $0", "pushl %esi", "nop"});
}

TEST_CASE("asm gas: nested .if inside a false branch is skipped whole") {
  auto ps = parse(".if 0\n.if UNDEFINED\n.bogus\n.else\n\tinc %eax\n.endif\n.else\n\tinc %ebx\n.endif\n");
  CHECK(texts(ps) == Strings{"inc %ebx"});
}

TEST_CASE("asm gas: .rept and .irp") {
  auto ps = parse(
      ".rept 2\n\tnop\n.endr\n"
      ".irp reg, %eax, %ebx %ecx\n\tpushl \\reg\n.endr\n"
      ".rept 0\n\tint3\n.endr\n");
  CHECK(texts(ps) == Strings{"nop", "nop", "pushl %eax", "pushl %ebx", "pushl %ecx"});
}

// Expected streams as GNU as 2.40 assembles them (tests/differential/gas/fixtures/irpc.S).
TEST_CASE("asm gas: .irpc, one pass per character") {
  auto ps = parse(
      ".irpc n, 12\n\taddl $\\n, %eax\n.endr\n"
      ".irpc n, \"3 4\"\n\tpushl $1\\n\n.endr\n"  // quoted: the blank is a character too
      ".irpc n 5 6\n\tpushl $\\n\n.endr\n"        // unquoted blanks are dropped
      ".irpc r, ab\n\tpushl %e\\r\\()x\n.endr\n"
      ".irpc n,\n\tpushl $7\\n\n.endr\n");        // no characters: once, empty
  CHECK(texts(ps) == Strings{"addl $1, %eax", "addl $2, %eax", "pushl $13", "pushl $1", "pushl $14",
                             "pushl $5", "pushl $6", "pushl %eax", "pushl %ebx", "pushl $7"});
  CHECK(asmtest::error_of(".irpc\n.endr\n") == "t.S:1:1: missing symbol name after '.irpc'");
  CHECK(asmtest::error_of(".irpc n, 1\n\tnop\n") == "t.S:1:1: unterminated .irpc");
}

// (tests/differential/gas/fixtures/exitm.S has the same cases against GNU as.)
TEST_CASE("asm gas: .exitm leaves the innermost expansion and its open .if") {
  auto ps = parse(
      ".macro M x\n\tnop\n.if \\x\n\tpushl $1\n.exitm\n.endif\n\tpushl $2\n.endm\n"
      ".macro OUTER\n\tINNER\n\tpushl $3\n.exitm\n\tpushl $4\n.endm\n"
      ".macro INNER\n\tpushl $5\n.if 1\n.if 1\n.exitm\n.endif\n.endif\n\tpushl $6\n.endm\n"
      "\tM 1\n\tM 0\n\tOUTER\n.rept 2\n\tM 1\n.endr\n\tcld\n"
      ".exitm\n\tstd\n");  // outside a macro GNU as only warns
  CHECK(texts(ps) == Strings{"nop", "pushl $1", "nop", "pushl $2", "pushl $5", "pushl $3",
                             "nop", "pushl $1", "nop", "pushl $1", "cld", "std"});
}

TEST_CASE("asm gas: ALTERNATIVE picks the new text when the feature is present") {
  const char* src =
      ".macro SW\n"
      "\tALTERNATIVE \"\", \"jmp .Lend_\\@\", X86_FEATURE_XENPV\n"
      "\tALTERNATIVE \"movl %eax, %ebx; inc %ebx\", \"\", X86_FEATURE_PTI\n"
      ".Lend_\\@:\n"
      ".endm\n"
      "\tSW\n";
  CHECK(texts(parse(src)) == Strings{"movl %eax, %ebx", "inc %ebx", ".Lend_0:"});
  FrontEndOptions o;
  o.cpu_features = {"X86_FEATURE_XENPV", "X86_FEATURE_PTI"};
  auto ps = parse(src, o);
  REQUIRE(texts(ps) == Strings{"jmp .Lend_0", ".Lend_0:"});
  CHECK(ps.statements[0].loc.str() == "t.S:2:19");  // inside the string in the body
  CHECK(ps.statements[0].macro_names == Strings{"SW"});
  CHECK(ps.statements[0].expanded_from[0].str() == "t.S:6:2");
}

TEST_CASE("asm gas: ALTERNATIVE matches a feature the source #defined to a number") {
  FrontEndOptions o;
  o.cpu_features = {"X86_FEATURE_XENPV"};
  auto ps = parse("#define X86_FEATURE_XENPV ( 8*32+16)\n\tALTERNATIVE \"nop\", \"ud2\", X86_FEATURE_XENPV\n", o);
  CHECK(texts(ps) == Strings{"ud2"});
  CHECK(texts(parse("\tALTERNATIVE_2 \"a\", \"b\", F1, \"c\", F2\n", o)) == Strings{"a"});
  o.cpu_features = {"F1"};
  CHECK(texts(parse("\tALTERNATIVE_2 \"a\", \"b\", F1, \"c\", F2\n", o)) == Strings{"b"});
}

TEST_CASE("asm gas: sections, .pushsection/.popsection and .previous") {
  auto ps = parse(
      "\tnop\n"
      ".section .fixup,\"ax\"\n3:\tmovl $0, (%esp)\n\tjmp 3b\n.previous\n"
      "\tinc %eax\n"
      ".pushsection .rodata\n.long 1, 2\n.byte 0\n.popsection\n"
      "\tinc %ebx\n"
      ".data\n.word 7\n.text\n\tret\n");
  std::vector<std::string> sections;
  for (const Statement& s : ps.statements) sections.push_back(s.section);
  CHECK(sections == Strings{".text", ".fixup", ".fixup", ".fixup", ".text", ".text", ".text"});
}

TEST_CASE("asm gas: accepted-and-ignored directives, .globl and ENTRY/END") {
  auto ps = parse(
      ".file \"entry_32.S\"\n.code32\n.globl a, b\n.global c\n.align 16\n.balign 4\n.p2align 4\n"
      ".type foo, @function\n.cfi_startproc\n.loc 1 2\nENTRY(foo)\n\tret\nEND(foo)\nENDPROC(foo)\n"
      "SYM_CODE_START(bar)\n\tret\nSYM_CODE_END(bar)\n.size foo, .-foo\n");
  CHECK(texts(ps) == Strings{"foo:", "ret", "bar:", "ret"});
  CHECK(ps.globals == std::set<std::string>{"a", "b", "c", "foo", "bar"});
  CHECK(ps.statements[0].loc.str() == "t.S:11:1");
}

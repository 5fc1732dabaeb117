// Labels, numeric local labels, operands, prefixes and exception-table entries.
#include "model/asm/link.hpp"
#include "model/program/program.hpp"
#include "tests/support/asm_helpers.hpp"

using namespace ec;
using asmtest::parse;
using asmtest::texts;
using Strings = std::vector<std::string>;

namespace {

Operand op_of(const std::string& insn, size_t k = 0) {
  ParsedSource ps = parse("\t" + insn + "\n");
  REQUIRE(ps.statements.size() == 1);
  REQUIRE(ps.statements[0].operands.size() > k);
  return ps.statements[0].operands[k];
}

std::string disp(const Operand& op) { return op.mem.disp ? expr_to_string(*op.mem.disp) : "<none>"; }

}  // namespace

TEST_CASE("asm labels: several labels on one line and .Lname_\\@") {
  auto ps = parse(".macro M\n.Lx_\\@: .Ly_\\@:\tnop\n.endm\nfoo: bar:  movl %eax, %ebx\n\tM\n");
  CHECK(texts(ps) == Strings{"foo:", "bar:", "movl %eax, %ebx", ".Lx_0:", ".Ly_0:", "nop"});
  CHECK(ps.statements[1].loc.str() == "t.S:4:6");
  CHECK(ps.statements[2].loc.str() == "t.S:4:12");
  CHECK(ps.statements[4].loc.str() == "t.S:2:9");
}

TEST_CASE("asm labels: numeric labels are renamed and 1b/1f rewritten") {
  auto ps = parse(
      "1:\tjmp 1f\n"       // -> second definition of 1
      "1:\tjmp 1b\n"       // -> the label on this very line
      "2:\tjz 1b\n"        // -> second definition of 1
      "\t_ASM_EXTABLE(1b, 2b)\n"
      "01:\tjmp 1b\n");   // "01" is label 1
  std::vector<std::string> labels, targets;
  for (const Statement& s : ps.statements) {
    if (s.kind == Statement::Kind::Label) labels.push_back(s.label);
    if (s.kind == Statement::Kind::Instruction) targets.push_back(expr_to_string(*s.operands[0].mem.disp));
  }
  CHECK(labels == Strings{".Lnum1.0", ".Lnum1.1", ".Lnum2.0", ".Lnum1.2"});
  CHECK(targets == Strings{".Lnum1.1", ".Lnum1.1", ".Lnum1.1", ".Lnum1.2"});
  auto ex = asmtest::of_kind(ps, Statement::Kind::ExtableEntry);
  REQUIRE(ex.size() == 1);
  CHECK(expr_to_string(*ex[0]->extable_from) == ".Lnum1.1");
  CHECK(expr_to_string(*ex[0]->extable_to) == ".Lnum2.0");
  CHECK(ex[0]->loc.str() == "t.S:4:2");
}

TEST_CASE("asm operands: registers, immediates and indirect") {
  Operand r = op_of("movl %EAX, %cr3", 1);
  CHECK(r.kind == Operand::Kind::Register);
  CHECK(r.reg == Reg::CR3);
  CHECK(op_of("movl %EAX, %cr3").reg == Reg::EAX);
  Operand imm = op_of("andl $(~(1 << 31)), %eax");
  CHECK(imm.kind == Operand::Kind::Immediate);
  CHECK(eval_expr(*imm.imm, {}) == ~(int64_t{1} << 31));
  Operand ind = op_of("jmp *%eax");
  CHECK(ind.indirect);
  CHECK(ind.kind == Operand::Kind::Register);
  Operand indm = op_of("call *sys_call_table(,%eax,4)");
  CHECK(indm.indirect);
  CHECK(indm.kind == Operand::Kind::Memory);
  CHECK(indm.mem.index == Reg::EAX);
  CHECK(disp(indm) == "sys_call_table");
}

TEST_CASE("asm operands: memory forms") {
  Operand a = op_of("movl (%esp), %eax");
  CHECK(a.kind == Operand::Kind::Memory);
  CHECK(a.mem.base == Reg::ESP);
  CHECK(!a.mem.disp);
  CHECK(!a.mem.index);
  Operand b = op_of("movl PT_CS(%esp), %eax");
  CHECK(disp(b) == "PT_CS");
  Operand c = op_of("movl (,%eax,4), %ebx");
  CHECK(!c.mem.base);
  CHECK(c.mem.index == Reg::EAX);
  CHECK(c.mem.scale == 4);
  Operand d = op_of("movl -8(%ebp,%ecx,2), %ebx");
  CHECK(eval_expr(*d.mem.disp, {}) == -8);
  CHECK(d.mem.base == Reg::EBP);
  CHECK(d.mem.index == Reg::ECX);
  CHECK(d.mem.scale == 2);
  Operand e = op_of("movl %fs:sym, %eax");
  CHECK(e.mem.segment == Reg::FS);
  CHECK(disp(e) == "sym");
  Operand f = op_of("movl cpu_tss+4, %eax");
  CHECK(f.kind == Operand::Kind::Memory);
  CHECK(!f.mem.base);
  CHECK(disp(f) == "cpu_tss + 4");
  Operand g = op_of("jmp .Lend_3");
  CHECK(disp(g) == ".Lend_3");
  Operand h = op_of("addl (4*4)(%esp, %ebx), %ecx");
  CHECK(eval_expr(*h.mem.disp, {}) == 16);
  CHECK(h.mem.index == Reg::EBX);
  CHECK(h.mem.scale == 1);
  Operand i = op_of("movl %gs:(%eax), %ebx");
  CHECK(i.mem.segment == Reg::GS);
  CHECK(i.mem.base == Reg::EAX);
  Operand j = op_of("movl (1 + 2), %eax");
  CHECK(eval_expr(*j.mem.disp, {}) == 3);
  CHECK(!j.mem.base);
}

TEST_CASE("asm operands: prefixes, text and operand locations") {
  auto ps = parse("\trep movsl\n  lock incl (%eax)\n\trep; movsb\n\tMOVL  %eax,%ebx\n");
  REQUIRE(ps.statements.size() == 4);
  CHECK(ps.statements[0].prefixes == Strings{"rep"});
  CHECK(ps.statements[0].mnemonic == "movsl");
  CHECK(ps.statements[1].prefixes == Strings{"lock"});
  CHECK(ps.statements[1].text == "lock incl (%eax)");
  CHECK(ps.statements[2].prefixes == Strings{"rep"});
  CHECK(ps.statements[2].text == "rep movsb");
  CHECK(ps.statements[3].mnemonic == "movl");
  CHECK(ps.statements[3].text == "movl %eax, %ebx");
  CHECK(ps.statements[3].operands[1].loc.str() == "t.S:4:13");
}

TEST_CASE("asm extable: _ASM_EXTABLE, _ASM_EXTABLE_TYPE and the directive form") {
  auto ps = parse(
      "1:\tmovl %eax, %ds\n2:\tnop\n"
      "\t_ASM_EXTABLE(1b, 2b)\n"
      "\t_ASM_EXTABLE_TYPE(1b, fixup, 3)\n"
      ".pushsection \"__ex_table\", \"a\"\n.balign 4\n.long (1b) - .\n.long 2b - .\n.popsection\n");
  auto ex = asmtest::of_kind(ps, Statement::Kind::ExtableEntry);
  REQUIRE(ex.size() == 3);
  CHECK(expr_to_string(*ex[1]->extable_to) == "fixup");
  CHECK(expr_to_string(*ex[2]->extable_from) == ".Lnum1.0");
  CHECK(expr_to_string(*ex[2]->extable_to) == ".Lnum2.0");
  CHECK(ex[2]->loc.str() == "t.S:7:1");
  CHECK(ex[2]->section == "__ex_table");
}

TEST_CASE("asm extable: a source #define of _ASM_EXTABLE wins") {
  auto ps = parse("#define _ASM_EXTABLE(a, b) nop\n\t_ASM_EXTABLE(1f, 2f)\n");
  CHECK(texts(ps) == Strings{"nop"});
}

// GNU as takes "jmpl" only with an indirect operand (fixtures/jmpl.S).
TEST_CASE("asm decode: jmpl is an indirect near jmp") {
  Program p = link_program(parse("\tjmpl *%eax\n\tjmpl *4(%esi)\n\tjmp *%ebx\n"), LinkOptions{});
  REQUIRE(p.instructions.size() == 3);
  for (const Instruction& i : p.instructions) {
    CHECK(i.op == Op::Jmp);
    CHECK(i.size == 4);
    CHECK(i.operands.at(0).indirect);
    CHECK_FALSE(i.target.has_value());
  }
  CHECK(p.instructions[1].operands[0].disp == 4);
  auto link_error = [](const std::string& text) {
    try {
      link_program(parse(text), LinkOptions{});
    } catch (const InputError& e) {
      return e.diagnostic().where.str() + ": " + e.diagnostic().message;
    }
    return std::string("<no error>");
  };
  CHECK(link_error("x:\tjmpl x\n") ==
        "t.S:1:4: invalid instruction suffix for 'jmp': a direct jmp takes none (write 'jmp label'; a suffix goes "
        "with an indirect operand, '*%reg' or '*mem')");
  CHECK(link_error("\tjmpl *%ax\n") == "t.S:1:2: operand size mismatch for 'jmp': %ax is 16-bit, the operand must be 32-bit");
  CHECK(link_error("\tjmpw *%eax\n") == "t.S:1:2: operand size mismatch for 'jmp': %eax is 32-bit, the operand must be 16-bit");
  // A 16-bit near jump is x86 (GNU as takes it) but not modelled.
  CHECK(link_error("\tjmp *%ax\n") == "t.S:1:2: 'jmp' with operands *r@w is valid x86 but not supported");
}

// Labels in data sections name data, not instructions (fixtures/data_labels.S).
TEST_CASE("asm link: data-section labels get their own addresses above the text") {
  ParsedSource ps = parse(
      "\t.globl start, table\nstart:\tcall *.Ltable(,%eax,4)\n\tmovl $table, %ebx\n\tjmp more\n"
      "\t.section .rodata, \"a\"\n.Ltable:\n\t.long 0\ntable:\n\t.long 1\n"
      "\t.data\n.Lvalue:\n\t.long 2\n"
      "\t.section .entry.text, \"ax\"\nmore:\tmovl .Lvalue, %eax\n\tret\n");
  LinkOptions link;
  link.text_base = 0x1000;
  Program p = link_program(ps, link);
  // Code: .text then .entry.text, in order of first appearance, as before.
  REQUIRE(p.instructions.size() == 5);
  CHECK(p.labels.at("start") == 0);
  CHECK(p.labels.at("more") == 3);
  CHECK(p.instructions[2].target == size_t{3});
  // Text ends at 0x1000 + 5 * 4 = 0x1014; data starts on the next page,
  // 0x100 bytes a label, in layout order (.rodata before .data).
  CHECK(p.labels.count(".Ltable") == 0);
  CHECK(p.instructions[0].operands[0].disp == 0x2000);  // .Ltable
  CHECK(p.instructions[1].operands[0].imm == 0x2100);   // table
  CHECK(p.instructions[3].operands[0].disp == 0x2200);  // .Lvalue
  CHECK_FALSE(p.index_of(0x2000).has_value());
  // Global data is no default entry point.
  CHECK(p.globals == std::set<std::string>{"start"});
}

TEST_CASE("asm link: data labels are still labels: no duplicates, no branching to them") {
  auto link_error = [](const std::string& text) {
    try {
      link_program(parse(text), LinkOptions{});
    } catch (const InputError& e) {
      return e.diagnostic().where.str() + ": " + e.diagnostic().message;
    }
    return std::string("<no error>");
  };
  CHECK(link_error("x:\tnop\n\t.data\nx:\n\t.long 0\n") == "t.S:3:1: label 'x' defined twice");
  CHECK(link_error("\tjmp tbl\n\t.section .rodata\ntbl:\n\t.long 0\n").rfind(
            "t.S:1:2: branch target is not an instruction of the program", 0) == 0);
  // A section without the x flag that holds instructions is still laid out as code.
  Program p = link_program(parse("\tjmp 1f\n\t.section .altinstr_replacement\n1:\tnop\n"), LinkOptions{});
  CHECK(p.instructions[0].target == size_t{1});
}

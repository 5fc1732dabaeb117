// The ELF object front end (model/object) on small objects assembled at test
// time with GNU as (`as --32 -L -g`). Every expectation is worked out by hand
// from the source text: instruction k sits at text_base + 4k (nominal
// addresses), .text comes before .fixup (file order), symbols resolve as
// docs/object-input.md says; then checked against the tool.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "model/object/cpu_features.hpp"
#include "model/object/load_sources.hpp"
#include "model/object/object_program.hpp"
#include "tests/support/temp_files.hpp"

using namespace ec;

namespace {

// `text` assembled by GNU as into dir/name.o.
std::string assemble(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  std::string src = dir.write(name + ".S", text), obj = dir.path(name + ".o");
  std::string cmd = "as --32 -L -g '" + src + "' -o '" + obj + "' 2>/dev/null";
  INFO("GNU as (binutils) must assemble ", src);
  REQUIRE(std::system(cmd.c_str()) == 0);
  return obj;
}

std::string error_of(const std::string& obj, const ObjectOptions& options, const LinkOptions& link) {
  try {
    load_object_program(obj, options, link);
  } catch (const InputError& e) {
    return e.diagnostic().where.str() + ": " + e.diagnostic().message;
  }
  return "<no error>";
}

const char* kBasic = R"(.text
.globl entry
entry:
	movl %fs:cpu_top, %esp
	call handler
	jz 1f
	pushl $entry
1:	lss (%esp), %esp
	iret
.section .fixup,"ax"
2:	movl $0, (%esp)
	jmp 1b
.pushsection __ex_table,"a"
	.long 1b - ., 2b - ., 1
.popsection
)";

}  // namespace

TEST_CASE("object: instructions, relocations, labels and the exception table") {
  testing::TempDir dir;
  std::string obj = assemble(dir, "basic", kBasic);
  LinkOptions link;
  link.constants["cpu_top"] = 0x140;
  Program p = load_object_program(obj, {}, link);
  REQUIRE(p.instructions.size() == 8);  // 6 in .text, 2 in .fixup
  const uint32_t base = link.text_base;
  // movl %fs:cpu_top, %esp: R_386_32 against the undefined cpu_top -> its constant.
  const Instruction& mov = p.instructions[0];
  CHECK(mov.op == Op::Mov);
  CHECK(mov.size == 4);
  REQUIRE(mov.operands.size() == 2);
  CHECK(mov.operands[0].kind == OperandKind::Memory);
  CHECK(mov.operands[0].segment == Reg::FS);
  CHECK(mov.operands[0].disp == 0x140);
  CHECK(mov.operands[1].reg == Reg::ESP);
  CHECK(mov.loc.line == 4);  // DWARF: the .S line
  // call handler: undefined -> a C function.
  CHECK(p.instructions[1].op == Op::Call);
  CHECK(p.instructions[1].external_call == "handler");
  // jz 1f: a displacement in place, to lss (index 4).
  CHECK(p.instructions[2].op == Op::Jcc);
  CHECK(p.instructions[2].cond == Cond::E);
  CHECK(p.instructions[2].target == size_t{4});
  // pushl $entry: R_386_32 against a code symbol -> its nominal address.
  CHECK(p.instructions[3].operands.at(0).imm == base);
  // .fixup's jmp 1b: R_386_PC32 against .text, S + A + 4 = lss.
  CHECK(p.instructions[7].section == ".fixup");
  CHECK(p.instructions[7].target == size_t{4});
  CHECK(p.label_index("entry") == size_t{0});
  CHECK(p.globals.count("entry") == 1);
  REQUIRE(p.extable.size() == 1);
  CHECK(p.extable[0].from == base + 4 * 4);
  CHECK(p.extable[0].to == base + 6 * 4);
  CHECK(p.extable[0].type == ExtableType::Default);
}

TEST_CASE("object: an undefined symbol used as an address is a located error naming it") {
  testing::TempDir dir;
  std::string obj = assemble(dir, "basic", kBasic);
  std::string e = error_of(obj, {}, LinkOptions{});
  CHECK(e.find("/basic.S:4: .text+0x0 (entry): ") != std::string::npos);  // the full path of the .S first
  CHECK(e.find("'cpu_top' is not defined in the object") != std::string::npos);
}

TEST_CASE("object: a jump to an undefined symbol is a tail call (the semantics cuts it); a jcc is not supported") {
  testing::TempDir dir;
  Program p = load_object_program(assemble(dir, "tail", "\tnop\n\tjmp elsewhere\n"), {}, LinkOptions{});
  CHECK(p.instructions.at(1).op == Op::Jmp);
  CHECK(p.instructions[1].external_call == "elsewhere");
  CHECK(!p.instructions[1].target);
  std::string obj = assemble(dir, "jcc", "\tjz elsewhere\n");
  CHECK(error_of(obj, {}, LinkOptions{}).find("a conditional jump to 'elsewhere'") != std::string::npos);
}

namespace {

// The kernel's ALTERNATIVE (Linux 6.1, struct alt_instr), written out.
const char* kAlternatives = R"(.macro ALT old, new, feature
140:	\old
141:	.skip -(((144f-143f)-(141b-140b)) > 0) * ((144f-143f)-(141b-140b)),0x90
142:	.pushsection .altinstructions,"a"
	.long 140b - .
	.long 143f - .
	.word \feature
	.byte 142b - 140b
	.byte 144f - 143f
	.popsection
	.pushsection .altinstr_replacement,"ax"
143:	\new
144:	.popsection
.endm
.globl start
start:
	ALT "movl $1, %eax", "call fancy", 235
	ALT "jmp 2f", "", 0x8000 | 235
	cld
2:	ret
)";

}  // namespace

TEST_CASE("object: alternatives applied for the feature set, as apply_alternatives() does") {
  testing::TempDir dir;
  std::string obj = assemble(dir, "alt", kAlternatives);
  // Feature 235 (7*32+11) absent: the first entry keeps movl $1,%eax (5
  // bytes); the second (ALT_NOT 235) applies: jmp 2f (2 bytes) becomes two NOPs.
  Program off = load_object_program(obj, {}, LinkOptions{});
  REQUIRE(off.instructions.size() == 5);
  CHECK(off.instructions[0].op == Op::Mov);
  CHECK(off.instructions[1].op == Op::Nop);
  CHECK(off.instructions[2].op == Op::Nop);
  CHECK(off.instructions[3].op == Op::Cld);
  // Present: call fancy (5 bytes, its relocation moved with it) replaces
  // the movl; the jmp stays, to ret.
  ObjectOptions on;
  on.features = {"7*32+11"};
  Program p = load_object_program(obj, on, LinkOptions{});
  REQUIRE(p.instructions.size() == 4);
  CHECK(p.instructions[0].op == Op::Call);
  CHECK(p.instructions[0].external_call == "fancy");
  CHECK(p.instructions[1].op == Op::Jmp);
  CHECK(p.instructions[1].target == size_t{3});
  CHECK(p.instructions[3].op == Op::Ret);
  // The code as in the file.
  ObjectOptions raw;
  raw.apply_alternatives = false;
  ObjectListing listing = read_object(obj, raw, LinkOptions{});
  CHECK(listing.program.instructions.size() == 4);  // movl, jmp, cld, ret
  REQUIRE(!listing.rows.empty());
  CHECK(listing.rows.back().section == ".altinstr_replacement");
  CHECK(!listing.rows.back().index.has_value());
  REQUIRE(listing.rows[0].alternatives.size() == 1);
  CHECK(listing.rows[0].alternatives[0].feature == "7*32+11");
}

TEST_CASE("object: exception-table types (asm/extable_fixup_types.h)") {
  testing::TempDir dir;
  const char* pop_zero = "1:\tpopl %ds\n2:\tret\n.pushsection __ex_table,\"a\"\n\t.long 1b - ., 2b - ., 16 | (9 << 8)\n"
                         ".popsection\n";
  Program p = load_object_program(assemble(dir, "popzero", pop_zero), {}, LinkOptions{});
  REQUIRE(p.extable.size() == 1);
  CHECK(p.extable[0].type == ExtableType::PopZero);
  CHECK(p.extable[0].reg == Reg::ES);  // EX_REG_ES = 9
  const char* fault = "1:\tpopl %ds\n2:\tret\n.pushsection __ex_table,\"a\"\n\t.long 1b - ., 2b - ., 2\n.popsection\n";
  CHECK(load_object_program(assemble(dir, "fault", fault), {}, LinkOptions{}).extable.at(0).type == ExtableType::Fault);
  // EX_TYPE_UACCESS (3) is not read: the load fails.
  const char* uaccess = "1:\tpopl %ds\n2:\tret\n.pushsection __ex_table,\"a\"\n\t.long 1b - ., 2b - ., 3\n.popsection\n";
  CHECK(error_of(assemble(dir, "uaccess", uaccess), {}, LinkOptions{}).find("__ex_table entry 0: type 3") !=
        std::string::npos);
}

TEST_CASE("object: CPU feature numbers from a cpufeatures.h") {
  testing::TempDir dir;
  std::string h = dir.write("cpufeatures.h",
                            "#define NCAPINTS\t\t\t22\t   /* N 32-bit words */\n"
                            "#define X86_FEATURE_PTI\t\t\t( 7*32+11) /* Kernel Page Table Isolation */\n"
                            "#define X86_BUG(x)\t\t\t(NCAPINTS*32 + (x))\n"
                            "#define X86_BUG_ESPFIX\t\t\tX86_BUG(9) /* \"\" IRET to 16-bit SS */\n");
  auto table = read_cpufeatures(h);
  CHECK(table.at("X86_FEATURE_PTI") == 235u);
  CHECK(table.at("X86_BUG_ESPFIX") == 22u * 32 + 9);
  CHECK(feature_numbers({"PTI", "X86_BUG_ESPFIX", "1*32+2"}, table, "t") == std::set<unsigned>{34, 235, 713});
  CHECK_THROWS_AS(feature_numbers({"NO_SUCH"}, table, "t"), InputError);
}

TEST_CASE("object: chosen by magic; other binary input is no assembly source") {
  testing::TempDir dir;
  std::string obj = assemble(dir, "one", "\tnop\n");
  CHECK(is_object_file(obj));
  CHECK(load_sources({obj}, FrontEndOptions{}, LinkOptions{}).instructions.size() == 1);
  std::string bin = dir.write("blob.S", std::string("\x01\x02\x00\x03garbage", 11));
  try {
    load_sources({bin}, FrontEndOptions{}, LinkOptions{});
    FAIL("binary input was read");
  } catch (const InputError& e) {
    CHECK(e.diagnostic().message.find("not an assembly source") == 0);
  }
}

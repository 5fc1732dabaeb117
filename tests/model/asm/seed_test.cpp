// End to end over a fixture in the dialect of the 2018 entry_32.S patch.
#include "tests/support/asm_helpers.hpp"

using namespace ec;
using Strings = std::vector<std::string>;

namespace {

const Statement* find_text(const ParsedSource& ps, const std::string& text, int nth = 0) {
  for (const Statement& s : ps.statements)
    if (s.kind == Statement::Kind::Instruction && s.text == text && nth-- == 0) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("asm seed: entry_32.S-style macros expand with locations") {
  ParsedSource ps = parse_asm_file(asmtest::fixture("entry_seed.S"), {});
  CHECK(ps.globals.count("entry_INT80_32") == 1);
  CHECK(ps.statements.front().label == "entry_INT80_32");
  CHECK(ps.statements.front().section == ".entry.text");
  CHECK(find_text(ps, "jmp .Lend_0") != nullptr);        // the copy path, not the ALTERNATIVE
  CHECK(find_text(ps, "jz .Lcopy_pt_regs_0") == nullptr);  // CONFIG_VM86 is off
  const Statement* orl = find_text(ps, "orl $(1 << 31), PT_CS(%esp)");
  REQUIRE(orl != nullptr);
  CHECK(orl->loc.line == 41);
  CHECK(orl->loc.column == 2);
  CHECK(orl->macro_names == Strings{"SWITCH_TO_KERNEL_STACK"});
  REQUIRE(orl->expanded_from.size() == 1);
  CHECK(orl->expanded_from[0].line == 66);
  const Statement* load = find_text(ps, "movl %fs:cpu_tss_rw + TSS_sp0, %edi", 1);
  REQUIRE(load != nullptr);
  CHECK(load->macro_names == Strings{"PARANOID_EXIT_TO_KERNEL_MODE"});
  CHECK(load->operands[0].mem.segment == Reg::FS);
  auto ex = asmtest::of_kind(ps, Statement::Kind::ExtableEntry);
  REQUIRE(ex.size() == 1);
  CHECK(expr_to_string(*ex[0]->extable_from) == ".Lnum1.0");
  CHECK(expr_to_string(*ex[0]->extable_to) == ".Lnum2.0");
  CHECK(find_text(ps, "pushl $0")->section == ".fixup");
}

TEST_CASE("asm seed: XENPV takes the ALTERNATIVE jump; CONFIG_VM86 adds the vm86 path") {
  FrontEndOptions o;
  o.cpu_features = {"X86_FEATURE_XENPV"};
  o.defines = {{"CONFIG_VM86", "1"}};
  ParsedSource ps = parse_asm_file(asmtest::fixture("entry_seed.S"), o);
  REQUIRE(ps.statements.size() > 1);
  CHECK(ps.statements[1].text == "jmp .Lend_0");
  CHECK(ps.statements[1].loc.line == 6);
  CHECK(find_text(ps, "jz .Lcopy_pt_regs_0") != nullptr);
}

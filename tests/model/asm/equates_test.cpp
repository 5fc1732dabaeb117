// Symbols set more than once (.set / .equ / .equiv / =), as GNU as does it:
// each use sees the definition in force where it is written; a use before
// any definition sees the first one. Expected values worked out by hand and
// checked against GNU as 2.40 (tests/differential/gas/fixtures/equates.S).
#include <doctest/doctest.h>

#include "model/asm/link.hpp"
#include "model/program/program.hpp"
#include "tests/support/asm_helpers.hpp"

using namespace ec;
using namespace ec::asmtest;

namespace {

// The immediate (first operand) of every instruction, linked as the checker would.
std::vector<int64_t> immediates(const std::string& text) {
  Program p = link_program(parse(text), LinkOptions{});
  std::vector<int64_t> out;
  for (const Instruction& i : p.instructions) out.push_back(static_cast<int32_t>(i.operands.at(0).imm));
  return out;
}

std::string link_error_of(const std::string& text) {
  try {
    link_program(parse(text), LinkOptions{});
  } catch (const InputError& e) {
    return e.diagnostic().where.str() + ": " + e.diagnostic().message;
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("asm equates: each use sees the value in force where it is written") {
  CHECK(immediates(".set N, 1\n\tpushl $N\n.set N, 2\n\tpushl $N\n") == std::vector<int64_t>{1, 2});
  CHECK(immediates("N = 1\n\tpushl $N + 1\nN = 5\n\tpushl $N * 2\n") == std::vector<int64_t>{2, 10});
}

TEST_CASE("asm equates: a forward reference means the first definition") {
  CHECK(immediates("\tpushl $F\n.set F, 1\n.set F, 2\n\tpushl $F\n") == std::vector<int64_t>{1, 2});
  // A's B is B's first definition (10), though B is later 20.
  CHECK(immediates(".set A, B + 1\n.set B, 10\n\tpushl $A\n.set B, 20\n\tpushl $A\n\tpushl $B\n") ==
        std::vector<int64_t>{11, 11, 20});
}

TEST_CASE("asm equates: redefinition in terms of the previous value") {
  CHECK(immediates("N = 1\nN = N + 1\n\tpushl $N\n.set N, N << 2\n\tpushl $N\n") ==
        std::vector<int64_t>{2, 8});
  // 1 -> 2 -> 4 -> 8, one use per step.
  CHECK(immediates("N = 1\n.rept 3\nN = N * 2\n\tpushl $N\n.endr\n") == std::vector<int64_t>{2, 4, 8});
}

TEST_CASE("asm equates: a definition from known symbols is stored as its value") {
  auto ps = parse(".set C, 5\n.set D, C * 2\n.set C, 7\n");
  CHECK(expr_to_string(*ps.equates.at("D")) == "10");
  CHECK(expr_to_string(*ps.equates.at("C")) == "5");  // first definition: for forward references
  // Symbols not known yet (labels, spec constants) stay symbolic.
  auto ps2 = parse(".set OFF, PT_EAX + 4\n.set OFF, OFF + 4\n\tmovl OFF(%esp), %eax\n");
  CHECK(expr_to_string(*ps2.statements.at(0).operands.at(0).mem.disp) == "PT_EAX + 4 + 4");
  LinkOptions link;
  link.constants["PT_EAX"] = 0x18;
  CHECK(link_program(ps2, link).instructions.at(0).operands.at(0).disp == 0x20);
}

TEST_CASE("asm equates: .if and .ifdef see the current value") {
  auto ps = parse(".equ V, 1\n.if V == 1\n\tinc %eax\n.endif\n.equ V, 2\n.if V == 2\n\tinc %ebx\n.endif\n"
                  ".ifdef W\n\tinc %ecx\n.endif\n.set W, 0\n.ifdef W\n\tinc %edx\n.endif\n");
  CHECK(texts(ps) == std::vector<std::string>{"inc %eax", "inc %ebx", "inc %edx"});
}

TEST_CASE("asm equates: errors are located") {
  // A genuinely self-referential first definition: no earlier N to build on.
  CHECK(link_error_of(".set N, N + 1\n\tpushl $N\n") == "t.S:1:9: symbol 'N' is defined in terms of itself");
  CHECK(error_of(".set N, N + 1\n.if N\n.endif\n") == "t.S:1:9: recursive definition of 'N'");
  CHECK(error_of(".equiv G, 4\n.equiv G, 5\n") == "t.S:2:8: symbol 'G' is already defined");
  CHECK(error_of("1:\tnop\n.set X, 1b\n") ==
        "t.S:2:9: local label reference '1b' in a symbol definition is not supported");
  CHECK(error_of(".set Z, 1 / 0\n") == "t.S:1:9: division by zero");
}

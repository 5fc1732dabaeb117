// Maps a mnemonic as written ("cmpl", "jnz", "movzbl", "rep movsl") to an
// operation, condition and operand size. One table; anything else is a
// located "unknown instruction" error.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/asm/parsed.hpp"
#include "model/program/program.hpp"

namespace ec {

struct DecodedMnemonic {
  Op op = Op::Nop;
  Cond cond = Cond::E;
  int size = 0;      // 0 = infer from operands
  int src_size = 0;  // movzx/movsx
};

// Throws InputError at stmt.loc for unknown mnemonics, wrong operand counts
// and sizes that cannot be inferred.
DecodedMnemonic decode_statement(const Statement& stmt);

}  // namespace ec

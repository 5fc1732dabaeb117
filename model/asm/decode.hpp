// Maps a mnemonic as written ("cmpl", "jnz", "movzbl", "rep movsl") to an
// operation, condition and operand sizes, from the instruction catalog
// (model/program/instructions.def): the spellings GNU as takes, with the
// operand sizes GNU as would choose. Anything else is a located error.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/asm/parsed.hpp"
#include "model/program/instruction_table.hpp"
#include "model/program/program.hpp"

namespace ec {

struct DecodedMnemonic {
  Op op = Op::Nop;
  Cond cond = Cond::E;
  int size = 4;      // operation size (destination size for movzx/movsx)
  int src_size = 4;  // movzx/movsx source size
  bool suffix_given = false;
  bool rep = false;
  const OperandForm* form = nullptr;  // the form the operands match
  std::optional<std::string> warning;  // GNU as's warning, if it gives one
};

// Throws InputError at stmt.loc for unknown mnemonics, prefixes and operand
// forms GNU as rejects (or that the model does not cover).
DecodedMnemonic decode_statement(const Statement& stmt);

}  // namespace ec

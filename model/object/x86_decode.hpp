// One x86-32 instruction decoded by Zydis, in a form that does not leak
// Zydis's types: the Intel mnemonic, the explicit operands (Intel order,
// as Zydis gives them) with the byte offsets of the displacement and
// immediate fields (where a relocation may apply), and the AT&T text.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/base/registers.hpp"

namespace ec {

struct DecodedOperand {
  enum class Kind : uint8_t { Register, Immediate, Relative, Memory, Unsupported };
  Kind kind = Kind::Register;
  int size_bits = 0;
  // Register (also Memory's base/index/segment). A register entrycheck has
  // no name for (xmm0, dr7, ...) makes the operand Unsupported.
  Reg reg = Reg::EAX;
  // Immediate: the value sign-extended to 64 bits. Relative: the displacement.
  int64_t value = 0;
  // Memory.
  std::optional<Reg> segment;  // only when a prefix names one
  std::optional<Reg> base, index;
  int scale = 1;
  int64_t disp = 0;
  std::string unsupported;  // why, for Unsupported
};

struct DecodedX86 {
  uint32_t offset = 0;  // in its section
  unsigned length = 0;
  std::string mnemonic;  // ZydisMnemonicGetString, lowercase ("pushfd", "jnz")
  std::string text;      // AT&T text, relative targets as section offsets
  int operand_width = 0; // bits (Zydis's effective operand size)
  bool rep = false;      // rep/repe/repne prefix
  bool lock = false;
  bool far = false;      // a far branch (pointer operand or far memory)
  std::vector<DecodedOperand> operands;  // explicit operands, Intel order
  int disp_field = -1;   // byte offset of the displacement field in the instruction, or -1
  int disp_size = 0;     // bytes
  int imm_field = -1;    // the first immediate field
  int imm_size = 0;
  std::string error;     // set when the bytes are no valid instruction
};

// Decodes the instruction at `bytes` (at most `available` bytes), which
// sits at `offset` in its section.
DecodedX86 decode_x86(const uint8_t* bytes, size_t available, uint32_t offset);

}  // namespace ec

// The linked program: decoded instructions with nominal addresses, labels and
// the exception table, every symbol resolved. Built from the front end's
// statements plus the spec's constants (the kernel's asm-offsets live there).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/base/diagnostic.hpp"
#include "model/base/registers.hpp"

namespace ec {

// Every operation entrycheck models: one per row of instructions.def.
enum class Op : uint8_t {
#define EC_INSTRUCTION(Name, ...) Name,
#include "model/program/instructions.def"
};
inline constexpr size_t kNumOps = 0
#define EC_INSTRUCTION(Name, ...) +1
#include "model/program/instructions.def"
    ;

// Condition codes in hardware order (the low nibble of Jcc's opcode).
enum class Cond : uint8_t {
#define EC_CONDITION(Name, ...) Name,
#include "model/program/instructions.def"
};

// How an operand is given (AT&T: %reg, $imm, memory).
enum class OperandKind : uint8_t { Register, Immediate, Memory };

struct ResolvedOperand {
  OperandKind kind = OperandKind::Register;
  Reg reg = Reg::EAX;
  uint32_t imm = 0;  // Immediate
  // Memory: segment override, displacement, base, index, scale.
  std::optional<Reg> segment;
  uint32_t disp = 0;
  std::optional<Reg> base, index;
  int scale = 1;
  bool indirect = false;
};

struct Instruction {
  Op op = Op::Nop;
  Cond cond = Cond::E;
  int size = 4;      // operand size in bytes (destination size for movzx/movsx)
  int src_size = 4;  // movzx/movsx source size
  bool rep = false;
  std::vector<ResolvedOperand> operands;  // AT&T order: source first
  uint32_t address = 0;
  std::string text;
  std::string section;
  SourceLocation loc;
  std::vector<SourceLocation> expanded_from;
  std::vector<std::string> macro_names;

  // Direct jmp/jcc/call to a label in the program: its instruction index.
  std::optional<size_t> target;
  // Direct call to a symbol the program does not define: a C handler. On
  // a jmp (object input only: `jmp __switch_to`), a tail call, which the
  // semantics does not model (the path is cut).
  std::string external_call;
};

// The kernel's exception-table fixup types entrycheck reads
// (arch/x86/include/asm/extable_fixup_types.h, Linux 6.1): the .S front end's
// _ASM_EXTABLE is Default; an object's __ex_table may hold the others. Only
// Default is modelled by the semantics (a fault resumes at the fixup); the
// others make a path that needs them stop as unsupported.
enum class ExtableType : uint8_t {
  Default,  // EX_TYPE_DEFAULT: resume at the fixup
  Fault,    // EX_TYPE_FAULT: the same, with the trap number in %eax
  PopZero,  // EX_TYPE_POP_ZERO | EX_REG_<seg>: pop the slot, the segment register 0, resume at the fixup
};
std::string extable_type_name(ExtableType type);

struct ExtableEntry {
  uint32_t from = 0, to = 0;
  SourceLocation loc;
  ExtableType type = ExtableType::Default;
  std::optional<Reg> reg;  // PopZero: the segment register the fixup zeroes
};

struct Program {
  std::vector<Instruction> instructions;
  std::map<std::string, size_t> labels;  // label -> index of the next instruction
  std::vector<ExtableEntry> extable;
  std::vector<Diagnostic> warnings;  // from loading (e.g. GNU as's "shortened" warnings); the CLI prints them
  std::vector<std::string> files;
  std::set<std::string> globals;  // .globl / ENTRY names: the default CFG roots
  uint32_t text_base = 0;

  static constexpr uint32_t kInstrStride = 4;  // nominal bytes per instruction
  uint32_t address_of(size_t index) const { return text_base + static_cast<uint32_t>(index) * kInstrStride; }
  std::optional<size_t> index_of(uint32_t address) const;
  std::optional<size_t> label_index(const std::string& name) const;
  // The label at exactly this index, if any (first one found); for display.
  std::string label_at(size_t index) const;
};

std::string op_name(Op op);
std::string cond_name(Cond c);

}  // namespace ec

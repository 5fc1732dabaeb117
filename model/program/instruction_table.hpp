// The instruction catalog (instructions.def) as data: names, spellings,
// sizes, operand forms, family and rule of every Op, and the operand-form
// check every front end runs on every instruction it loads.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/program/program.hpp"

namespace ec {

// Operand classes of the forms (instructions.def explains each).
enum OperandClass : uint16_t {
  kClassGpr = 1 << 0,          // r
  kClassMem = 1 << 1,          // m
  kClassImm = 1 << 2,          // i
  kClassImm8 = 1 << 3,         // i8
  kClassCount = 1 << 4,        // cl
  kClassSeg = 1 << 5,          // s
  kClassSegLoadable = 1 << 6,  // sl
  kClassCtrl = 1 << 7,         // c
  kClassTarget = 1 << 8,       // j, j-
  kClassIndirectGpr = 1 << 9,  // *r
  kClassIndirectMem = 1 << 10, // *m
};

// How wide an operand of a form is.
enum class OperandWidth : uint8_t { OpSize, SrcSize, Fixed, None };

struct OperandPattern {
  uint16_t classes = 0;
  OperandWidth width = OperandWidth::OpSize;
  int bytes = 0;  // Fixed
  std::string text;
};

// Operation sizes as a set of byte counts: bit 0 = 1 byte, 1 = 2, 2 = 4.
using SizeSet = uint8_t;
inline constexpr SizeSet size_bit(int bytes) { return static_cast<SizeSet>(bytes == 1 ? 1 : bytes == 2 ? 2 : bytes == 4 ? 4 : 0); }

struct OperandForm {
  std::vector<OperandPattern> operands;
  SizeSet sizes = 0;             // 0: the form has no operation size (takes no suffix)
  bool target_without_suffix = false;  // j-: a direct target only when no suffix is written
  bool modelled = true;          // false: valid x86, rejected as not supported
  std::string text;              // as written in the table
};

// A GNU as spelling: "movl" is {mov, 4}; "movzbl" is {movzx, 4, src 1}.
struct AttSpelling {
  std::string name;
  bool takes_suffix = false;  // a base name: the row's size suffixes may follow
  int size = 0;               // fixed operation size (0: from suffix or operands)
  int src_size = 0;           // movzx/movsx source size (0: from operands)
};

struct IntelName {
  std::string name;  // as ZydisMnemonicGetString prints it, lowercase
  int size = 0;      // the operation size it implies, 0 = from operands
};

enum class Flow : uint8_t { Next, Branch, Jump, Call, Return, Stop };

struct InstructionInfo {
  Op op;
  std::string name;    // op_name: "mov", "lss"
  std::string family;  // semantics family: "DataMoves"
  std::string rule;    // its member function: "lss"
  Flow flow = Flow::Next;
  std::vector<IntelName> intel;
  std::vector<AttSpelling> att;
  SizeSet sizes = 0;
  int default_size = 0;  // used silently when nothing decides (0: warn and use 4)
  std::vector<OperandForm> forms;
  enum class Rep : uint8_t { None, Any, Bare } rep = Rep::None;  // rep/repe/repz/repne/repnz accepted (Bare: without operands)
};

struct ConditionInfo {
  Cond cond;
  std::string name;               // cond_name: "e"
  std::vector<std::string> att;   // "je", "jz"
  std::string intel;              // "jz"
};

const std::vector<InstructionInfo>& instruction_table();
const InstructionInfo& instruction_info(Op op);
const std::vector<ConditionInfo>& condition_table();
std::string flow_name(Flow flow);

// The ELF front end's view: a Zydis mnemonic ("lss", "pushfd", "jnz") to
// the operation, its condition and the size the mnemonic implies (0: from
// the operands). Unknown mnemonics: nullopt (the caller reports them).
struct IntelMatch {
  Op op;
  Cond cond = Cond::E;
  int size = 0;
};
std::optional<IntelMatch> op_from_intel(std::string_view mnemonic);

// The .S front end's view: what a GNU as mnemonic may mean ("movl" is mov
// with a suffix; "movsb" is the byte string move or, with two operands,
// movsbl). Empty: no such instruction.
struct AttMatch {
  Op op;
  Cond cond = Cond::E;
  int size = 0;      // from the spelling (0: from the operands)
  int src_size = 0;  // movzx/movsx source size from the spelling
  bool suffix_given = false;
};
std::vector<AttMatch> att_matches(std::string_view mnemonic);

// An operand as the form check sees it.
struct OperandShape {
  OperandKind kind = OperandKind::Register;
  Reg reg = Reg::EAX;
  bool indirect = false;
  bool target = false;  // a direct branch target (a label)
};
std::vector<OperandShape> operand_shapes(const Instruction& ins);

// Does `shape` belong to one of `pattern`'s classes (widths aside)?
bool shape_in_classes(const OperandShape& shape, uint16_t classes);

// The first form of `info` that takes these operands with these sizes.
// error is empty when one matched (form then points to it); otherwise it
// says what is wrong, "... is not supported" when the matching form is
// valid x86 the model does not cover.
struct FormMatch {
  const OperandForm* form = nullptr;
  std::string error;
};
FormMatch match_operand_form(const InstructionInfo& info, const std::vector<OperandShape>& operands, int size,
                             int src_size, bool suffix_given);

// The check every front end runs on every instruction it loads (reached or
// not): throws InputError at ins.loc unless the operands are a form the
// table declares and the model covers.
void check_operand_form(const Instruction& ins, bool suffix_given = false);

}  // namespace ec

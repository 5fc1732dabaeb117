// What the assembly front end hands to the program builder: a flat list of
// statements (labels, instructions, exception-table entries) after the C
// preprocessor subset, GAS macro expansion, .if and local-label renaming.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/asm/expr.hpp"
#include "model/program/program.hpp"
#include "model/base/diagnostic.hpp"
#include "model/base/registers.hpp"

namespace ec {

struct MemRef {
  std::optional<Reg> segment;  // %fs:...
  ExprPtr disp;                // may be null (no displacement)
  std::optional<Reg> base;
  std::optional<Reg> index;
  int scale = 1;
};

struct Operand {
  using Kind = OperandKind;
  Kind kind = Kind::Register;
  Reg reg = Reg::EAX;  // Register
  ExprPtr imm;         // Immediate ($expr)
  MemRef mem;          // Memory; a bare expression ("jmp foo", "movl sym, %eax") is a
                       // Memory operand with only disp set
  bool indirect = false;  // "*%eax" / "*mem" in jmp/call
  SourceLocation loc;
};

struct Statement {
  enum class Kind { Label, Instruction, ExtableEntry };
  Kind kind = Kind::Instruction;
  SourceLocation loc;                      // where it was written (inside the macro body
                                           // for expanded lines)
  std::vector<SourceLocation> expanded_from;  // macro invocation sites, innermost first
  std::vector<std::string> macro_names;       // names of those macros, same order
  std::string section = ".text";           // section the statement lands in
  bool code_section = true;                // that section is code (an 'x' flag, or a
                                           // name like .text/.fixup); else data

  // Label: a name (numeric local labels are renamed to unique names, and their
  // "1b"/"1f" references rewritten to match).
  std::string label;

  // Instruction: lowercase mnemonic as written ("movl", "jz", "movsl"), prefixes
  // ("rep"), operands in AT&T order (source first), and the text after
  // expansion for traces ("movl %esp, %esi").
  std::string mnemonic;
  std::vector<std::string> prefixes;
  std::vector<Operand> operands;
  std::string text;

  // ExtableEntry: _ASM_EXTABLE(from, to) or the directive form it expands to.
  ExprPtr extable_from, extable_to;
};

struct ParsedSource {
  std::vector<Statement> statements;
  std::map<std::string, ExprPtr> equates;  // .set / .equ / '=' assignments
  std::set<std::string> globals;           // .globl / .global / ENTRY()
  std::vector<std::string> files;          // every file read (main + #include)
};

struct FrontEndOptions {
  std::map<std::string, std::string> defines;  // -D NAME=VALUE (value "1" when absent)
  std::set<std::string> cpu_features;           // for ALTERNATIVE: features present
  std::string cpufeatures;  // object input: the kernel's cpufeatures.h, which numbers the features (model/object)
};

// Reads and parses one .S file. Throws InputError (file:line:col) on anything
// outside the supported subset.
ParsedSource parse_asm_file(const std::string& path, const FrontEndOptions& options);
// Same, from text already in memory (tests); `name` is used in locations.
ParsedSource parse_asm_text(const std::string& text, const std::string& name,
                            const FrontEndOptions& options);

}  // namespace ec

// AT&T operands and instruction statements ("rep movsl", "movl 4(%esp), %eax").
#pragma once
#include "model/asm/loc_text.hpp"
#include "model/asm/parsed.hpp"

namespace ec::asmfe {

bool is_instruction_prefix(std::string_view word);  // rep, repz, lock, ...

// Parses one operand (register, $imm, memory, '*' indirect). Throws InputError
// at the offending column for malformed syntax or an unknown register.
Operand parse_operand(const LocText& text);

// Fills mnemonic, prefixes, operands and text of `st` from "prefix* mnemonic ops".
// A statement holding only prefixes leaves the mnemonic empty.
void parse_instruction(const LocText& text, Statement& st);

}  // namespace ec::asmfe

// GNU as numeric local labels ("1:", "jmp 1b", "jz 2f").
#pragma once
#include <vector>

#include "model/asm/parsed.hpp"

namespace ec::asmfe {

bool is_numeric_label(const std::string& name);  // "1", "42"

// Gives every numeric label definition a unique name (".Lnum1.0", ".Lnum1.1", ...)
// and rewrites "Nb" / "Nf" symbols in operands and exception-table entries to the
// nearest previous / following definition. Throws at a reference without one.
void rename_numeric_labels(std::vector<Statement>& statements);

}  // namespace ec::asmfe

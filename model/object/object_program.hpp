// The ELF front end: a 32-bit relocatable object (the kernel's
// arch/x86/entry/entry_32.o, or a .S assembled with `as --32`) read into the
// same Program the .S front end builds. Code sections are decoded with Zydis
// after the chosen alternatives are applied; relocations resolve to symbols
// (an undefined one: a C function for a call, the spec's constant for an
// address); __ex_table becomes the exception table; DWARF gives every
// instruction its .S line. docs/object-input.md describes it.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/asm/link.hpp"
#include "model/program/program.hpp"

namespace ec {

struct ObjectOptions {
  std::set<std::string> features;  // CPU features present (names, or numbers "7*32+11")
  std::string cpufeatures;         // the kernel's cpufeatures.h, for feature names ("": numbers only)
  bool apply_alternatives = true;  // false: the code as in the file (dump-program --no-alternatives)
};

// An alternative that covers an instruction's bytes.
struct RowAlternative {
  size_t entry = 0;  // index in .altinstructions
  std::string feature;  // "X86_FEATURE_PTI", or "7*32+11"
  bool inverted = false;  // ALT_NOT: patched when the feature is absent
  bool applied = false;
};

// One decoded instruction of the object, as `dump-program` shows it.
struct ObjectRow {
  std::string section;
  uint32_t offset = 0;
  unsigned length = 0;
  std::string bytes;   // hex
  std::string symbol;  // "handle_exception+0x12"
  std::string mnemonic;
  std::string text;    // AT&T
  SourceLocation loc;
  std::optional<size_t> index;  // the program's instruction (nullopt: .altinstr_replacement)
  std::string unsupported;      // why the model cannot take it ("" = it can)
  std::vector<RowAlternative> alternatives;
  std::vector<size_t> extable;  // entries of the program's exception table that start here
  bool padding = false;         // NOP padding of an applied alternative
};

struct ObjectListing {
  std::vector<ObjectRow> rows;  // program sections in order, then .altinstr_replacement
  Program program;              // complete only when no row is unsupported
  size_t unsupported = 0;
  std::string where(const ObjectRow& row) const;  // "file:line: .entry.text+0x12 (sym+0x4)"
};

// Reads the object; rows the model cannot take are marked, not thrown.
// Throws InputError for a malformed object or tables.
ObjectListing read_object(const std::string& path, const ObjectOptions& options, const LinkOptions& link);

// The program, or an InputError at the first unsupported instruction that
// lists all of them.
Program load_object_program(const std::string& path, const ObjectOptions& options, const LinkOptions& link);

}  // namespace ec

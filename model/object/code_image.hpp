// The object's code as the kernel runs it: each executable section's bytes
// with the .altinstructions entries for the chosen CPU features applied the
// way Linux 6.1's apply_alternatives() does (the replacement copied over the
// original, the rest padded with NOPs), and the relocations moved with the
// bytes they belong to.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/object/elf_object.hpp"

namespace ec {

// A place in the object: section index and byte offset.
struct ObjectPlace {
  size_t section = 0;
  uint32_t offset = 0;
  bool operator<(const ObjectPlace& o) const { return section != o.section ? section < o.section : offset < o.offset; }
  bool operator==(const ObjectPlace& o) const { return section == o.section && offset == o.offset; }
};

// One struct alt_instr of .altinstructions (6.1: s32 instr_offset, s32
// repl_offset, u16 cpuid with bit 15 = ALT_NOT, u8 instrlen, u8
// replacementlen: 12 bytes).
struct AltInstr {
  size_t entry = 0;  // its index in .altinstructions
  ObjectPlace instr, replacement;
  uint16_t cpuid = 0;
  uint8_t instrlen = 0, replacementlen = 0;
  unsigned feature() const { return cpuid & 0x7fffu; }
  bool inverted() const { return cpuid & 0x8000u; }
  // apply_alternatives(): patch when the feature's presence differs from ALT_NOT.
  bool applies(const std::set<unsigned>& features) const { return (features.count(feature()) != 0) != inverted(); }
};

// A relocation where the code now holds its field, with the addend read
// from the original bytes (REL: the addend is in place).
struct PlacedRelocation {
  ElfRelocation rel;
  int64_t addend = 0;
  uint32_t origin_offset = 0;  // where the field was in its original section
  size_t origin_section = 0;
};

// A range of a section the chosen features replaced.
struct AppliedPatch {
  uint32_t offset = 0, length = 0;  // the original instruction's bytes
  AltInstr alt;  // the entry applied (a copy: the image may be moved)
};

struct CodeSection {
  const ElfSection* section = nullptr;
  std::vector<uint8_t> bytes;  // after the alternatives
  std::map<uint32_t, PlacedRelocation> relocations;  // by field offset, after the alternatives
  std::vector<AppliedPatch> patches;                 // in .altinstructions order
  // For a byte in a patched range: where it came from (source lines), or
  // nullopt for NOP padding.
  std::optional<ObjectPlace> origin(uint32_t offset) const;
  const AppliedPatch* patch_at(uint32_t offset) const;
};

struct CodeImage {
  std::vector<CodeSection> sections;  // executable sections in file order, .altinstr_replacement aside
  std::vector<AltInstr> alternatives;
  std::optional<CodeSection> replacements;  // .altinstr_replacement, as in the file
};

// The 12-byte entries of .altinstructions, their offsets resolved through
// the section's R_386_PC32 relocations. Throws InputError on a malformed table.
std::vector<AltInstr> read_alternatives(const ElfObject& object);

// Reads the object's .altinstructions from the object's code
// and applies the entries whose feature test passes for `features` (feature
// numbers); `apply` false keeps the bytes as in the file.
CodeImage build_code_image(const ElfObject& object, const std::set<unsigned>& features, bool apply);

// The addend in place of a REL relocation's field (4 bytes; 2 and 1 for the 16/8-bit types).
int64_t in_place_addend(const ElfObject& object, size_t section, const ElfRelocation& rel);

// Does a relocation name a code section this image does not run from
// (.altinstr_replacement)? Its name, for messages.
bool is_replacement_section(const ElfSection& s);

}  // namespace ec

#include "model/object/code_image.hpp"

#include <elf.h>

#include "model/base/diagnostic.hpp"
#include "model/base/hex.hpp"

namespace ec {
namespace {

constexpr uint32_t kAltInstrSize = 12;  // sizeof(struct alt_instr), Linux 6.1 (packed)
constexpr const char* kReplacementSection = ".altinstr_replacement";

[[noreturn]] void bad_table(const ElfObject& object, const std::string& what) {
  throw InputError(SourceLocation{object.path(), 0, 0}, what);
}

uint32_t read_le(const std::vector<uint8_t>& bytes, uint32_t offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t{bytes.at(offset + i)} << (8 * i);
  return v;
}

// A `.long target - .` field of a table: the place it names.
ObjectPlace pc_relative_place(const ElfObject& object, const ElfSection& table, uint32_t field,
                              const std::string& what) {
  const ElfRelocation* rel = object.relocation_at(table.index, field);
  if (!rel || rel->type != R_386_PC32)
    bad_table(object, table.name + "+" + hex32(field) + ": " + what + " has no R_386_PC32 relocation");
  const ElfSymbol& sym = object.symbols().at(rel->symbol);
  if (sym.undefined() || sym.absolute() || sym.section >= object.sections().size())
    bad_table(object, table.name + "+" + hex32(field) + ": " + what + " names '" + sym.name +
                          "', which this object does not define");
  return ObjectPlace{sym.section, static_cast<uint32_t>(sym.value + in_place_addend(object, table.index, *rel))};
}

AltInstr read_alt_instr(const ElfObject& object, const ElfSection& table, size_t k) {
  uint32_t base = static_cast<uint32_t>(k * kAltInstrSize);
  AltInstr a;
  a.entry = k;
  a.instr = pc_relative_place(object, table, base, "instr_offset");
  a.replacement = pc_relative_place(object, table, base + 4, "repl_offset");
  a.cpuid = static_cast<uint16_t>(read_le(table.bytes, base + 8, 2));
  a.instrlen = table.bytes.at(base + 10);
  a.replacementlen = table.bytes.at(base + 11);
  std::string where = table.name + " entry " + std::to_string(k);
  const auto& sections = object.sections();
  if (a.replacementlen > a.instrlen)
    bad_table(object, where + ": the replacement (" + std::to_string(a.replacementlen) +
                          " bytes) is longer than the original (" + std::to_string(a.instrlen) + ")");
  if (uint64_t{a.instr.offset} + a.instrlen > sections.at(a.instr.section).size ||
      uint64_t{a.replacement.offset} + a.replacementlen > sections.at(a.replacement.section).size)
    bad_table(object, where + ": the original or the replacement lies past the end of its section");
  return a;
}

CodeSection section_as_found(const ElfObject& object, const ElfSection& s) {
  CodeSection cs;
  cs.section = &s;
  cs.bytes = s.bytes;
  for (const ElfRelocation& rel : object.relocations(s.index))
    cs.relocations[rel.offset] = PlacedRelocation{rel, in_place_addend(object, s.index, rel), rel.offset, s.index};
  return cs;
}

// apply_alternatives() for one entry: the replacement over the original,
// NOPs (0x90) for the rest. Linux then merges the NOPs into long NOPs
// (optimize_nops); single-byte NOPs only add instruction boundaries, where
// entrycheck already lets every event happen.
void apply_one(const ElfObject& object, const AltInstr& a, CodeSection& site, const CodeSection& replacements) {
  if (replacements.section->index != a.replacement.section)
    bad_table(object, ".altinstructions entry " + std::to_string(a.entry) + ": the replacement is not in " +
                          kReplacementSection);
  uint32_t at = a.instr.offset, from = a.replacement.offset;
  site.relocations.erase(site.relocations.lower_bound(at), site.relocations.lower_bound(at + a.instrlen));
  for (uint32_t i = 0; i < a.instrlen; ++i)
    site.bytes[at + i] = i < a.replacementlen ? replacements.bytes[from + i] : 0x90;
  for (auto it = replacements.relocations.lower_bound(from);
       it != replacements.relocations.end() && it->first < from + a.replacementlen; ++it)
    site.relocations[at + (it->first - from)] = it->second;
  site.patches.push_back(AppliedPatch{at, a.instrlen, a});
}

}  // namespace

bool is_replacement_section(const ElfSection& s) { return s.name == kReplacementSection; }

int64_t in_place_addend(const ElfObject& object, size_t section, const ElfRelocation& rel) {
  const ElfSection& s = object.sections().at(section);
  unsigned size = rel.type == R_386_16 || rel.type == R_386_PC16 ? 2 : rel.type == R_386_8 || rel.type == R_386_PC8 ? 1 : 4;
  if (uint64_t{rel.offset} + size > s.bytes.size())
    bad_table(object, s.name + "+" + hex32(rel.offset) + ": a relocation past the end of the section");
  uint32_t raw = read_le(s.bytes, rel.offset, size);
  if (size == 4) return static_cast<int32_t>(raw);
  if (size == 2) return static_cast<int16_t>(raw);
  return static_cast<int8_t>(raw);
}

std::vector<AltInstr> read_alternatives(const ElfObject& object) {
  const ElfSection* table = object.section_named(".altinstructions");
  std::vector<AltInstr> out;
  if (!table) return out;
  if (table->size % kAltInstrSize)
    bad_table(object, ".altinstructions: " + std::to_string(table->size) +
                          " bytes, not a whole number of 12-byte entries (struct alt_instr of Linux 6.1)");
  for (size_t k = 0; k < table->size / kAltInstrSize; ++k) out.push_back(read_alt_instr(object, *table, k));
  return out;
}

CodeImage build_code_image(const ElfObject& object, const std::set<unsigned>& features, bool apply) {
  CodeImage image;
  for (const ElfSection& s : object.sections()) {
    if (!s.executable() || !s.allocated() || s.type != SHT_PROGBITS) continue;
    // An empty replacement section still anchors empty replacements.
    if (is_replacement_section(s)) image.replacements = section_as_found(object, s);
    else if (s.size) image.sections.push_back(section_as_found(object, s));
  }
  image.alternatives = read_alternatives(object);
  if (!apply) return image;
  for (const AltInstr& a : image.alternatives) {
    if (!a.applies(features)) continue;
    CodeSection* site = nullptr;
    for (auto& cs : image.sections)
      if (cs.section->index == a.instr.section) site = &cs;
    if (!site || !image.replacements)
      bad_table(object, ".altinstructions entry " + std::to_string(a.entry) +
                            ": the original is not in a code section, or there is no " + kReplacementSection);
    apply_one(object, a, *site, *image.replacements);
  }
  return image;
}

const AppliedPatch* CodeSection::patch_at(uint32_t offset) const {
  for (auto it = patches.rbegin(); it != patches.rend(); ++it)
    if (offset >= it->offset && offset < it->offset + it->length) return &*it;
  return nullptr;
}

std::optional<ObjectPlace> CodeSection::origin(uint32_t offset) const {
  const AppliedPatch* p = patch_at(offset);
  if (!p) return ObjectPlace{section->index, offset};
  uint32_t k = offset - p->offset;
  if (k >= p->alt.replacementlen) return std::nullopt;
  return ObjectPlace{p->alt.replacement.section, p->alt.replacement.offset + k};
}

}  // namespace ec

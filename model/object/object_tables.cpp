// The object's __ex_table (Linux 6.1: s32 insn, s32 fixup, s32 data; 12
// bytes an entry; asm/extable_fixup_types.h) as the program's exception
// table. The types entrycheck reads: DEFAULT, FAULT and POP_ZERO on a
// segment register; any other type, flag or register fails the load.
#include <elf.h>

#include "model/base/hex.hpp"
#include "model/object/object_reader.hpp"

namespace ec {
namespace {

constexpr uint32_t kExtableEntrySize = 12;
// asm/extable_fixup_types.h
constexpr int kExTypeDefault = 1, kExTypeFault = 2, kExTypePopReg = 16;
constexpr int kExRegDs = 8;  // EX_REG_DS..EX_REG_GS: 8..11

std::optional<Reg> ex_segment_register(int reg) {
  switch (reg) {
    case kExRegDs: return Reg::DS;
    case kExRegDs + 1: return Reg::ES;
    case kExRegDs + 2: return Reg::FS;
    case kExRegDs + 3: return Reg::GS;
    default: return std::nullopt;
  }
}

}  // namespace

ExtableEntry ObjectReader::extable_entry(const ElfSection& table, uint32_t base) const {
  std::string where = "__ex_table entry " + std::to_string(base / kExtableEntrySize);
  auto bad = [&](const std::string& what) { throw InputError(SourceLocation{path_, 0, 0}, where + ": " + what); };
  auto end = [&](uint32_t field, const char* name) {
    const ElfRelocation* rel = object_.relocation_at(table.index, field);
    if (!rel || rel->type != R_386_PC32) bad(std::string(name) + " has no R_386_PC32 relocation");
    const ElfSymbol& sym = object_.symbols().at(rel->symbol);
    ObjectPlace place{sym.section, static_cast<uint32_t>(sym.value + in_place_addend(object_, table.index, *rel))};
    auto index = sym.undefined() || sym.absolute() ? std::nullopt : index_at(place);
    if (!index || *index >= program_size())
      bad(std::string(name) + " (" + (sym.undefined() ? sym.name : place_name(place)) +
          ") is not an instruction of the program");
    return *index;
  };
  size_t from = end(base, "insn"), to = end(base + 4, "fixup");
  if (object_.relocation_at(table.index, base + 8)) bad("the data field is relocated");
  uint32_t data = 0;
  for (unsigned i = 0; i < 4; ++i) data |= uint32_t{table.bytes.at(base + 8 + i)} << (8 * i);
  int type = data & 0xff, reg = (data >> 8) & 0xf, flags = (data >> 12) & 0xf, imm = static_cast<int16_t>(data >> 16);
  ExtableEntry e{out_.program.address_of(from), out_.program.address_of(to), out_.program.instructions[from].loc, {}, {}};
  if (type == kExTypeDefault && !reg && !flags && !imm) e.type = ExtableType::Default;
  else if (type == kExTypeFault && !reg && !flags && !imm) e.type = ExtableType::Fault;
  else if (type == kExTypePopReg && !flags && !imm && ex_segment_register(reg)) {
    e.type = ExtableType::PopZero;
    e.reg = ex_segment_register(reg);
  } else {
    bad("type " + std::to_string(type) + " (register " + std::to_string(reg) + ", flags " + std::to_string(flags) +
        ", immediate " + std::to_string(imm) + ") is not one entrycheck reads (DEFAULT, FAULT, POP_ZERO on a "
        "segment register)");
  }
  return e;
}

void ObjectReader::read_extable() {
  const ElfSection* table = object_.section_named("__ex_table");
  if (!table) return;
  if (table->size % kExtableEntrySize)
    throw InputError(SourceLocation{path_, 0, 0},
                     "__ex_table: " + std::to_string(table->size) +
                         " bytes, not a whole number of 12-byte entries (insn, fixup, data: Linux 6.1)");
  std::map<size_t, size_t> row_of_index;
  for (size_t k = 0; k < out_.rows.size(); ++k)
    if (out_.rows[k].index) row_of_index[*out_.rows[k].index] = k;
  for (uint32_t base = 0; base < table->size; base += kExtableEntrySize) {
    ExtableEntry e = extable_entry(*table, base);
    size_t from = *out_.program.index_of(e.from);
    out_.rows[row_of_index.at(from)].extable.push_back(out_.program.extable.size());
    out_.program.extable.push_back(e);
  }
}

}  // namespace ec

// Zydis's decoded form onto the program model's Instruction: the operation
// from the catalog's Intel names (op_from_intel), the operation size, the
// operands in AT&T order with every relocated field resolved, and branch
// targets as instruction indexes. Whatever the model does not take is a
// RowError (the row is then listed as unsupported), and every instruction
// goes through check_operand_form, as the .S front end's do.
#include <elf.h>

#include "model/base/hex.hpp"
#include "model/object/object_reader.hpp"
#include "model/program/instruction_table.hpp"

namespace ec {
namespace {

bool is_count_register(Op op, const DecodedOperand& o, size_t intel_index) {
  bool shift = op == Op::Shl || op == Op::Shr || op == Op::Sar;
  return shift && intel_index == 1 && o.kind == DecodedOperand::Kind::Register;
}

// The operation size: what the mnemonic implies (pushfd), else the width of
// a general register operand (mov %eax,%ds is a 32-bit move, as GNU as
// reads it), else the width of the memory operand when it is 1, 2 or 4
// bytes (verw m16, mov m16 to %ds: Zydis's operand-size attribute says 32),
// else Zydis's effective operand size (push %ds, sgdt's 6-byte operand).
int operation_size(const DecodedX86& d, const IntelMatch& match) {
  if (match.size) return match.size;
  const DecodedOperand* memory = nullptr;
  for (size_t i = 0; i < d.operands.size(); ++i) {
    const DecodedOperand& o = d.operands[i];
    if (o.kind == DecodedOperand::Kind::Register && reg_info(o.reg).family == RegFamily::General &&
        !is_count_register(match.op, o, i))
      return reg_info(o.reg).width_bits / 8;
    if (o.kind == DecodedOperand::Kind::Memory) memory = &o;
  }
  if (memory && (memory->size_bits == 8 || memory->size_bits == 16 || memory->size_bits == 32) &&
      match.op != Op::Lea)
    return memory->size_bits / 8;
  return d.operand_width / 8;
}

// The relocation of the field at `field` bytes into the instruction, if any.
const PlacedRelocation* field_relocation(const CodeSection& cs, const DecodedX86& d, int field) {
  if (field < 0) return nullptr;
  auto it = cs.relocations.find(d.offset + static_cast<uint32_t>(field));
  return it == cs.relocations.end() ? nullptr : &it->second;
}

void check_relocations_used(const CodeSection& cs, const DecodedX86& d) {
  for (auto it = cs.relocations.lower_bound(d.offset); it != cs.relocations.end() && it->first < d.offset + d.length;
       ++it) {
    int field = static_cast<int>(it->first - d.offset);
    if (field != d.disp_field && field != d.imm_field)
      throw RowError{"a relocation (" + relocation_type_name(it->second.rel.type) + ") at byte " +
                     std::to_string(field) + " of the instruction, in no displacement or immediate field"};
  }
}

class OperandMapper {
 public:
  OperandMapper(const ObjectReader& r, const CodeSection& cs, const DecodedX86& d, Instruction& ins)
      : r_(r), cs_(cs), d_(d), ins_(ins) {}

  // An absolute field (R_386_32): the symbol's address plus the addend.
  uint32_t absolute_field(int field, int size, uint32_t raw) {
    const PlacedRelocation* rel = field_relocation(cs_, d_, field);
    if (!rel) return raw;
    if (rel->rel.type != R_386_32 || size != 4)
      throw RowError{relocation_type_name(rel->rel.type) + " in a " + std::to_string(size) +
                     "-byte field is not supported (only R_386_32 in an address or immediate)"};
    const ElfSymbol& sym = r_.object().symbols().at(rel->rel.symbol);
    annotate(sym.is_section() ? r_.object().sections().at(sym.section).name : sym.name, rel->addend);
    return r_.symbol_address(sym, rel->addend);
  }

  ResolvedOperand operand(const DecodedOperand& o) {
    ResolvedOperand out;
    switch (o.kind) {
      case DecodedOperand::Kind::Register:
        out.kind = OperandKind::Register;
        out.reg = o.reg;
        break;
      case DecodedOperand::Kind::Immediate:
        out.kind = OperandKind::Immediate;
        out.imm = absolute_field(d_.imm_field, d_.imm_size, static_cast<uint32_t>(o.value));
        break;
      case DecodedOperand::Kind::Memory:
        out.kind = OperandKind::Memory;
        out.segment = o.segment;
        out.base = o.base;
        out.index = o.index;
        out.scale = o.scale;
        out.disp = absolute_field(d_.disp_field, d_.disp_size, static_cast<uint32_t>(o.disp));
        break;
      case DecodedOperand::Kind::Relative: throw RowError{"a relative operand that is not a branch target"};
      case DecodedOperand::Kind::Unsupported: throw RowError{o.unsupported + " is not supported"};
    }
    out.indirect = ins_.op == Op::Jmp || ins_.op == Op::Call;
    return out;
  }

  // A direct jmp/jcc/call: its target through the relocation (the symbol,
  // or a C function when it is undefined), or the displacement in place.
  void branch_target(const DecodedOperand& o) {
    const PlacedRelocation* rel = field_relocation(cs_, d_, d_.imm_field);
    ObjectPlace place{cs_.section->index, static_cast<uint32_t>(d_.offset + d_.length + o.value)};
    if (rel) {
      if (rel->rel.type != R_386_PC32 && rel->rel.type != R_386_PLT32)
        throw RowError{"a branch with a " + relocation_type_name(rel->rel.type) + " relocation"};
      if (d_.imm_field + d_.imm_size != static_cast<int>(d_.length))
        throw RowError{"a branch whose displacement is not its last field"};
      const ElfSymbol& sym = r_.object().symbols().at(rel->rel.symbol);
      if (sym.undefined()) {
        // A call is a C handler call; a jmp a tail call (the semantics cuts
        // the path there); a jcc to another object's code is not supported.
        if (ins_.op == Op::Jcc)
          throw RowError{"a conditional jump to '" + sym.name + "', which the object does not define, is not supported"};
        ins_.external_call = sym.name;
        annotate(sym.name, 0);
        return;
      }
      if (sym.absolute()) throw RowError{"a branch to the absolute symbol '" + sym.name + "'"};
      // target = S + A - P + (end of instruction) = S + A + (bytes from the field to the end)
      place = ObjectPlace{sym.section, static_cast<uint32_t>(sym.value + rel->addend + d_.imm_size)};
    } else if (const AppliedPatch* p = cs_.patch_at(d_.offset);
               p && (place.offset < p->offset || place.offset > p->offset + p->alt.replacementlen)) {
      throw RowError{"a relative branch out of an alternative's replacement without a relocation"};
    }
    auto index = r_.index_at(place);
    if (!index || *index >= r_.program_size())
      throw RowError{"the branch target " + r_.place_name(place) + " is not an instruction of the program"};
    ins_.target = *index;
  }

 private:
  void annotate(const std::string& name, int64_t addend) {
    if (name.empty()) return;
    ins_.text += "  # " + name + (addend > 0 ? "+" + std::to_string(addend) : addend < 0 ? std::to_string(addend) : "");
  }

  const ObjectReader& r_;
  const CodeSection& cs_;
  const DecodedX86& d_;
  Instruction& ins_;
};

}  // namespace

Instruction ObjectReader::map_instruction(const CodeSection& cs, const DecodedX86& d, const ObjectRow& row) const {
  auto match = op_from_intel(d.mnemonic);
  if (!match) throw RowError{"'" + d.mnemonic + "' is not an instruction entrycheck models"};
  if (d.lock) throw RowError{"the lock prefix is not supported"};
  if (d.far) throw RowError{"a far branch is not supported"};
  check_relocations_used(cs, d);
  Instruction ins;
  ins.op = match->op;
  ins.cond = match->cond;
  ins.rep = d.rep;
  ins.size = operation_size(d, *match);
  if ((ins.op == Op::Movzx || ins.op == Op::Movsx) && d.operands.size() == 2) ins.src_size = d.operands[1].size_bits / 8;
  ins.address = out_.program.address_of(*row.index);
  ins.text = d.text;
  ins.section = row.section;
  ins.loc = row.loc;
  OperandMapper mapper(*this, cs, d, ins);
  if (d.operands.size() == 1 && d.operands[0].kind == DecodedOperand::Kind::Relative) {
    mapper.branch_target(d.operands[0]);
  } else {
    for (auto it = d.operands.rbegin(); it != d.operands.rend(); ++it) ins.operands.push_back(mapper.operand(*it));
  }
  check_operand_form(ins);
  return ins;
}

}  // namespace ec

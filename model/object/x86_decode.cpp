#include "model/object/x86_decode.hpp"

#include <Zydis/Zydis.h>

#include <cctype>

namespace ec {
namespace {

std::string lower(const char* s) {
  std::string out = s ? s : "";
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<Reg> reg_of(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return std::nullopt;
  return reg_by_name(lower(ZydisRegisterGetString(r)));
}

void unsupported(DecodedOperand& o, const std::string& why) {
  o.kind = DecodedOperand::Kind::Unsupported;
  o.unsupported = why;
}

void map_register_operand(const ZydisDecodedOperand& z, DecodedOperand& o) {
  o.kind = DecodedOperand::Kind::Register;
  if (auto r = reg_of(z.reg.value)) o.reg = *r;
  else unsupported(o, "register %" + lower(ZydisRegisterGetString(z.reg.value)));
}

void map_memory_operand(const ZydisDecodedInstruction& ins, const ZydisDecodedOperand& z, DecodedOperand& o) {
  o.kind = DecodedOperand::Kind::Memory;
  if (ins.attributes & ZYDIS_ATTRIB_HAS_SEGMENT) o.segment = reg_of(z.mem.segment);
  o.base = reg_of(z.mem.base);
  o.index = reg_of(z.mem.index);
  o.scale = z.mem.scale ? z.mem.scale : 1;
  o.disp = z.mem.disp.has_displacement ? z.mem.disp.value : 0;
  bool named = (z.mem.base == ZYDIS_REGISTER_NONE || o.base) && (z.mem.index == ZYDIS_REGISTER_NONE || o.index);
  if (!named || (o.base && reg_info(*o.base).width_bits != 32))
    unsupported(o, "a memory operand addressed with registers other than 32-bit general ones");
  if (z.mem.type != ZYDIS_MEMOP_TYPE_MEM && z.mem.type != ZYDIS_MEMOP_TYPE_AGEN)
    unsupported(o, "a memory operand of a kind other than plain memory");
}

DecodedOperand map_operand(const ZydisDecodedInstruction& ins, const ZydisDecodedOperand& z) {
  DecodedOperand o;
  o.size_bits = z.size;
  switch (z.type) {
    case ZYDIS_OPERAND_TYPE_REGISTER: map_register_operand(z, o); break;
    case ZYDIS_OPERAND_TYPE_MEMORY: map_memory_operand(ins, z, o); break;
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
      o.kind = z.imm.is_relative ? DecodedOperand::Kind::Relative : DecodedOperand::Kind::Immediate;
      o.value = z.imm.is_signed ? z.imm.value.s : static_cast<int64_t>(z.imm.value.u);
      break;
    default: unsupported(o, "a far pointer operand"); break;
  }
  return o;
}

// "mov %eax,%ds" and "mov %ax,%ds" are the same bytes (8e d8; no operand-size
// prefix): Zydis names the 16-bit register, GNU as and objdump the 32-bit
// one. The semantics reads the low 16 bits either way; take GNU as's reading.
void widen_segment_move(const ZydisDecodedInstruction& ins, DecodedX86& out) {
  if (ins.mnemonic != ZYDIS_MNEMONIC_MOV || (ins.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) ||
      out.operands.size() != 2)
    return;
  bool has_segment = false;
  for (const auto& o : out.operands)
    has_segment |= o.kind == DecodedOperand::Kind::Register && reg_info(o.reg).family == RegFamily::Segment;
  if (!has_segment) return;
  for (auto& o : out.operands)
    if (o.kind == DecodedOperand::Kind::Register && reg_info(o.reg).family == RegFamily::General &&
        reg_info(o.reg).width_bits == 16) {
      o.reg = static_cast<Reg>(reg_info(o.reg).index);  // EAX..EDI are the hardware numbers 0..7
      o.size_bits = 32;
    }
}

std::string att_text(const ZydisDecodedInstruction& ins, const ZydisDecodedOperand* ops, uint32_t offset) {
  static const ZydisFormatter formatter = [] {
    ZydisFormatter f;
    ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_ATT);
    return f;
  }();
  char buf[256];
  if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&formatter, &ins, ops, ins.operand_count_visible, buf,
                                                    sizeof buf, offset, nullptr)))
    return "?";
  return buf;
}

void record_fields(const ZydisDecodedInstruction& ins, DecodedX86& out) {
  if (ins.raw.disp.size) {
    out.disp_field = ins.raw.disp.offset;
    out.disp_size = ins.raw.disp.size / 8;
  }
  if (ins.raw.imm[0].size) {
    out.imm_field = ins.raw.imm[0].offset;
    out.imm_size = ins.raw.imm[0].size / 8;
  }
}

}  // namespace

DecodedX86 decode_x86(const uint8_t* bytes, size_t available, uint32_t offset) {
  static const ZydisDecoder decoder = [] {
    ZydisDecoder d;
    ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    return d;
  }();
  DecodedX86 out;
  out.offset = offset;
  ZydisDecodedInstruction ins;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, available, &ins, ops))) {
    out.length = 1;
    out.error = "the bytes are no valid x86-32 instruction";
    return out;
  }
  out.length = ins.length;
  out.mnemonic = lower(ZydisMnemonicGetString(ins.mnemonic));
  out.text = att_text(ins, ops, offset);
  out.operand_width = ins.operand_width;
  out.rep = ins.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE);
  out.lock = ins.attributes & ZYDIS_ATTRIB_HAS_LOCK;
  out.far = ins.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
  record_fields(ins, out);
  // Explicit operands, and the registers the opcode names (Zydis:
  // implicit but printed): %ds of "push %ds", %eax of "test $1, %eax"
  // (a9). The other implicit operands (the 1 of "shr %eax", movs's
  // (%esi)/(%edi)) are no operands in GNU as's spelling, nor in the
  // catalog's forms.
  for (unsigned i = 0; i < ins.operand_count; ++i) {
    const ZydisDecodedOperand& op = ops[i];
    if (op.visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT ||
        (op.visibility == ZYDIS_OPERAND_VISIBILITY_IMPLICIT && op.type == ZYDIS_OPERAND_TYPE_REGISTER))
      out.operands.push_back(map_operand(ins, op));
  }
  widen_segment_move(ins, out);
  return out;
}

}  // namespace ec

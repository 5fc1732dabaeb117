#include "model/asm/decode.hpp"

#include <map>

namespace ec {
namespace {

struct BaseOp {
  Op op;
  int min_operands, max_operands;
  bool takes_suffix;
};

const std::map<std::string, BaseOp>& base_ops() {
  static const std::map<std::string, BaseOp> table = {
      {"mov", {Op::Mov, 2, 2, true}},     {"lea", {Op::Lea, 2, 2, true}},
      {"xchg", {Op::Xchg, 2, 2, true}},   {"add", {Op::Add, 2, 2, true}},
      {"sub", {Op::Sub, 2, 2, true}},     {"and", {Op::And, 2, 2, true}},
      {"or", {Op::Or, 2, 2, true}},       {"xor", {Op::Xor, 2, 2, true}},
      {"not", {Op::Not, 1, 1, true}},     {"neg", {Op::Neg, 1, 1, true}},
      {"inc", {Op::Inc, 1, 1, true}},     {"dec", {Op::Dec, 1, 1, true}},
      {"shl", {Op::Shl, 1, 2, true}},     {"sal", {Op::Shl, 1, 2, true}},
      {"shr", {Op::Shr, 1, 2, true}},     {"sar", {Op::Sar, 1, 2, true}},
      {"test", {Op::Test, 2, 2, true}},   {"cmp", {Op::Cmp, 2, 2, true}},
      {"bt", {Op::Bt, 2, 2, true}},       {"btr", {Op::Btr, 2, 2, true}},
      {"bts", {Op::Bts, 2, 2, true}},     {"jmp", {Op::Jmp, 1, 1, false}},
      {"call", {Op::Call, 1, 1, true}},   {"ret", {Op::Ret, 0, 0, true}},
      {"iret", {Op::Iret, 0, 0, true}},   {"iretd", {Op::Iret, 0, 0, false}},
      {"push", {Op::Push, 1, 1, true}},   {"pop", {Op::Pop, 1, 1, true}},
      {"pushf", {Op::Pushf, 0, 0, true}}, {"popf", {Op::Popf, 0, 0, true}},
      {"cld", {Op::Cld, 0, 0, false}},    {"std", {Op::Std, 0, 0, false}},
      {"cli", {Op::Cli, 0, 0, false}},    {"sti", {Op::Sti, 0, 0, false}},
      {"movs", {Op::Movs, 0, 0, true}},   {"nop", {Op::Nop, 0, 0, false}},
      {"sysexit", {Op::Sysexit, 0, 0, false}},
  };
  return table;
}

const std::map<std::string, Cond>& jcc_names() {
  static const std::map<std::string, Cond> table = {
      {"jo", Cond::O},    {"jno", Cond::NO},  {"jb", Cond::B},    {"jc", Cond::B},
      {"jnae", Cond::B},  {"jae", Cond::AE},  {"jnb", Cond::AE},  {"jnc", Cond::AE},
      {"je", Cond::E},    {"jz", Cond::E},    {"jne", Cond::NE},  {"jnz", Cond::NE},
      {"jbe", Cond::BE},  {"jna", Cond::BE},  {"ja", Cond::A},    {"jnbe", Cond::A},
      {"js", Cond::S},    {"jns", Cond::NS},  {"jp", Cond::P},    {"jpe", Cond::P},
      {"jnp", Cond::NP},  {"jpo", Cond::NP},  {"jl", Cond::L},    {"jnge", Cond::L},
      {"jge", Cond::GE},  {"jnl", Cond::GE},  {"jle", Cond::LE},  {"jng", Cond::LE},
      {"jg", Cond::G},    {"jnle", Cond::G},
  };
  return table;
}

int suffix_size(char c) {
  switch (c) {
    case 'b': return 1;
    case 'w': return 2;
    case 'l': return 4;
    default: return 0;
  }
}

[[noreturn]] void fail(const Statement& s, const std::string& msg) { throw InputError(s.loc, msg); }

// movzbl/movzwl/movzbw and movsbl/movswl/movsbw: source and destination sizes.
std::optional<DecodedMnemonic> decode_extend(const std::string& m, size_t operands) {
  if (m.size() != 6 || operands != 2) return std::nullopt;
  bool zero = m.compare(0, 4, "movz") == 0;
  bool sign = m.compare(0, 4, "movs") == 0;
  if (!zero && !sign) return std::nullopt;
  int src = suffix_size(m[4]), dst = suffix_size(m[5]);
  if (src == 0 || dst == 0 || src >= dst) return std::nullopt;
  return DecodedMnemonic{zero ? Op::Movzx : Op::Movsx, Cond::E, dst, src};
}

int register_width(const Statement& s) {
  int width = 0;
  for (const auto& o : s.operands) {
    if (o.kind != Operand::Kind::Register) continue;
    const RegInfo& info = reg_info(o.reg);
    if (info.family == RegFamily::General || info.family == RegFamily::Control)
      width = std::max(width, info.width_bits / 8);
  }
  return width;
}

int infer_size(const Statement& s, Op op) {
  int width = register_width(s);
  if (width) return width;
  bool has_segment = false;
  for (const auto& o : s.operands)
    if (o.kind == Operand::Kind::Register && reg_info(o.reg).family == RegFamily::Segment)
      has_segment = true;
  // push/pop of a segment register and moves to/from one move 16 bits of
  // selector; the slot is a dword for push/pop.
  if (has_segment) return (op == Op::Push || op == Op::Pop) ? 4 : 2;
  switch (op) {
    case Op::Jmp: case Op::Jcc: case Op::Call: case Op::Ret: case Op::Iret:
    case Op::Push: case Op::Pop: case Op::Pushf: case Op::Popf:
    case Op::Cld: case Op::Std: case Op::Cli: case Op::Sti: case Op::Nop: case Op::Sysexit:
      return 4;
    default:
      break;
  }
  fail(s, "operand size of '" + s.mnemonic + "' cannot be inferred; add a size suffix (b, w or l)");
}

void check_operand_count(const Statement& s, const BaseOp& b) {
  int n = static_cast<int>(s.operands.size());
  if (n < b.min_operands || n > b.max_operands)
    fail(s, "'" + s.mnemonic + "' takes " + std::to_string(b.min_operands) +
                (b.max_operands != b.min_operands ? "-" + std::to_string(b.max_operands) : "") +
                " operand(s), got " + std::to_string(n));
}

// GNU as takes "jmpl" (as objdump -M suffix prints near indirect jumps) only
// with one indirect operand: "jmpl label" is an error there, "jmpl $s, $o" a
// far jump (not modelled) and "jmpl *%ax" a register of the wrong size.
DecodedMnemonic decode_jmpl(const Statement& s) {
  if (s.operands.size() != 1 || !s.operands[0].indirect)
    fail(s, "'jmpl' takes one indirect operand ('*%reg' or '*mem'); write 'jmp' for a direct jump");
  int width = register_width(s);
  if (width != 0 && width != 4) fail(s, "'jmpl' needs a 32-bit register");
  return {Op::Jmp, Cond::E, 4, 0};
}

}  // namespace

DecodedMnemonic decode_statement(const Statement& s) {
  const std::string& m = s.mnemonic;
  if (auto it = jcc_names().find(m); it != jcc_names().end()) {
    if (s.operands.size() != 1) fail(s, "'" + m + "' takes one operand");
    return {Op::Jcc, it->second, 4, 0};
  }
  if (m == "jmpl") return decode_jmpl(s);
  if (auto ext = decode_extend(m, s.operands.size())) return *ext;

  DecodedMnemonic d;
  const BaseOp* base = nullptr;
  if (auto it = base_ops().find(m); it != base_ops().end()) {
    base = &it->second;
  } else if (m.size() > 1 && suffix_size(m.back())) {
    auto it2 = base_ops().find(m.substr(0, m.size() - 1));
    if (it2 != base_ops().end() && it2->second.takes_suffix) {
      base = &it2->second;
      d.size = suffix_size(m.back());
    }
  }
  if (!base) fail(s, "unknown instruction '" + m + "'");
  check_operand_count(s, *base);
  d.op = base->op;
  if (d.size == 0) d.size = infer_size(s, d.op);
  if (d.op == Op::Movs && d.size != 4) fail(s, "only dword string moves (movsl) are supported");
  bool rep = false;
  for (const auto& p : s.prefixes) {
    if (p == "rep" && d.op == Op::Movs) rep = true;
    else fail(s, "prefix '" + p + "' is not supported on '" + m + "'");
  }
  (void)rep;
  return d;
}

}  // namespace ec

#include "model/asm/decode.hpp"

#include <algorithm>

namespace ec {
namespace {

[[noreturn]] void fail(const Statement& s, const std::string& msg) { throw InputError(s.loc, msg); }

bool has_target_form(const InstructionInfo& info) {
  for (const auto& f : info.forms)
    for (const auto& p : f.operands)
      if (p.classes & kClassTarget) return true;
  return false;
}

// A direct branch names a label: a bare expression, not "*..." nor "(%reg)".
std::vector<OperandShape> statement_shapes(const Statement& s, const InstructionInfo& info) {
  bool branch = has_target_form(info);
  std::vector<OperandShape> out;
  for (const auto& o : s.operands) {
    OperandShape shape{o.kind, o.reg, o.indirect, false};
    // A segment override on a direct branch is only a prefix (GNU as emits
    // it; on a jcc it is a branch hint).
    shape.target = branch && o.kind == OperandKind::Memory && !o.indirect && !o.mem.base && !o.mem.index;
    out.push_back(shape);
  }
  return out;
}

bool sized_register(const OperandShape& o) {
  return o.kind == OperandKind::Register && reg_info(o.reg).family == RegFamily::General;
}

// Sizes the registers decide, as GNU as infers them: a register in an
// operation-sized position gives the operation size, one in movzx's source
// position the source size. A shift count (%cl) decides nothing.
void sizes_from_registers(const InstructionInfo& info, const std::vector<OperandShape>& ops, int& size,
                          int& src_size) {
  for (const auto& f : info.forms) {
    if (f.operands.size() != ops.size()) continue;
    bool classes = true;
    for (size_t i = 0; i < ops.size(); ++i) classes = classes && shape_in_classes(ops[i], f.operands[i].classes);
    if (!classes) continue;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!sized_register(ops[i])) continue;
      int bytes = reg_info(ops[i].reg).width_bits / 8;
      if (f.operands[i].width == OperandWidth::OpSize && size == 0) size = bytes;
      if (f.operands[i].width == OperandWidth::SrcSize && src_size == 0) src_size = bytes;
    }
    return;
  }
}

// The sizes every form these operands fit allows (0: none takes a size).
SizeSet possible_sizes(const InstructionInfo& info, const std::vector<OperandShape>& ops) {
  SizeSet out = 0;
  for (const auto& f : info.forms) {
    if (f.operands.size() != ops.size()) continue;
    bool classes = true;
    for (size_t i = 0; i < ops.size(); ++i) classes = classes && shape_in_classes(ops[i], f.operands[i].classes);
    if (classes) out |= f.sizes;
  }
  return out;
}

struct Inferred {
  int size = 0, src_size = 0;
  std::optional<std::string> warning;
};

// No suffix: registers decide; else the one size the forms allow, the
// row's silent default, or (as GNU as does, with its warning) 32 bits.
Inferred infer_sizes(const Statement& s, const InstructionInfo& info, const AttMatch& m,
                     const std::vector<OperandShape>& ops) {
  Inferred r{m.size, m.src_size, std::nullopt};
  sizes_from_registers(info, ops, r.size, r.src_size);
  if (r.src_size == 0) r.src_size = 1;  // movzx (%eax),%ecx: GNU as reads a byte
  if (r.size != 0) return r;
  SizeSet possible = possible_sizes(info, ops);
  if (possible == 0) r.size = 4;  // no operation size (cld, jcc): nominal
  else if (info.default_size) r.size = info.default_size;
  else if (possible == 1 || possible == 2 || possible == 4) r.size = possible == 1 ? 1 : possible == 2 ? 2 : 4;
  else {
    r.size = 4;
    r.warning = "no instruction mnemonic suffix given and no register operands; using default for `" + s.mnemonic + "'";
  }
  return r;
}

bool is_rep_prefix(const std::string& p) {
  return p == "rep" || p == "repe" || p == "repz" || p == "repne" || p == "repnz";
}

void apply_prefixes(const Statement& s, const InstructionInfo& info, DecodedMnemonic& d) {
  bool rep_ok = info.rep == InstructionInfo::Rep::Any || (info.rep == InstructionInfo::Rep::Bare && s.operands.empty());
  for (const auto& p : s.prefixes) {
    if (!is_rep_prefix(p)) fail(s, "prefix '" + p + "' is not supported");
    if (!rep_ok) fail(s, "invalid instruction '" + s.mnemonic + "' after '" + p + "'");
    d.rep = true;
  }
}

bool has_form_with_count(const InstructionInfo& info, size_t count) {
  return std::any_of(info.forms.begin(), info.forms.end(),
                     [&](const OperandForm& f) { return f.operands.size() == count; });
}

}  // namespace

DecodedMnemonic decode_statement(const Statement& s) {
  std::vector<AttMatch> candidates = att_matches(s.mnemonic);
  if (candidates.empty()) fail(s, "unknown instruction '" + s.mnemonic + "'");
  // The error to report: one that says the form is valid x86 ("not
  // supported") first, then the first from a candidate that takes this
  // many operands ("movsb %al" is about movsbl, not the string move), then
  // the first.
  std::optional<std::string> error;
  int error_rank = -1;
  for (const AttMatch& m : candidates) {
    const InstructionInfo& info = instruction_info(m.op);
    std::vector<OperandShape> ops = statement_shapes(s, info);
    Inferred sizes = infer_sizes(s, info, m, ops);
    FormMatch match = match_operand_form(info, ops, sizes.size, sizes.src_size, m.suffix_given);
    if (!match.error.empty()) {
      int rank = match.form ? 2 : has_form_with_count(info, ops.size()) ? 1 : 0;
      if (rank > error_rank) error = match.error, error_rank = rank;
      continue;
    }
    DecodedMnemonic d{m.op, m.cond, sizes.size, sizes.src_size, m.suffix_given, false, match.form, sizes.warning};
    apply_prefixes(s, info, d);
    return d;
  }
  fail(s, *error);
}

}  // namespace ec

#include "model/program/instruction_table.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

namespace ec {
namespace {

// One row of instructions.def, as written.
struct RawRow {
  Op op;
  const char *name, *family, *rule;
  Flow flow;
  const char *intel, *att, *sizes, *forms, *prefixes;
};

constexpr RawRow kRows[] = {
#define EC_INSTRUCTION(Name, Family, rule, FlowKind, intel, att, sizes, forms, prefixes) \
  {Op::Name, #Name, #Family, #rule, Flow::FlowKind, intel, att, sizes, forms, prefixes},
#include "model/program/instructions.def"
};
static_assert(std::size(kRows) == kNumOps, "one row per Op");

struct RawCondition {
  Cond cond;
  const char *name, *att, *intel;
};
constexpr RawCondition kConditions[] = {
#define EC_CONDITION(Name, att, intel) {Cond::Name, #Name, att, intel},
#include "model/program/instructions.def"
};
static_assert(std::size(kConditions) == 16, "sixteen condition codes");

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "" is one empty field (the form with no operand), not none.
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return {""};
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(trim(cur));
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

int letter_size(char c) {
  switch (std::tolower(static_cast<unsigned char>(c))) {
    case 'b': return 1;
    case 'w': return 2;
    case 'l': return 4;
    default: return 0;
  }
}

[[noreturn]] void bad_row(const RawRow& row, const std::string& what) {
  internal_error(__FILE__, __LINE__, std::string("instructions.def row ") + row.name + ": " + what);
}

SizeSet parse_sizes(const RawRow& row, const std::string& letters, int* default_size) {
  SizeSet out = 0;
  for (char c : letters) {
    int bytes = letter_size(c);
    if (!bytes) bad_row(row, "bad size letter in '" + letters + "'");
    out |= size_bit(bytes);
    if (default_size && std::isupper(static_cast<unsigned char>(c))) *default_size = bytes;
  }
  return out;
}

OperandPattern parse_pattern(const RawRow& row, const std::string& token) {
  static const std::map<std::string, std::pair<uint16_t, bool>> kClasses = {
      // name -> classes, sized by the operation
      {"r", {kClassGpr, true}},
      {"m", {kClassMem, false}},
      {"rm", {kClassGpr | kClassMem, true}},
      {"i", {kClassImm, false}},
      {"i8", {kClassImm8, false}},
      {"cl", {kClassCount, false}},
      {"s", {kClassSeg, false}},
      {"sl", {kClassSegLoadable, false}},
      {"c", {kClassCtrl, false}},
      {"j", {kClassTarget, false}},
      {"j-", {kClassTarget, false}},
      {"*r", {kClassIndirectGpr, true}},
      {"*m", {kClassIndirectMem, false}},
  };
  OperandPattern p;
  p.text = token;
  auto colon = token.find(':');
  auto it = kClasses.find(token.substr(0, colon));
  if (it == kClasses.end()) bad_row(row, "bad operand class '" + token + "'");
  p.classes = it->second.first;
  p.width = it->second.second ? OperandWidth::OpSize : OperandWidth::None;
  if (colon == std::string::npos) return p;
  std::string width = token.substr(colon + 1);
  if (width == "src") {
    p.width = OperandWidth::SrcSize;
  } else if (width.size() == 1 && letter_size(width[0])) {
    p.width = OperandWidth::Fixed;
    p.bytes = letter_size(width[0]);
  } else {
    bad_row(row, "bad operand width '" + token + "'");
  }
  return p;
}

OperandForm parse_form(const RawRow& row, std::string text, SizeSet row_sizes) {
  OperandForm f;
  f.text = text;
  if (!text.empty() && text[0] == '!') {
    f.modelled = false;
    text = trim(text.substr(1));
  }
  auto at = text.find('@');
  std::string ops = trim(text.substr(0, at));
  if (!ops.empty())
    for (const std::string& token : split(ops, ',')) {
      f.operands.push_back(parse_pattern(row, token));
      if (token == "j-") f.target_without_suffix = true;
    }
  if (at != std::string::npos) f.sizes = parse_sizes(row, trim(text.substr(at + 1)), nullptr);
  else if (!f.operands.empty()) f.sizes = row_sizes;
  return f;
}

std::vector<AttSpelling> parse_att(const RawRow& row, SizeSet sizes) {
  std::vector<AttSpelling> out;
  for (const std::string& token : words(row.att)) {
    AttSpelling a;
    auto colon = token.find(':');
    a.name = token.substr(0, colon);
    if (colon == std::string::npos) {
      a.takes_suffix = sizes != 0;
    } else {
      std::string s = token.substr(colon + 1);
      if (s.size() == 1) {
        a.size = letter_size(s[0]);
      } else if (s.size() == 2) {
        a.src_size = letter_size(s[0]);
        a.size = s[1] == '-' ? 0 : letter_size(s[1]);
      } else {
        bad_row(row, "bad spelling '" + token + "'");
      }
    }
    out.push_back(a);
  }
  return out;
}

std::vector<IntelName> parse_intel(const std::string& text) {
  std::vector<IntelName> out;
  for (const std::string& token : words(text)) {
    auto colon = token.find(':');
    out.push_back({token.substr(0, colon), colon == std::string::npos ? 0 : letter_size(token[colon + 1])});
  }
  return out;
}

InstructionInfo build_row(const RawRow& row) {
  InstructionInfo info{row.op, lower(row.name), row.family, row.rule, row.flow, {}, {}, 0, 0, {}, {}};
  info.intel = parse_intel(row.intel);
  info.sizes = parse_sizes(row, row.sizes, &info.default_size);
  info.att = parse_att(row, info.sizes);
  for (const std::string& form : split(row.forms, '|')) info.forms.push_back(parse_form(row, form, info.sizes));
  std::string rep = row.prefixes;
  if (rep != "" && rep != "rep" && rep != "rep-bare") bad_row(row, "bad prefixes '" + rep + "'");
  info.rep = rep == "rep" ? InstructionInfo::Rep::Any : rep == "rep-bare" ? InstructionInfo::Rep::Bare
                                                                          : InstructionInfo::Rep::None;
  return info;
}

std::string size_name(int bytes) { return std::to_string(bytes * 8) + "-bit"; }

// Does this register operand have the width the pattern asks for? (GNU
// as's %ecx shift count goes with any size but an explicit 'b'.)
bool width_ok(const OperandPattern& p, const OperandShape& o, int size, int src_size, bool suffix_given) {
  bool sized_register = o.kind == OperandKind::Register && reg_info(o.reg).family == RegFamily::General;
  if (!sized_register) return true;
  if (p.classes & kClassCount) return !(o.reg == Reg::ECX && suffix_given && size == 1);
  int bytes = reg_info(o.reg).width_bits / 8;
  switch (p.width) {
    case OperandWidth::OpSize: return bytes == size;
    case OperandWidth::SrcSize: return bytes == src_size;
    case OperandWidth::Fixed: return bytes == p.bytes;
    case OperandWidth::None: return true;
  }
  return true;
}

bool classes_match(const OperandForm& f, const std::vector<OperandShape>& operands) {
  if (f.operands.size() != operands.size()) return false;
  for (size_t i = 0; i < operands.size(); ++i)
    if (!shape_in_classes(operands[i], f.operands[i].classes)) return false;
  return true;
}

bool sizes_match(const OperandForm& f, const std::vector<OperandShape>& operands, int size, int src_size,
                 bool suffix_given) {
  if (f.sizes == 0 && suffix_given) return false;
  if (f.sizes != 0 && !(f.sizes & size_bit(size))) return false;
  if (f.target_without_suffix && suffix_given) return false;
  for (size_t i = 0; i < operands.size(); ++i) {
    if (!width_ok(f.operands[i], operands[i], size, src_size, suffix_given)) return false;
    if (f.operands[i].width == OperandWidth::SrcSize && src_size >= size) return false;
  }
  return true;
}

std::string forms_text(const InstructionInfo& info) {
  std::string out;
  for (const auto& f : info.forms)
    if (f.modelled) out += (out.empty() ? "" : " | ") + (f.text.empty() ? std::string("(none)") : f.text);
  return out;
}

// Why a form whose operand classes match refused the sizes.
std::string size_error(const InstructionInfo& info, const OperandForm& f, const std::vector<OperandShape>& operands,
                       int size, int src_size, bool suffix_given) {
  for (size_t i = 0; i < operands.size(); ++i) {
    // GNU as takes "movzx %ax,%ax" (movzww, a word copy): valid x86.
    if (f.operands[i].width == OperandWidth::SrcSize && src_size == size && size == 2)
      return "'" + info.name + "' from a word to a word is valid x86 but not supported";
    if (f.operands[i].width == OperandWidth::SrcSize && src_size >= size)
      return "operand size mismatch for '" + info.name + "': the source (" + size_name(src_size) +
             ") must be narrower than the destination (" + size_name(size) + ")";
    if (width_ok(f.operands[i], operands[i], size, src_size, suffix_given)) continue;
    const OperandPattern& p = f.operands[i];
    int want = p.width == OperandWidth::SrcSize ? src_size : p.width == OperandWidth::Fixed ? p.bytes : size;
    return "operand size mismatch for '" + info.name + "': %" + std::string(reg_info(operands[i].reg).name) +
           " is " + size_name(reg_info(operands[i].reg).width_bits / 8) + ", the operand must be " +
           size_name(want);
  }
  if (suffix_given && f.target_without_suffix)
    return "invalid instruction suffix for '" + info.name + "': a direct " + info.name + " takes none (write '" +
           info.name + " label'; a suffix goes with an indirect operand, '*%reg' or '*mem')";
  if (suffix_given && f.sizes == 0) return "invalid instruction suffix for '" + info.name + "'";
  return "operand size mismatch for '" + info.name + "': it does not take " + size_name(size) +
         " operands (forms: " + forms_text(info) + ")";
}

}  // namespace

const std::vector<InstructionInfo>& instruction_table() {
  static const std::vector<InstructionInfo> table = [] {
    std::vector<InstructionInfo> out;
    for (const RawRow& row : kRows) out.push_back(build_row(row));
    return out;
  }();
  return table;
}

const InstructionInfo& instruction_info(Op op) {
  const auto& table = instruction_table();
  EC_ASSERT(static_cast<size_t>(op) < table.size(), "op outside the instruction table");
  return table[static_cast<size_t>(op)];
}

const std::vector<ConditionInfo>& condition_table() {
  static const std::vector<ConditionInfo> table = [] {
    std::vector<ConditionInfo> out;
    for (const RawCondition& c : kConditions) out.push_back({c.cond, lower(c.name), words(c.att), c.intel});
    return out;
  }();
  return table;
}

std::string flow_name(Flow flow) {
  switch (flow) {
    case Flow::Next: return "next";
    case Flow::Branch: return "branch";
    case Flow::Jump: return "jump";
    case Flow::Call: return "call";
    case Flow::Return: return "return";
    case Flow::Stop: return "stop";
  }
  return "?";
}

std::optional<IntelMatch> op_from_intel(std::string_view mnemonic) {
  static const std::map<std::string, IntelMatch, std::less<>> by_name = [] {
    std::map<std::string, IntelMatch, std::less<>> out;
    for (const auto& info : instruction_table())
      for (const auto& n : info.intel) out.emplace(n.name, IntelMatch{info.op, Cond::E, n.size});
    for (const auto& c : condition_table()) out.emplace(c.intel, IntelMatch{Op::Jcc, c.cond, 0});
    return out;
  }();
  auto it = by_name.find(mnemonic);
  if (it == by_name.end()) return std::nullopt;
  return it->second;
}

std::vector<AttMatch> att_matches(std::string_view mnemonic) {
  static const std::multimap<std::string, AttMatch, std::less<>> by_spelling = [] {
    std::multimap<std::string, AttMatch, std::less<>> out;
    for (const auto& info : instruction_table())
      for (const auto& a : info.att) {
        out.emplace(a.name, AttMatch{info.op, Cond::E, a.size, a.src_size, a.size != 0 || a.src_size != 0});
        if (!a.takes_suffix) continue;
        for (int bytes : {1, 2, 4})
          if (info.sizes & size_bit(bytes))
            out.emplace(a.name + "bwl"[bytes == 1 ? 0 : bytes == 2 ? 1 : 2], AttMatch{info.op, Cond::E, bytes, 0, true});
      }
    for (const auto& c : condition_table())
      for (const auto& name : c.att) out.emplace(name, AttMatch{Op::Jcc, c.cond, 0, 0, false});
    return out;
  }();
  std::vector<AttMatch> out;
  auto [first, last] = by_spelling.equal_range(mnemonic);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

bool shape_in_classes(const OperandShape& o, uint16_t classes) {
  switch (o.kind) {
    case OperandKind::Immediate: return classes & (kClassImm | kClassImm8);
    case OperandKind::Memory:
      if (o.target) return classes & kClassTarget;
      return classes & (o.indirect ? kClassIndirectMem : kClassMem);
    case OperandKind::Register: break;
  }
  const RegInfo& r = reg_info(o.reg);
  if (o.indirect) return r.family == RegFamily::General && (classes & kClassIndirectGpr);
  switch (r.family) {
    case RegFamily::General:
      // GNU as takes %ecx for the count as well as %cl, and means %cl.
      if ((classes & kClassCount) && (o.reg == Reg::CL || o.reg == Reg::ECX)) return true;
      return classes & kClassGpr;
    case RegFamily::Segment: return (classes & kClassSeg) || ((classes & kClassSegLoadable) && o.reg != Reg::CS);
    case RegFamily::Control: return classes & kClassCtrl;
  }
  return false;
}

std::vector<OperandShape> operand_shapes(const Instruction& ins) {
  std::vector<OperandShape> out;
  if (ins.target || !ins.external_call.empty()) {
    OperandShape t;
    t.kind = OperandKind::Memory;
    t.target = true;
    out.push_back(t);
    return out;
  }
  for (const auto& o : ins.operands) out.push_back({o.kind, o.reg, o.indirect, false});
  return out;
}

FormMatch match_operand_form(const InstructionInfo& info, const std::vector<OperandShape>& operands, int size,
                             int src_size, bool suffix_given) {
  const OperandForm* same_classes = nullptr;
  bool count_seen = false;
  for (const auto& f : info.forms) {
    if (f.operands.size() == operands.size()) count_seen = true;
    if (!classes_match(f, operands)) continue;
    if (!same_classes) same_classes = &f;
    if (!sizes_match(f, operands, size, src_size, suffix_given)) continue;
    if (!f.modelled)
      return {&f, "'" + info.name + "' with operands " + f.text.substr(1) + " is valid x86 but not supported"};
    return {&f, ""};
  }
  if (same_classes) return {nullptr, size_error(info, *same_classes, operands, size, src_size, suffix_given)};
  if (!count_seen)
    return {nullptr, "number of operands mismatch for '" + info.name + "' (forms: " + forms_text(info) + ")"};
  return {nullptr, "operand type mismatch for '" + info.name + "' (forms: " + forms_text(info) + ")"};
}

void check_operand_form(const Instruction& ins, bool suffix_given) {
  const InstructionInfo& info = instruction_info(ins.op);
  FormMatch m = match_operand_form(info, operand_shapes(ins), ins.size, ins.src_size, suffix_given);
  if (!m.error.empty()) throw InputError(ins.loc, m.error);
  bool rep_ok = info.rep == InstructionInfo::Rep::Any || (info.rep == InstructionInfo::Rep::Bare && ins.operands.empty());
  if (ins.rep && !rep_ok) throw InputError(ins.loc, "invalid instruction '" + info.name + "' after 'rep'");
}

}  // namespace ec

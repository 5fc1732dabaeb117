#include "model/asm/link.hpp"

#include <algorithm>
#include <cstdio>

#include "model/asm/decode.hpp"
#include "model/base/hex.hpp"

namespace ec {
namespace {

// Like a linker: each section's statements together, sections in the order
// they first appear, so that .fixup code never sits in the fall-through path.
std::vector<const Statement*> layout(const ParsedSource& parsed) {
  std::vector<std::string> order;
  for (const auto& st : parsed.statements)
    if (std::find(order.begin(), order.end(), st.section) == order.end()) order.push_back(st.section);
  std::vector<const Statement*> out;
  for (const auto& section : order)
    for (const auto& st : parsed.statements)
      if (st.section == section) out.push_back(&st);
  return out;
}

// A label in a data section (.rodata, .data, __ex_table: no 'x' flag, no
// instructions) names data the model does not hold, not an instruction. Each
// gets its own nominal address in a data area above the text, so that
// "call *.Ltable(,%eax,4)" cannot address an instruction (index_of rejects
// anything past the text) and two tables are never confused.
constexpr uint64_t kDataAlign = 0x1000;        // the area starts on the page after the text
constexpr uint64_t kDataLabelStride = 0x100;   // "table + 4" stays clear of the next label

struct Labels {
  std::map<std::string, size_t> code;  // label -> index of the instruction that follows it
  std::vector<std::string> data;       // data labels in layout order
};

// Sections holding an instruction are code whatever their flags (GNU as puts
// the bytes there; the program runs them).
std::set<std::string> sections_with_code(const std::vector<const Statement*>& statements) {
  std::set<std::string> out;
  for (const Statement* st : statements)
    if (st->kind == Statement::Kind::Instruction) out.insert(st->section);
  return out;
}

// Labels first: code labels name the index of the instruction that follows them.
Labels collect_labels(const std::vector<const Statement*>& statements) {
  std::set<std::string> code_sections = sections_with_code(statements);
  Labels labels;
  std::map<std::string, SourceLocation> where;
  size_t index = 0;
  for (const Statement* stp : statements) {
    const Statement& st = *stp;
    if (st.kind == Statement::Kind::Instruction) ++index;
    if (st.kind != Statement::Kind::Label) continue;
    if (where.count(st.label))
      throw InputError(Diagnostic{st.loc, "label '" + st.label + "' defined twice",
                                  {"first defined at " + where[st.label].str()}});
    where[st.label] = st.loc;
    if (st.code_section || code_sections.count(st.section)) labels.code[st.label] = index;
    else labels.data.push_back(st.label);
  }
  return labels;
}

std::map<std::string, uint32_t> data_addresses(const std::vector<std::string>& data, const Program& program) {
  uint64_t text_end = uint64_t{program.text_base} + uint64_t{program.instructions.size()} * Program::kInstrStride;
  uint64_t base = (text_end / kDataAlign + 1) * kDataAlign;  // strictly above the end-of-text label
  std::map<std::string, uint32_t> out;
  for (size_t k = 0; k < data.size(); ++k) out[data[k]] = static_cast<uint32_t>(base + k * kDataLabelStride);
  return out;
}

class Resolver {
 public:
  Resolver(const ParsedSource& parsed, const Program& program, std::map<std::string, uint32_t> data_labels,
           const LinkOptions& options)
      : parsed_(parsed), program_(program), data_labels_(std::move(data_labels)), options_(options) {}

  uint32_t value(const ExprPtr& e) { return static_cast<uint32_t>(value64(e)); }
  int64_t value64(const ExprPtr& e) {
    if (!e) return 0;
    return eval_expr(*e, [this](const std::string& n) { return lookup(n); });
  }

  std::optional<int64_t> lookup(const std::string& name) {
    if (auto it = program_.labels.find(name); it != program_.labels.end())
      return program_.address_of(it->second);
    if (auto it = data_labels_.find(name); it != data_labels_.end()) return it->second;
    if (auto it = parsed_.equates.find(name); it != parsed_.equates.end()) {
      if (std::find(active_.begin(), active_.end(), name) != active_.end())
        throw InputError(it->second->loc, "symbol '" + name + "' is defined in terms of itself");
      active_.push_back(name);
      int64_t v = eval_expr(*it->second, [this](const std::string& n) { return lookup(n); });
      active_.pop_back();
      return v;
    }
    if (auto it = options_.constants.find(name); it != options_.constants.end()) return it->second;
    return std::nullopt;
  }

 private:
  const ParsedSource& parsed_;
  const Program& program_;
  std::map<std::string, uint32_t> data_labels_;  // data-section labels: addresses past the text
  const LinkOptions& options_;
  std::vector<std::string> active_;
};

ResolvedOperand resolve_operand(const Operand& o, Resolver& r) {
  ResolvedOperand out;
  out.kind = o.kind;
  out.reg = o.reg;
  out.indirect = o.indirect;
  if (o.kind == Operand::Kind::Immediate) out.imm = r.value(o.imm);
  if (o.kind == Operand::Kind::Memory) {
    out.segment = o.mem.segment;
    out.disp = r.value(o.mem.disp);
    out.base = o.mem.base;
    out.index = o.mem.index;
    out.scale = o.mem.scale;
  }
  return out;
}

bool is_direct_branch(const DecodedMnemonic& d) {
  return d.form && d.form->operands.size() == 1 && (d.form->operands[0].classes & kClassTarget);
}

// How GNU as prints a value in its warnings: "0x100".
std::string gas_hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// GNU as reads an immediate as a 32-bit value, sign-extended.
int64_t gas_immediate(int64_t written) { return static_cast<int32_t>(static_cast<uint32_t>(written)); }

// An immediate too wide for its operand: GNU as errs for an imm8 of a word
// or dword operation (bt, shift counts: -128..255) and, for a byte or word
// operand (a byte shift's count too), warns and keeps the low bits (values
// within +-(2^n - 1) pass silently).
void check_immediate(const Statement& st, const OperandPattern& p, int size, int64_t written,
                     std::vector<Diagnostic>& warnings) {
  int64_t v = gas_immediate(written);
  if ((p.classes & kClassImm8) && size != 1) {
    if (v < -128 || v > 255)
      throw InputError(st.loc, "operand type mismatch for '" + st.mnemonic + "': $" + std::to_string(v) +
                                   " does not fit in 8 bits");
    return;
  }
  if (size != 1 && size != 2) return;
  int64_t limit = int64_t{1} << (size * 8);
  if (v < limit && v > -limit) return;
  uint64_t bits = static_cast<uint64_t>(v), mask = static_cast<uint64_t>(limit - 1);
  warnings.push_back(Diagnostic{st.loc, gas_hex(bits) + " shortened to " + gas_hex(bits & mask), {}});
}

void check_immediates(const Statement& st, const DecodedMnemonic& d, Resolver& r, std::vector<Diagnostic>& warnings) {
  for (size_t i = 0; i < st.operands.size() && i < d.form->operands.size(); ++i)
    if (st.operands[i].kind == Operand::Kind::Immediate)
      check_immediate(st, d.form->operands[i], d.size, r.value64(st.operands[i].imm), warnings);
}

// A direct branch names a label (or an external C function for call).
void resolve_target(const Statement& st, Instruction& ins, const Program& program, Resolver& r) {
  const Operand& o = st.operands.at(0);
  if (o.indirect) return;
  if (o.kind != Operand::Kind::Memory || o.mem.base || o.mem.index || !o.mem.disp)
    throw InputError(st.loc, "branch target of '" + st.mnemonic + "' must be a label or '*operand'");
  const Expr& e = *o.mem.disp;
  if (e.op == Expr::Op::Sym && !program.labels.count(e.sym) && !r.lookup(e.sym)) {
    if (ins.op != Op::Call) throw InputError(e.loc, "undefined label '" + e.sym + "'");
    ins.external_call = e.sym;
    return;
  }
  uint32_t address = r.value(o.mem.disp);
  auto index = program.index_of(address);
  if (!index)
    throw InputError(st.loc, "branch target is not an instruction of the program: a branch to " + hex32(address) +
                                 " is valid x86 but not supported");
  ins.target = *index;
}

}  // namespace

Program link_program(const ParsedSource& parsed, const LinkOptions& options) {
  Program program;
  program.text_base = options.text_base;
  program.files = parsed.files;
  program.globals = parsed.globals;
  std::vector<const Statement*> statements = layout(parsed);
  Labels labels = collect_labels(statements);
  program.labels = std::move(labels.code);
  // Global data (.globl sys_call_table) is no entry point: not a default CFG root.
  for (const std::string& name : labels.data) program.globals.erase(name);

  std::vector<const Statement*> instruction_statements;
  for (const Statement* st : statements)
    if (st->kind == Statement::Kind::Instruction) instruction_statements.push_back(st);
  program.instructions.resize(instruction_statements.size());
  Resolver resolver(parsed, program, data_addresses(labels.data, program), options);

  for (size_t i = 0; i < instruction_statements.size(); ++i) {
    const Statement& st = *instruction_statements[i];
    DecodedMnemonic d = decode_statement(st);
    if (d.warning) program.warnings.push_back(Diagnostic{st.loc, *d.warning, {}});
    Instruction& ins = program.instructions[i];
    ins.op = d.op;
    ins.cond = d.cond;
    ins.size = d.size;
    ins.src_size = d.src_size;
    ins.rep = d.rep;
    ins.address = program.address_of(i);
    ins.text = st.text;
    ins.section = st.section;
    ins.loc = st.loc;
    ins.expanded_from = st.expanded_from;
    ins.macro_names = st.macro_names;
    if (is_direct_branch(d)) resolve_target(st, ins, program, resolver);
    else
      for (const auto& o : st.operands) ins.operands.push_back(resolve_operand(o, resolver));
    check_immediates(st, d, resolver, program.warnings);
    check_operand_form(ins, d.suffix_given);
  }
  for (const auto& st : parsed.statements) {
    if (st.kind != Statement::Kind::ExtableEntry) continue;
    program.extable.push_back({resolver.value(st.extable_from), resolver.value(st.extable_to), st.loc,
                               ExtableType::Default, std::nullopt});
  }
  return program;
}

Program load_program(const std::vector<std::string>& files, const FrontEndOptions& fe,
                     const LinkOptions& link) {
  ParsedSource all;
  for (const auto& f : files) {
    ParsedSource one = parse_asm_file(f, fe);
    all.statements.insert(all.statements.end(), one.statements.begin(), one.statements.end());
    all.equates.insert(one.equates.begin(), one.equates.end());
    all.globals.insert(one.globals.begin(), one.globals.end());
    all.files.insert(all.files.end(), one.files.begin(), one.files.end());
  }
  return link_program(all, link);
}

}  // namespace ec

// entrycheck dump-program (hidden, for tests): the linked program as JSON
// lines. The first line is a header (constants, defines, features, text
// base); then one line per instruction; then one line per exception-table
// entry. Used by tests/differential/gas/gas_diff.py to compare the front end
// with GNU as.
#include <iostream>
#include <nlohmann/json.hpp>

#include "model/asm/link.hpp"
#include "model/object/load_sources.hpp"
#include "model/object/object_program.hpp"
#include "cli/commands.hpp"
#include "cli/option_values.hpp"
#include "model/spec/spec.hpp"

namespace ec::cli {
namespace {

using Json = nlohmann::ordered_json;

Json loc_json(const SourceLocation& l) { return Json{{"file", l.file}, {"line", l.line}, {"column", l.column}}; }

Json operand_json(const ResolvedOperand& o) {
  Json j;
  switch (o.kind) {
    case Operand::Kind::Register:
      j["kind"] = "reg";
      j["reg"] = std::string(reg_info(o.reg).name);
      break;
    case Operand::Kind::Immediate:
      j["kind"] = "imm";
      j["imm"] = o.imm;
      break;
    case Operand::Kind::Memory:
      j["kind"] = "mem";
      j["seg"] = o.segment ? Json(std::string(reg_info(*o.segment).name)) : Json(nullptr);
      j["disp"] = o.disp;
      j["base"] = o.base ? Json(std::string(reg_info(*o.base).name)) : Json(nullptr);
      j["index"] = o.index ? Json(std::string(reg_info(*o.index).name)) : Json(nullptr);
      j["scale"] = o.scale;
      break;
  }
  j["indirect"] = o.indirect;
  return j;
}

Json header_json(const Program& program, const FrontEndOptions& fe, const LinkOptions& link) {
  Json header{{"kind", "header"}, {"text_base", program.text_base}, {"stride", Program::kInstrStride}};
  Json constants = Json::object();
  for (const auto& [name, value] : link.constants) constants[name] = value;
  header["constants"] = constants;
  Json defines = Json::object();
  for (const auto& [name, value] : fe.defines) defines[name] = value;
  header["defines"] = defines;
  header["features"] = fe.cpu_features;
  header["instructions"] = program.instructions.size();
  return header;
}

Json instruction_json(const Instruction& ins, size_t i) {
  Json j{{"kind", "insn"}, {"index", i}, {"address", ins.address}, {"section", ins.section}, {"op", op_name(ins.op)}};
  j["cond"] = ins.op == Op::Jcc ? Json(cond_name(ins.cond)) : Json(nullptr);
  j["size"] = ins.size;
  j["src_size"] = ins.src_size;
  j["rep"] = ins.rep;
  Json ops = Json::array();
  for (const auto& o : ins.operands) ops.push_back(operand_json(o));
  j["operands"] = ops;
  j["target"] = ins.target ? Json(*ins.target) : Json(nullptr);
  j["external_call"] = ins.external_call.empty() ? Json(nullptr) : Json(ins.external_call);
  j["loc"] = loc_json(ins.loc);
  Json from = Json::array();
  for (const auto& l : ins.expanded_from) from.push_back(loc_json(l));
  j["expanded_from"] = from;
  j["macros"] = ins.macro_names;
  j["text"] = ins.text;
  return j;
}

Json extable_json(const Program& program, const ExtableEntry& e) {
  Json j{{"kind", "extable"}, {"from", e.from}, {"to", e.to}, {"type", extable_type_name(e.type)}};
  j["reg"] = e.reg ? Json(std::string(reg_info(*e.reg).name)) : Json(nullptr);
  j["from_index"] = program.index_of(e.from) ? Json(*program.index_of(e.from)) : Json(nullptr);
  j["to_index"] = program.index_of(e.to) ? Json(*program.index_of(e.to)) : Json(nullptr);
  j["loc"] = loc_json(e.loc);
  return j;
}

// An object's instruction: where it is in the object (section, offset,
// bytes, symbol), what Zydis decoded, and the program's view of it when the
// model takes it (the .S dump's fields), else why not.
Json object_row_json(const ObjectListing& listing, const ObjectRow& row) {
  Json j = row.index && row.unsupported.empty() ? instruction_json(listing.program.instructions[*row.index], *row.index)
                                                : Json{{"kind", "insn"}, {"index", row.index ? Json(*row.index) : Json(nullptr)}};
  j["section"] = row.section;
  j["offset"] = row.offset;
  j["length"] = row.length;
  j["bytes"] = row.bytes;
  j["symbol"] = row.symbol;
  j["mnemonic"] = row.mnemonic;
  j["att"] = row.text;
  j["loc"] = loc_json(row.loc);
  j["in_program"] = row.index.has_value();
  j["padding"] = row.padding;
  Json alts = Json::array();
  for (const auto& a : row.alternatives)
    alts.push_back(Json{{"entry", a.entry}, {"feature", a.feature}, {"not", a.inverted}, {"applied", a.applied}});
  j["alternatives"] = alts;
  j["extable"] = row.extable;
  j["unsupported"] = row.unsupported.empty() ? Json(nullptr) : Json(row.unsupported);
  return j;
}

// dump-program on an ELF object: every decoded instruction, supported or
// not (exit 2 after the listing when some are not).
int dump_object(const DumpOptions& options, const FrontEndOptions& fe, const LinkOptions& link) {
  ObjectOptions object;
  object.features = fe.cpu_features;
  object.cpufeatures = fe.cpufeatures;
  object.apply_alternatives = !options.no_alternatives;
  ObjectListing listing = read_object(options.file, object, link);
  Json header = header_json(listing.program, fe, link);
  header["input"] = "object";
  header["rows"] = listing.rows.size();
  header["unsupported"] = listing.unsupported;
  std::cout << header.dump() << "\n";
  for (const ObjectRow& row : listing.rows) std::cout << object_row_json(listing, row).dump() << "\n";
  for (const auto& e : listing.program.extable) std::cout << extable_json(listing.program, e).dump() << "\n";
  if (listing.unsupported == 0) return kExitOk;
  load_object_program(options.file, object, link);  // throws the located error listing them
  return kExitInputError;
}

}  // namespace

int run_dump_program(const DumpOptions& options) {
  FrontEndOptions fe;
  LinkOptions link;
  if (!options.spec.empty()) {
    Spec spec = load_spec(options.spec);
    fe = spec.front_end;
    link = spec.link;
  }
  for (const auto& d : options.defines) {
    auto [name, value] = assignment_option("--define", d);
    fe.defines[name] = value;
  }
  for (const auto& c : options.constants) {
    auto [name, value] = assignment_option("--const", c);
    link.constants[name] = signed_option("--const", value, INT64_MIN, INT64_MAX);
  }
  for (const auto& f : options.features) fe.cpu_features.insert(f);
  if (!options.cpufeatures.empty()) fe.cpufeatures = options.cpufeatures;
  if (is_object_file(options.file)) return dump_object(options, fe, link);
  Program program = load_sources({options.file}, fe, link);
  print_warnings(program.warnings);
  std::cout << header_json(program, fe, link).dump() << "\n";
  for (size_t i = 0; i < program.instructions.size(); ++i)
    std::cout << instruction_json(program.instructions[i], i).dump() << "\n";
  for (const auto& e : program.extable) std::cout << extable_json(program, e).dump() << "\n";
  return kExitOk;
}

}  // namespace ec::cli

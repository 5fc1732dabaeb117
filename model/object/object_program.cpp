#include "model/object/object_program.hpp"

#include <elf.h>

#include <algorithm>
#include <cstdio>

#include "model/base/hex.hpp"
#include "model/object/cpu_features.hpp"
#include "model/object/object_reader.hpp"
#include "model/program/instruction_table.hpp"

namespace ec {
namespace {

constexpr uint64_t kDataAlign = 0x1000;  // data sections start on pages above the text, as in the .S front end

std::string hex_bytes(const std::vector<uint8_t>& bytes, uint32_t offset, unsigned length) {
  std::string out;
  char buf[4];
  for (unsigned i = 0; i < length && offset + i < bytes.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", bytes[offset + i]);
    out += buf;
  }
  return out;
}

std::string short_hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

std::string plus_offset(const std::string& name, uint32_t delta) {
  return delta ? name + "+" + short_hex(delta) : name;
}

// GNU as keeps numeric local labels with -L under names holding control
// characters ("1\002"); they name nothing a spec can write.
bool nameable(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

}  // namespace

std::string ObjectListing::where(const ObjectRow& row) const {
  return row.loc.str() + ": " + row.section + "+" + short_hex(row.offset) +
         (row.symbol.empty() ? std::string() : " (" + row.symbol + ")");
}

ObjectReader::ObjectReader(const std::string& path, const ObjectOptions& options, const LinkOptions& link)
    : path_(path), options_(options), link_(link), object_(path), lines_(path) {
  if (!options.cpufeatures.empty()) feature_table_ = read_cpufeatures(options.cpufeatures);
  features_ = feature_numbers(options.features, feature_table_, path);
  image_ = build_code_image(object_, features_, options.apply_alternatives);
}

ObjectListing ObjectReader::read() {
  collect_symbols();
  out_.program.text_base = link_.text_base;
  out_.program.files = {path_};
  for (const CodeSection& cs : image_.sections) decode_section(cs, true);
  out_.program.instructions.resize(starts_.size());
  if (image_.replacements) decode_section(*image_.replacements, false);
  lay_out_data();
  add_labels();
  map_rows();
  read_extable();
  for (const ObjectRow& row : out_.rows) out_.unsupported += !row.unsupported.empty();
  return std::move(out_);
}

void ObjectReader::decode_section(const CodeSection& cs, bool in_program) {
  uint32_t offset = 0;
  while (offset < cs.bytes.size()) {
    DecodedX86 d = decode_x86(cs.bytes.data() + offset, cs.bytes.size() - offset, offset);
    ObjectRow row;
    fill_row(row, cs, d);
    if (in_program) {
      row.index = starts_.size();
      starts_[ObjectPlace{cs.section->index, offset}] = *row.index;
    }
    out_.rows.push_back(std::move(row));
    decoded_.push_back(std::move(d));
    row_section_.push_back(&cs);
    offset += decoded_.back().length;
  }
  if (in_program) section_end_[cs.section->index] = starts_.size();
}

void ObjectReader::fill_row(ObjectRow& row, const CodeSection& cs, const DecodedX86& d) {
  row.section = cs.section->name;
  row.offset = d.offset;
  row.length = d.length;
  row.bytes = hex_bytes(cs.bytes, d.offset, d.length);
  row.symbol = symbol_at(ObjectPlace{cs.section->index, d.offset});
  row.mnemonic = d.mnemonic;
  row.text = d.error.empty() ? d.text : "(bad)";
  row.loc = location(cs, d.offset);
  row.unsupported = d.error;
  const AppliedPatch* patch = cs.patch_at(d.offset);
  row.padding = patch && d.offset - patch->offset >= patch->alt.replacementlen;
  for (const AltInstr& a : image_.alternatives)
    if (a.instr.section == cs.section->index && d.offset < a.instr.offset + a.instrlen &&
        a.instr.offset < d.offset + d.length)
      row.alternatives.push_back(RowAlternative{a.entry, feature_name(a.feature(), feature_table_), a.inverted(),
                                                options_.apply_alternatives && a.applies(features_)});
}

SourceLocation ObjectReader::location(const CodeSection& cs, uint32_t offset) const {
  std::optional<ObjectPlace> from = cs.origin(offset);
  // NOP padding takes the line of the instruction it replaced.
  if (!from) from = ObjectPlace{cs.section->index, cs.patch_at(offset)->offset};
  if (auto loc = lines_.at(from->section, from->offset)) return *loc;
  return SourceLocation{path_ + "(" + object_.sections().at(from->section).name + "+" + short_hex(from->offset) + ")", 0,
                        0};
}

void ObjectReader::collect_symbols() {
  for (const ElfSymbol& s : object_.symbols())
    if (!s.undefined() && !s.absolute() && !s.is_section() && s.type != STT_FILE && nameable(s.name) &&
        s.section < object_.sections().size())
      names_[s.section].emplace(s.value, s.name);
}

std::string ObjectReader::symbol_at(const ObjectPlace& place) const {
  auto s = names_.find(place.section);
  if (s == names_.end()) return "";
  auto it = s->second.upper_bound(place.offset);
  if (it == s->second.begin()) return "";
  --it;
  return plus_offset(it->second, place.offset - it->first);
}

std::string ObjectReader::place_name(const ObjectPlace& place) const {
  std::string sym = symbol_at(place);
  return object_.sections().at(place.section).name + "+" + short_hex(place.offset) + (sym.empty() ? "" : " (" + sym + ")");
}

std::optional<size_t> ObjectReader::index_at(const ObjectPlace& place) const {
  if (auto it = starts_.find(place); it != starts_.end()) return it->second;
  auto end = section_end_.find(place.section);
  if (end != section_end_.end() && place.offset == object_.sections().at(place.section).size) return end->second;
  return std::nullopt;
}

// Data sections (no code) get nominal addresses above the text, each on its
// own pages, so that an address into data can never be an instruction's.
void ObjectReader::lay_out_data() {
  uint64_t next = link_.text_base + uint64_t{starts_.size()} * Program::kInstrStride;
  next = (next / kDataAlign + 1) * kDataAlign;
  for (const ElfSection& s : object_.sections()) {
    if (!s.allocated() || s.executable() || section_end_.count(s.index)) continue;
    data_base_[s.index] = static_cast<uint32_t>(next);
    next += (uint64_t{s.size} / kDataAlign + 1) * kDataAlign;
  }
}

uint32_t ObjectReader::symbol_address(const ElfSymbol& sym, int64_t addend) const {
  if (sym.undefined()) {
    auto it = link_.constants.find(sym.name);
    if (it == link_.constants.end())
      throw RowError{"'" + sym.name + "' is not defined in the object: give its address in the spec's \"constants\""};
    return static_cast<uint32_t>(it->second + addend);
  }
  if (sym.absolute()) return static_cast<uint32_t>(sym.value + addend);
  ObjectPlace place{sym.section, static_cast<uint32_t>(sym.value + addend)};
  if (section_end_.count(sym.section)) {
    if (auto index = index_at(place)) return out_.program.address_of(*index);
    throw RowError{"the address " + place_name(place) + " is not the start of an instruction"};
  }
  if (auto it = data_base_.find(sym.section); it != data_base_.end()) return it->second + place.offset;
  throw RowError{"the address " + place_name(place) + " is in a section the program does not hold"};
}

void ObjectReader::map_rows() {
  for (size_t k = 0; k < out_.rows.size(); ++k) {
    ObjectRow& row = out_.rows[k];
    if (!row.index || !row.unsupported.empty()) continue;
    try {
      out_.program.instructions[*row.index] = map_instruction(*row_section_[k], decoded_[k], row);
    } catch (const RowError& e) {
      row.unsupported = e.message;
    } catch (const InputError& e) {
      row.unsupported = e.diagnostic().message;
    }
  }
}

// Every symbol at an instruction of the program is a label (a global one an
// entry point); one inside an instruction (replaced by an alternative) names
// nothing the program can start at and is left out.
void ObjectReader::add_labels() {
  for (const ElfSymbol& s : object_.symbols()) {
    if (s.undefined() || s.absolute() || s.is_section() || !nameable(s.name) || !section_end_.count(s.section))
      continue;
    auto index = index_at(ObjectPlace{s.section, s.value});
    if (!index) continue;
    out_.program.labels.emplace(s.name, *index);
    if (s.global) out_.program.globals.insert(s.name);
  }
}

Program load_object_program(const std::string& path, const ObjectOptions& options, const LinkOptions& link) {
  ObjectListing listing = ObjectReader(path, options, link).read();
  // An object with nothing to run is malformed or not entry code: never an
  // empty program that proves everything.
  if (listing.program.instructions.empty())
    throw InputError(SourceLocation{path, 0, 0},
                     "the object has no instructions (no allocated, executable PROGBITS section such as .text)");
  if (listing.unsupported == 0) return std::move(listing.program);
  Diagnostic d;
  for (const ObjectRow& row : listing.rows) {
    if (row.unsupported.empty()) continue;
    std::string what = row.section + "+" + short_hex(row.offset) + (row.symbol.empty() ? "" : " (" + row.symbol + ")") +
                       ": '" + row.text + "': " + row.unsupported;
    if (d.message.empty()) {
      d.where = row.loc;
      d.message = what;
    } else {
      d.notes.push_back(row.loc.str() + ": also " + what);
    }
  }
  d.notes.push_back(std::to_string(listing.unsupported) + " of " + std::to_string(listing.rows.size()) +
                    " instructions of " + path + " are not supported (entrycheck dump-program lists them)");
  throw InputError(d);
}

ObjectListing read_object(const std::string& path, const ObjectOptions& options, const LinkOptions& link) {
  return ObjectReader(path, options, link).read();
}

}  // namespace ec

// Internal to model/object: the state one object read shares between its
// steps (decoding, operand mapping, symbols, the exception table).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/object/code_image.hpp"
#include "model/object/dwarf_lines.hpp"
#include "model/object/elf_object.hpp"
#include "model/object/object_program.hpp"
#include "model/object/x86_decode.hpp"

namespace ec {

// Thrown by the mapping of one instruction; becomes the row's "unsupported".
struct RowError {
  std::string message;
};

class ObjectReader {
 public:
  ObjectReader(const std::string& path, const ObjectOptions& options, const LinkOptions& link);
  ObjectListing read();

  // For the operand mapping (object_operands.cpp).
  Instruction map_instruction(const CodeSection& cs, const DecodedX86& d, const ObjectRow& row) const;
  // The address a symbol plus addend stands for (R_386_32), or RowError.
  uint32_t symbol_address(const ElfSymbol& sym, int64_t addend) const;
  // The program instruction at a place (its start, or a section's end).
  std::optional<size_t> index_at(const ObjectPlace& place) const;
  std::string place_name(const ObjectPlace& place) const;  // ".entry.text+0x12 (sym+0x4)"
  const ElfObject& object() const { return object_; }
  size_t program_size() const { return starts_.size(); }

 private:
  void decode_section(const CodeSection& cs, bool in_program);
  void fill_row(ObjectRow& row, const CodeSection& cs, const DecodedX86& d);
  void collect_symbols();
  void lay_out_data();
  void map_rows();
  void add_labels();
  void read_extable();
  ExtableEntry extable_entry(const ElfSection& table, uint32_t base) const;
  SourceLocation location(const CodeSection& cs, uint32_t offset) const;
  std::string symbol_at(const ObjectPlace& place) const;

  const std::string path_;
  const ObjectOptions& options_;
  const LinkOptions& link_;
  ElfObject object_;
  DwarfLines lines_;
  std::map<std::string, unsigned> feature_table_;
  std::set<unsigned> features_;
  CodeImage image_;
  ObjectListing out_;
  std::vector<DecodedX86> decoded_;           // parallel to out_.rows
  std::vector<const CodeSection*> row_section_;  // parallel to out_.rows
  std::map<ObjectPlace, size_t> starts_;      // instruction start -> program index
  std::map<size_t, size_t> section_end_;      // code section -> index after its last instruction
  std::map<size_t, std::map<uint32_t, std::string>> names_;  // section -> offset -> symbol (for display)
  std::map<size_t, uint32_t> data_base_;      // data section -> nominal address
};

}  // namespace ec

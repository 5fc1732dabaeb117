// Source lines from an object's DWARF line table (.debug_line, read with
// libdw's offline mode, which applies the object's relocations to it): the
// .S file and line each code byte came from.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "model/base/diagnostic.hpp"

typedef struct Dwfl_Module Dwfl_Module;
typedef struct Dwarf_Lines_s Dwarf_Lines;

namespace ec {

class DwarfLines {
 public:
  // Reads the line table of the object at `path`; an object without DWARF
  // gives no lines (the caller falls back to section+offset).
  explicit DwarfLines(const std::string& path);

  // The row covering byte `offset` of section `section` (by ELF index).
  std::optional<SourceLocation> at(size_t section, uint32_t offset) const;
  bool empty() const { return rows_.empty(); }

 private:
  void add_rows(Dwfl_Module* mod, uint64_t bias, Dwarf_Lines* lines, size_t count);
  struct RowPlace {
    size_t section = 0;
    uint32_t offset = 0;
  };
  // Per section: row start offset -> location; an end-of-sequence row has an
  // empty file (no line covers the bytes from there on).
  std::map<size_t, std::map<uint32_t, SourceLocation>> rows_;
};

}  // namespace ec

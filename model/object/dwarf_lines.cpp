#include "model/object/dwarf_lines.hpp"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <memory>

namespace ec {
namespace {

// The object carries its own DWARF: never look for separate debug files
// (that would read paths from the environment and the file system).
int no_separate_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*, GElf_Word,
                          char**) {
  return -1;
}

const Dwfl_Callbacks kOffline = {
    dwfl_build_id_find_elf,
    no_separate_debuginfo,
    dwfl_offline_section_address,  // lays the sections of an ET_REL file out and relocates .debug_line
    nullptr,
};

struct DwflDeleter {
  void operator()(Dwfl* d) const { dwfl_end(d); }
};

}  // namespace

DwarfLines::DwarfLines(const std::string& path) {
  std::unique_ptr<Dwfl, DwflDeleter> dwfl(dwfl_begin(&kOffline));
  if (!dwfl) return;
  Dwfl_Module* mod = dwfl_report_offline(dwfl.get(), "object", path.c_str(), -1);
  if (!mod || dwfl_report_end(dwfl.get(), nullptr, nullptr) != 0) return;
  Dwarf_Addr bias = 0;
  Dwarf* dw = dwfl_module_getdwarf(mod, &bias);
  if (!dw) return;
  Dwarf_Off off = 0, next = 0;
  size_t header_size = 0;
  while (dwarf_nextcu(dw, off, &next, &header_size, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu;
    Dwarf_Lines* lines = nullptr;
    size_t count = 0;
    if (dwarf_offdie(dw, off + header_size, &cu) && dwarf_getsrclines(&cu, &lines, &count) == 0)
      add_rows(mod, bias, lines, count);
    off = next;
  }
}

void DwarfLines::add_rows(Dwfl_Module* mod, uint64_t bias, Dwarf_Lines* lines, size_t count) {
  bool in_sequence = false;
  RowPlace prev{};
  Dwarf_Addr prev_addr = 0;
  for (size_t i = 0; i < count; ++i) {
    Dwarf_Line* line = dwarf_onesrcline(lines, i);
    Dwarf_Addr addr = 0;
    int lineno = 0;
    bool end = false;
    if (!line || dwarf_lineaddr(line, &addr) != 0) continue;
    dwarf_lineno(line, &lineno);
    dwarf_lineendsequence(line, &end);
    if (end) {
      // The end of a sequence may be the very end of its section, which the
      // next section's layout could claim: stay in the sequence's section.
      if (in_sequence) rows_[prev.section][static_cast<uint32_t>(prev.offset + (addr - prev_addr))] = SourceLocation{};
      in_sequence = false;
      continue;
    }
    Dwarf_Addr rel = addr + bias, section_bias = 0;
    Elf_Scn* scn = dwfl_module_address_section(mod, &rel, &section_bias);
    if (!scn) continue;
    prev = RowPlace{elf_ndxscn(scn), static_cast<uint32_t>(rel)};
    prev_addr = addr;
    in_sequence = true;
    const char* file = dwarf_linesrc(line, nullptr, nullptr);
    rows_[prev.section][prev.offset] = SourceLocation{file ? file : "?", lineno, 0};
  }
}

std::optional<SourceLocation> DwarfLines::at(size_t section, uint32_t offset) const {
  auto s = rows_.find(section);
  if (s == rows_.end()) return std::nullopt;
  auto it = s->second.upper_bound(offset);
  if (it == s->second.begin()) return std::nullopt;
  --it;
  if (it->second.file.empty()) return std::nullopt;
  return it->second;
}

}  // namespace ec

// A 32-bit x86 relocatable ELF object (what `as --32` and kbuild make), read
// with libelf: its sections, symbols and REL relocations, copied out so
// that nothing here outlives the file handle.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ec {

struct ElfSection {
  size_t index = 0;
  std::string name;
  uint32_t type = 0;       // SHT_*
  uint64_t flags = 0;      // SHF_*
  std::vector<uint8_t> bytes;  // empty for SHT_NOBITS
  uint32_t size = 0;
  uint32_t info = 0;       // sh_info (for SHT_REL: the section it relocates)
  bool executable() const;
  bool allocated() const;
};

struct ElfSymbol {
  std::string name;
  uint32_t value = 0;
  size_t section = 0;  // SHN_UNDEF (0) for undefined symbols
  unsigned type = 0;   // STT_*
  bool global = false; // STB_GLOBAL or STB_WEAK
  bool undefined() const { return section == 0; }
  bool absolute() const;
  bool is_section() const;
};

struct ElfRelocation {
  uint32_t offset = 0;  // in the relocated section
  unsigned type = 0;    // R_386_*
  size_t symbol = 0;    // index into symbols()
};

class ElfObject {
 public:
  // Throws InputError (at the file) unless it is a 32-bit x86 ET_REL object.
  explicit ElfObject(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const std::vector<ElfSymbol>& symbols() const { return symbols_; }
  const ElfSection* section_named(const std::string& name) const;
  // The REL relocations that apply to `section`, by offset.
  const std::vector<ElfRelocation>& relocations(size_t section) const;
  // The relocation whose field starts at `offset` in `section`, if any.
  const ElfRelocation* relocation_at(size_t section, uint32_t offset) const;

 private:
  std::string path_;
  std::vector<ElfSection> sections_;
  std::vector<ElfSymbol> symbols_;
  std::vector<std::vector<ElfRelocation>> relocations_;  // by section index
};

// Does the file start with the ELF magic (\x7fELF)?
bool has_elf_magic(const std::string& path);

// The name of an R_386_* relocation type ("R_386_PC32"), for messages.
std::string relocation_type_name(unsigned type);

}  // namespace ec

#include "model/object/elf_object.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "model/base/diagnostic.hpp"

namespace ec {
namespace {

[[noreturn]] void bad_object(const std::string& path, const std::string& what) {
  throw InputError(SourceLocation{path, 0, 0}, what);
}

// libelf's handle and the file descriptor, released together.
class ElfHandle {
 public:
  explicit ElfHandle(const std::string& path) : path_(path) {
    if (elf_version(EV_CURRENT) == EV_NONE) bad_object(path, "libelf is too old for this object");
    fd_ = ::open(path.c_str(), O_RDONLY);
    if (fd_ < 0) bad_object(path, "cannot open the object file");
    elf_ = elf_begin(fd_, ELF_C_READ, nullptr);
    if (!elf_) fail("cannot read the ELF object");
  }
  ~ElfHandle() {
    if (elf_) elf_end(elf_);
    if (fd_ >= 0) ::close(fd_);
  }
  ElfHandle(const ElfHandle&) = delete;
  ElfHandle& operator=(const ElfHandle&) = delete;
  Elf* get() const { return elf_; }
  [[noreturn]] void fail(const std::string& what) const {
    bad_object(path_, what + " (libelf: " + std::string(elf_errmsg(-1)) + ")");
  }

 private:
  std::string path_;
  int fd_ = -1;
  Elf* elf_ = nullptr;
};

void check_header(const ElfHandle& h, const std::string& path) {
  if (elf_kind(h.get()) != ELF_K_ELF) bad_object(path, "not an ELF object");
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(h.get(), &ehdr)) h.fail("cannot read the ELF header");
  if (gelf_getclass(h.get()) != ELFCLASS32 || ehdr.e_machine != EM_386)
    bad_object(path, "not a 32-bit x86 object (entrycheck reads ELF32 objects for EM_386, as `as --32` makes)");
  if (ehdr.e_type != ET_REL)
    bad_object(path, "not a relocatable object (ET_REL): entrycheck reads the .o the assembler makes, not a "
                     "linked file");
}

std::vector<ElfSection> read_sections(const ElfHandle& h) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(h.get(), &shstrndx) != 0) h.fail("cannot find the section names");
  size_t count = 0;
  if (elf_getshdrnum(h.get(), &count) != 0) h.fail("cannot count the sections");
  std::vector<ElfSection> out(count);
  for (size_t i = 0; i < count; ++i) {
    Elf_Scn* scn = elf_getscn(h.get(), i);
    GElf_Shdr shdr;
    if (!scn || !gelf_getshdr(scn, &shdr)) h.fail("cannot read section header " + std::to_string(i));
    ElfSection& s = out[i];
    s.index = i;
    const char* name = elf_strptr(h.get(), shstrndx, shdr.sh_name);
    s.name = name ? name : "";
    s.type = shdr.sh_type;
    s.flags = shdr.sh_flags;
    s.size = static_cast<uint32_t>(shdr.sh_size);
    s.info = shdr.sh_info;
    if (shdr.sh_type == SHT_NOBITS || shdr.sh_size == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || data->d_size != shdr.sh_size) h.fail("cannot read the bytes of section " + s.name);
    const auto* p = static_cast<const uint8_t*>(data->d_buf);
    s.bytes.assign(p, p + data->d_size);
  }
  return out;
}

Elf_Scn* section_of_type(const ElfHandle& h, uint32_t type) {
  for (Elf_Scn* scn = elf_nextscn(h.get(), nullptr); scn; scn = elf_nextscn(h.get(), scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) && shdr.sh_type == type) return scn;
  }
  return nullptr;
}

std::vector<ElfSymbol> read_symbols(const ElfHandle& h) {
  std::vector<ElfSymbol> out;
  Elf_Scn* scn = section_of_type(h, SHT_SYMTAB);
  if (!scn) return out;
  GElf_Shdr shdr;
  gelf_getshdr(scn, &shdr);
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data) h.fail("cannot read the symbol table");
  size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
  for (size_t i = 0; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) h.fail("cannot read symbol " + std::to_string(i));
    ElfSymbol s;
    const char* name = elf_strptr(h.get(), shdr.sh_link, sym.st_name);
    s.name = name ? name : "";
    s.value = static_cast<uint32_t>(sym.st_value);
    s.section = sym.st_shndx;
    s.type = GELF_ST_TYPE(sym.st_info);
    s.global = GELF_ST_BIND(sym.st_info) == STB_GLOBAL || GELF_ST_BIND(sym.st_info) == STB_WEAK;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ElfRelocation> read_relocations(const ElfHandle& h, const ElfSection& rel, size_t symbol_count,
                                            const std::string& path) {
  Elf_Scn* scn = elf_getscn(h.get(), rel.index);
  Elf_Data* data = elf_getdata(scn, nullptr);
  GElf_Shdr shdr;
  if (!data || !gelf_getshdr(scn, &shdr)) h.fail("cannot read relocation section " + rel.name);
  std::vector<ElfRelocation> out;
  size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
  for (size_t i = 0; i < count; ++i) {
    GElf_Rel r;
    if (!gelf_getrel(data, static_cast<int>(i), &r)) h.fail("cannot read relocation " + std::to_string(i));
    ElfRelocation out_rel{static_cast<uint32_t>(r.r_offset), static_cast<unsigned>(GELF_R_TYPE(r.r_info)),
                          static_cast<size_t>(GELF_R_SYM(r.r_info))};
    if (out_rel.symbol >= symbol_count)
      bad_object(path, rel.name + ": relocation " + std::to_string(i) + " names symbol " +
                           std::to_string(out_rel.symbol) + ", past the symbol table");
    out.push_back(out_rel);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace

bool ElfSection::executable() const { return flags & SHF_EXECINSTR; }
bool ElfSection::allocated() const { return flags & SHF_ALLOC; }
bool ElfSymbol::absolute() const { return section == SHN_ABS; }
bool ElfSymbol::is_section() const { return type == STT_SECTION; }

ElfObject::ElfObject(const std::string& path) : path_(path) {
  ElfHandle h(path);
  check_header(h, path);
  sections_ = read_sections(h);
  symbols_ = read_symbols(h);
  relocations_.resize(sections_.size());
  for (const ElfSection& s : sections_) {
    if (s.type == SHT_RELA) bad_object(path, s.name + ": RELA relocations in an i386 object are not supported");
    if (s.type != SHT_REL) continue;
    if (s.info >= sections_.size()) bad_object(path, s.name + ": relocates section " + std::to_string(s.info) +
                                                         ", which does not exist");
    relocations_[s.info] = read_relocations(h, s, symbols_.size(), path);
  }
}

const ElfSection* ElfObject::section_named(const std::string& name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const std::vector<ElfRelocation>& ElfObject::relocations(size_t section) const { return relocations_.at(section); }

const ElfRelocation* ElfObject::relocation_at(size_t section, uint32_t offset) const {
  const auto& rels = relocations_.at(section);
  auto it = std::lower_bound(rels.begin(), rels.end(), offset,
                             [](const ElfRelocation& r, uint32_t off) { return r.offset < off; });
  return it != rels.end() && it->offset == offset ? &*it : nullptr;
}

bool has_elf_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

std::string relocation_type_name(unsigned type) {
  switch (type) {
    case R_386_NONE: return "R_386_NONE";
    case R_386_32: return "R_386_32";
    case R_386_PC32: return "R_386_PC32";
    case R_386_PLT32: return "R_386_PLT32";
    case R_386_16: return "R_386_16";
    case R_386_PC16: return "R_386_PC16";
    case R_386_8: return "R_386_8";
    case R_386_PC8: return "R_386_PC8";
    default: return "relocation type " + std::to_string(type);
  }
}

}  // namespace ec

#include "model/object/load_sources.hpp"

#include <algorithm>
#include <fstream>

#include "model/object/elf_object.hpp"
#include "model/object/object_program.hpp"

namespace ec {
namespace {

// A NUL byte in the first 4 KiB: binary data, not text for the .S front end
// (which would otherwise report its bytes as garbage tokens).
bool looks_binary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char buf[4096];
  in.read(buf, sizeof buf);
  return std::find(buf, buf + in.gcount(), '\0') != buf + in.gcount();
}

}  // namespace

bool is_object_file(const std::string& path) { return has_elf_magic(path); }

Program load_sources(const std::vector<std::string>& files, const FrontEndOptions& fe, const LinkOptions& link) {
  size_t objects = static_cast<size_t>(std::count_if(files.begin(), files.end(), is_object_file));
  if (objects == 0) {
    for (const std::string& f : files)
      if (looks_binary(f))
        throw InputError(SourceLocation{f, 0, 0}, "not an assembly source: the file holds binary data (entrycheck "
                                                  "reads .S text or an ELF object)");
    return load_program(files, fe, link);
  }
  if (files.size() != 1)
    throw InputError(SourceLocation{files.front(), 0, 0},
                     "an ELF object must be the program's only source (" + std::to_string(files.size()) +
                         " sources given)");
  ObjectOptions options;
  options.features = fe.cpu_features;
  options.cpufeatures = fe.cpufeatures;
  return load_object_program(files.front(), options, link);
}

}  // namespace ec

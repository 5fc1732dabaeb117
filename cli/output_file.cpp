// Files the commands write: verify's reports, show's page.
#include <filesystem>
#include <fstream>

#include "cli/commands.hpp"
#include "model/base/diagnostic.hpp"

namespace ec::cli {

void write_file(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path parent = fs::path(path).parent_path();
  std::error_code error;  // a folder that cannot be made shows as a file that cannot be written
  if (!parent.empty()) fs::create_directories(parent, error);
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) throw InputError(SourceLocation{path, 0, 0}, "cannot write this file");
}

}  // namespace ec::cli

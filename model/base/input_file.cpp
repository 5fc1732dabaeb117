#include "model/base/input_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ec {

bool is_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? c : c & (0x7f >> length);
    for (size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xc0) != 0x80) return false;
      code = (code << 6) | (byte(i + k) & 0x3f);
    }
    static const uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kLeast[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

std::optional<std::string> read_input_file(const std::string& path, const SourceLocation& where) {
  namespace fs = std::filesystem;
  if (!is_utf8(path))
    throw InputError(where, "the file name '" + path +
                                "' is not valid UTF-8 (file names are written into JSON traces and reports)");
  std::error_code error;  // a name too long or a missing folder: the file cannot be opened
  fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) return std::nullopt;
  if (fs::is_directory(status)) throw InputError(where, "'" + path + "' is a directory, not a file");
  if (!fs::is_regular_file(status)) throw InputError(where, "'" + path + "' is not a regular file");
  uintmax_t size = fs::file_size(path, error);
  if (error) return std::nullopt;
  if (size > kMaxInputFileBytes)
    throw InputError(where, "'" + path + "' is larger than the limit of " + std::to_string(kMaxInputFileBytes >> 20) +
                                " MiB for an input file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ec

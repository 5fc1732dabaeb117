// Reading an input file (source, spec, trace, state): regular files only, up
// to a size limit, so that a directory, /dev/zero or a FIFO named by mistake
// is an error instead of an empty input or a read that never ends
// (docs/cli.md "Limits").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/base/diagnostic.hpp"

namespace ec {

// The largest input file read: 64 MiB (Linux's largest entry .S is ~60 KB).
constexpr uintmax_t kMaxInputFileBytes = uintmax_t{64} << 20;

// The file's bytes; nullopt when it does not exist or cannot be opened (the
// caller says which file was missing). InputError at `where` when it is not
// a regular file, is larger than kMaxInputFileBytes, or its name is not
// UTF-8 (file names go into JSON traces and reports, which must be UTF-8).
std::optional<std::string> read_input_file(const std::string& path, const SourceLocation& where);

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates).
bool is_utf8(std::string_view text);

}  // namespace ec

// First phase of the C preprocessor subset: physical text to logical lines.
#pragma once
#include <string>
#include <vector>

#include "model/asm/loc_text.hpp"

namespace ec::asmfe {

// Joins backslash-newline continuations and replaces /* */ and // comments by a
// blank (a comment spanning lines joins them, as in cpp). Every character keeps
// the physical line/column it came from. Throws on an unterminated comment.
std::vector<LocText> split_logical_lines(const std::string& file, const std::string& text);

// GNU as treats '#' outside a string as the start of a comment (after cpp has
// consumed directive lines). Returns `line` cut at such a '#'.
LocText strip_hash_comment(const LocText& line);

}  // namespace ec::asmfe

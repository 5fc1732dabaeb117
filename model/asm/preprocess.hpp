// The C preprocessor subset run over a .S file before GNU as sees it:
// comments, #define/#undef, conditionals, #include "file", line markers.
#pragma once
#include <string>
#include <vector>

#include "model/asm/cpp_macros.hpp"
#include "model/asm/loc_text.hpp"
#include "model/asm/parsed.hpp"

namespace ec::asmfe {

struct PreprocessResult {
  std::vector<LocText> lines;      // active, macro-expanded, non-blank logical lines
  std::vector<std::string> files;  // every file read, main first
  CppMacros macros;                // the table at the end (ALTERNATIVE feature names)
};

// `name` is used in locations; #include "x" is resolved relative to its folder.
PreprocessResult preprocess(const std::string& text, const std::string& name,
                            const FrontEndOptions& options);

}  // namespace ec::asmfe

// Entry points of the assembly front end: cpp subset, then the GNU as layer.
#include "model/asm/gas_processor.hpp"
#include "model/asm/parsed.hpp"
#include "model/asm/preprocess.hpp"
#include "model/base/input_file.hpp"

namespace ec {

ParsedSource parse_asm_text(const std::string& text, const std::string& name,
                            const FrontEndOptions& options) {
  asmfe::PreprocessResult pp = asmfe::preprocess(text, name, options);
  ParsedSource out;
  out.files = pp.files;
  asmfe::GasProcessor(options, pp.macros).run(pp.lines, out);
  return out;
}

ParsedSource parse_asm_file(const std::string& path, const FrontEndOptions& options) {
  std::optional<std::string> text = read_input_file(path, SourceLocation{path, 0, 0});
  if (!text) throw InputError(SourceLocation{path, 0, 0}, "cannot open file '" + path + "'");
  return parse_asm_text(*text, path, options);
}

}  // namespace ec

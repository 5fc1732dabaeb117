// Entry points of the assembly front end: cpp subset, then the GNU as layer.
#include "model/asm/gas_processor.hpp"
#include "model/asm/parsed.hpp"
#include "model/asm/preprocess.hpp"

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
  std::optional<std::string> text = asmfe::read_text_file(path);
  if (!text) throw InputError(SourceLocation{path, 0, 0}, "cannot open file '" + path + "'");
  return parse_asm_text(*text, path, options);
}

}  // namespace ec

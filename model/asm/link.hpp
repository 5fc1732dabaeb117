// The .S front end's last stage: decodes mnemonics, resolves every
// expression and lays the statements out as a Program (model/program/).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "model/asm/parsed.hpp"
#include "model/program/program.hpp"

namespace ec {

struct LinkOptions {
  uint32_t text_base = 0xc1000000;
  std::map<std::string, int64_t> constants;  // from the spec; the asm uses them as symbols
};

// Decodes mnemonics (unknown ones are located errors), resolves every
// expression and lays instructions out at nominal addresses.
Program link_program(const ParsedSource& parsed, const LinkOptions& options);

// Convenience: parse + link several files into one program.
Program load_program(const std::vector<std::string>& files, const FrontEndOptions& fe,
                     const LinkOptions& link);

}  // namespace ec

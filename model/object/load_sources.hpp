// The one place a program's sources are read: an ELF object (recognised by
// its magic, \x7fELF) through the object front end, anything else through
// the .S front end (model/asm). Binary data that is no ELF object is
// refused before the .S front end sees it.
#pragma once
#include <string>
#include <vector>

#include "model/asm/link.hpp"
#include "model/asm/parsed.hpp"
#include "model/program/program.hpp"

namespace ec {

Program load_sources(const std::vector<std::string>& files, const FrontEndOptions& fe, const LinkOptions& link);

// Is this file an ELF object (by its magic)?
bool is_object_file(const std::string& path);

}  // namespace ec

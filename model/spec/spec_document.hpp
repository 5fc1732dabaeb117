// A spec file as one JSON document, its base specs merged in
// (docs/spec-format.md, "Base specs"): `"extends": "PATH"` names a base,
// relative to the file that says it. The base is read first (itself
// perhaps extending another); then the spec is laid over it: objects merge
// key by key, arrays and scalars replace. Every value keeps the place
// (file:line:col) where it is written, so errors and relative paths follow
// the file the value came from. A missing base or a cycle is a located error.
#pragma once
#include <string>

#include "model/base/located_json.hpp"

namespace ec {

LocatedJson read_spec_document(const std::string& path);

// `over` laid over `base`: objects merge key by key, anything else replaces.
nlohmann::ordered_json merge_spec_json(const nlohmann::ordered_json& base, const nlohmann::ordered_json& over);

}  // namespace ec

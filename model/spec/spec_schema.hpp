// Validation of a spec document against docs/spec.schema.json (compiled in).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace ec {

// Throws InputError naming the JSON path of the first schema violation.
void enforce_spec_schema(const nlohmann::json& document, const std::string& file);

}  // namespace ec

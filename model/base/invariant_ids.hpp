// The invariants by typed id (the catalog is model/base/invariants.def).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ec {

enum class InvariantId : uint8_t {
#define EC_INVARIANT(Id, ...) Id,
#include "model/base/invariants.def"
};

std::string_view invariant_name(InvariantId id);     // "stack-bounds"
std::string_view invariant_meaning(InvariantId id);  // the one-line statement
std::optional<InvariantId> invariant_by_name(std::string_view name);
const std::vector<InvariantId>& all_invariants();    // in catalog order

}  // namespace ec

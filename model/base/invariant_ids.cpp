#include "model/base/invariant_ids.hpp"

#include <array>

namespace ec {
namespace {

struct Row {
  InvariantId id;
  std::string_view name, meaning;
};

constexpr std::array kRows = {
#define EC_INVARIANT(Id, Name, Meaning) Row{InvariantId::Id, Name, Meaning},
#include "model/base/invariants.def"
};

const Row& row(InvariantId id) { return kRows[static_cast<size_t>(id)]; }

}  // namespace

std::string_view invariant_name(InvariantId id) { return row(id).name; }
std::string_view invariant_meaning(InvariantId id) { return row(id).meaning; }

std::optional<InvariantId> invariant_by_name(std::string_view name) {
  for (const Row& r : kRows)
    if (r.name == name) return r.id;
  return std::nullopt;
}

const std::vector<InvariantId>& all_invariants() {
  static const std::vector<InvariantId> ids = [] {
    std::vector<InvariantId> out;
    for (const Row& r : kRows) out.push_back(r.id);
    return out;
  }();
  return ids;
}

}  // namespace ec

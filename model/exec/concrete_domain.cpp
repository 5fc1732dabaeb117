#include "model/exec/concrete_domain.hpp"

namespace ec {

CVal ConcreteDomain::input(const std::string& name, int width) {
  uint64_t value = 0;
  if (auto it = inputs.find(name); it != inputs.end()) {
    value = it->second;
  } else if (fallback) {
    if (auto v = fallback(name, width)) value = *v;
  }
  value &= mask(width);
  used_inputs[name] = value;
  return mk(value, width);
}

bool ConcreteDomain::seg_valid(const CVal& selector) {
  bool valid = true;
  if (auto it = selector_validity.find(selector.v); it != selector_validity.end()) {
    valid = it->second;
  } else if (seg_valid_fallback) {
    if (auto v = seg_valid_fallback(selector.v)) valid = *v;
  }
  used_selectors[selector.v] = valid;
  return valid;
}

}  // namespace ec

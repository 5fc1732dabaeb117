// The rendered InputError ("file:line:col: error: ...\n") that `f` throws,
// or "" when it throws none: for tests of error messages.
#pragma once
#include <functional>
#include <string>

#include "model/base/diagnostic.hpp"

namespace ec::testing {

inline std::string input_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ec::InputError& e) {
    return e.diagnostic().render();
  }
  return "";
}

}  // namespace ec::testing

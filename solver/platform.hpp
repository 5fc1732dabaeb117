// Built-in platform descriptions a spec can name ("platform") and override:
// the constants and selectors the kernel's asm-offsets and segment.h give.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/machine_config.hpp"

namespace ec {

struct Platform {
  std::map<std::string, int64_t> constants;
  std::vector<KnownSelector> selectors;
};

// nullptr if there is no such platform.
const Platform* find_platform(const std::string& name);

}  // namespace ec

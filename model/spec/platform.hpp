// Built-in platform descriptions a spec can name ("platform") and override:
// the constants and selectors the kernel's asm-offsets and segment.h give.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/machine/machine_config.hpp"

namespace ec {

struct Platform {
  std::map<std::string, int64_t> constants;
  std::vector<KnownSelector> selectors;
  // What a C handler expects in %ds and %es (Linux x86-32: __USER_DS, so
  // that copy_to_user & co. work; %fs holds __KERNEL_PERCPU).
  std::optional<uint16_t> handler_data_selector;
};

// nullptr if there is no such platform.
const Platform* find_platform(const std::string& name);

}  // namespace ec

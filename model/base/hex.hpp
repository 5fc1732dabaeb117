// "0x%08x": how entrycheck prints addresses and values everywhere.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace ec {

inline std::string hex32(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace ec

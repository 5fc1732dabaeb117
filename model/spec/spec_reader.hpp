// Reads values out of a spec's JSON tree (model/spec internal): every error
// names the JSON path and is located at the line and column where the value
// is written (in the spec or in the base spec it came from).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "model/base/located_json.hpp"

namespace ec {

using SpecJson = nlohmann::ordered_json;

class SpecReader {
 public:
  explicit SpecReader(JsonLocations where) : where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const;
  SourceLocation location(const std::string& path) const { return where_.at(path); }

  // An object with only `allowed` keys and every `required` one.
  void keys(const SpecJson& j, const std::string& path, const std::set<std::string>& allowed,
            const std::set<std::string>& required = {}) const;
  std::string string(const SpecJson& j, const std::string& path) const;
  bool boolean(const SpecJson& j, const std::string& path) const;
  int64_t integer(const SpecJson& j, const std::string& path) const;
  int64_t integer_in(const SpecJson& j, const std::string& path, int64_t min, int64_t max) const;
  const SpecJson& array(const SpecJson& j, const std::string& path) const;
  const SpecJson& object(const SpecJson& j, const std::string& path) const;

  // A number, or a string holding a constant expression over `constants`.
  int64_t value(const SpecJson& j, const std::string& path) const;
  // A value that must fit the machine: an address, a size, a register.
  uint32_t u32(const SpecJson& j, const std::string& path) const;
  // A segment selector: 0..0xffff.
  uint16_t selector(const SpecJson& j, const std::string& path) const;

  std::map<std::string, int64_t> constants;

 private:
  int64_t value_in(const SpecJson& j, const std::string& path, int64_t max, const char* what) const;

  JsonLocations where_;
};

}  // namespace ec

#include "model/spec/spec_reader.hpp"

#include "model/asm/expr.hpp"
#include "model/base/hex.hpp"

namespace ec {

void SpecReader::fail(const std::string& path, const std::string& message) const {
  throw InputError(where_.at(path), path + ": " + message);
}

void SpecReader::keys(const SpecJson& j, const std::string& path, const std::set<std::string>& allowed,
                      const std::set<std::string>& required) const {
  object(j, path);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!allowed.count(it.key())) fail(json_member(path, it.key()), "unknown key");
  for (const auto& k : required)
    if (!j.contains(k)) fail(path, "missing required key '" + k + "'");
}

std::string SpecReader::string(const SpecJson& j, const std::string& path) const {
  if (!j.is_string()) fail(path, "expected a string");
  return j.get<std::string>();
}

bool SpecReader::boolean(const SpecJson& j, const std::string& path) const {
  if (!j.is_boolean()) fail(path, "expected true or false");
  return j.get<bool>();
}

int64_t SpecReader::integer(const SpecJson& j, const std::string& path) const {
  if (!j.is_number_integer()) fail(path, "expected an integer");
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) fail(path, "integer too large");
  return j.get<int64_t>();
}

int64_t SpecReader::integer_in(const SpecJson& j, const std::string& path, int64_t min, int64_t max) const {
  int64_t v = integer(j, path);
  if (v < min || v > max)
    fail(path, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                   std::to_string(v));
  return v;
}

const SpecJson& SpecReader::array(const SpecJson& j, const std::string& path) const {
  if (!j.is_array()) fail(path, "expected an array");
  return j;
}

const SpecJson& SpecReader::object(const SpecJson& j, const std::string& path) const {
  if (!j.is_object()) fail(path, "expected an object");
  return j;
}

int64_t SpecReader::value(const SpecJson& j, const std::string& path) const {
  if (j.is_number_integer()) return integer(j, path);
  if (!j.is_string()) fail(path, "expected an integer or an expression string");
  std::string text = j.get<std::string>();
  try {
    ExprPtr e = parse_expr_text(text, where_.at(path));
    return eval_expr(*e, [this](const std::string& n) -> std::optional<int64_t> {
      auto it = constants.find(n);
      if (it == constants.end()) return std::nullopt;
      return it->second;
    });
  } catch (const InputError& e) {
    fail(path, "in expression \"" + text + "\": " + e.diagnostic().message);
  }
}

int64_t SpecReader::value_in(const SpecJson& j, const std::string& path, int64_t max, const char* what) const {
  int64_t v = value(j, path);
  if (v < 0 || v > max) {
    std::string shown = v < 0 ? std::to_string(v) : hex32(static_cast<uint64_t>(v));
    fail(path, std::string("expected ") + what + " (0.." + hex32(static_cast<uint64_t>(max)) + "), got " + shown);
  }
  return v;
}

uint32_t SpecReader::u32(const SpecJson& j, const std::string& path) const {
  return static_cast<uint32_t>(value_in(j, path, UINT32_MAX, "a 32-bit value"));
}

uint16_t SpecReader::selector(const SpecJson& j, const std::string& path) const {
  return static_cast<uint16_t>(value_in(j, path, 0xffff, "a 16-bit selector"));
}

}  // namespace ec

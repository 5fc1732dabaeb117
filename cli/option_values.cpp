#include "cli/option_values.hpp"

#include "model/base/diagnostic.hpp"
#include "model/base/numbers.hpp"

namespace ec::cli {

void option_error(const std::string& option, const std::string& message) {
  throw InputError(SourceLocation{option, 0, 0}, message);
}

uint64_t unsigned_option(const std::string& option, const std::string& text, uint64_t min, uint64_t max) {
  std::optional<uint64_t> value = parse_unsigned(text);
  if (!value || *value < min || *value > max)
    option_error(option, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                             ", got '" + text + "'");
  return *value;
}

int64_t signed_option(const std::string& option, const std::string& text, int64_t min, int64_t max) {
  std::optional<int64_t> value = parse_signed(text, min, max);
  if (!value)
    option_error(option, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                             ", got '" + text + "'");
  return *value;
}

bool on_off_option(const std::string& option, const std::string& text) {
  return choice_option(option, text, {"off", "on"}) == 1;
}

size_t choice_option(const std::string& option, const std::string& text, const std::vector<std::string>& choices) {
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == text) return i;
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  }
  option_error(option, "expected " + list + ", got '" + text + "'");
}

std::pair<std::string, std::string> assignment_option(const std::string& option, const std::string& text) {
  auto eq = text.find('=');
  std::string name = text.substr(0, eq);
  if (name.empty()) option_error(option, "expected NAME=VALUE, got '" + text + "'");
  return {name, eq == std::string::npos ? "1" : text.substr(eq + 1)};
}

std::pair<int, int> shard_option(const std::string& option, const std::string& text) {
  auto slash = text.find('/');
  std::optional<uint64_t> k, n;
  if (slash != std::string::npos) {
    k = parse_unsigned(text.substr(0, slash), 1u << 20);
    n = parse_unsigned(text.substr(slash + 1), 1u << 20);
  }
  if (!k || !n || *k < 1 || *k > *n)
    option_error(option, "expected K/N with 1 <= K <= N (e.g. 1/4), got '" + text + "'");
  return {static_cast<int>(*k), static_cast<int>(*n)};
}

}  // namespace ec::cli

#include "model/base/numbers.hpp"

#include <charconv>

namespace ec {

std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty() || text[0] == '+' || text[0] == '-') return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

std::optional<int64_t> parse_signed(std::string_view text, int64_t min, int64_t max) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  std::optional<uint64_t> magnitude = parse_unsigned(text);
  if (!magnitude) return std::nullopt;
  // The magnitude of INT64_MIN is one more than INT64_MAX.
  if (*magnitude > (negative ? uint64_t{1} << 63 : static_cast<uint64_t>(INT64_MAX))) return std::nullopt;
  int64_t value = negative ? static_cast<int64_t>(0 - *magnitude) : static_cast<int64_t>(*magnitude);
  if (value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace ec

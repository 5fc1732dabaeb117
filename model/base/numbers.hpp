// Strict number parsing for text from the user (command-line options, JSON
// strings in state and trace files): the whole text must be one number that
// fits, or the caller reports a located error. Decimal, or hex with 0x.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace ec {

// "123", "0x7b" (no sign, no spaces, no trailing text); nullopt when the
// text is not such a number or is above `max`.
std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max = UINT64_MAX);

// As parse_unsigned, with an optional leading '-'; nullopt outside [min, max].
std::optional<int64_t> parse_signed(std::string_view text, int64_t min = INT64_MIN, int64_t max = INT64_MAX);

}  // namespace ec

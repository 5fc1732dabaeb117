// Strict number parsing for user text (model/base/numbers.hpp): every case
// below is decided by the rule "the whole text is one number that fits".
#include <doctest/doctest.h>

#include "model/base/numbers.hpp"

using ec::parse_signed;
using ec::parse_unsigned;

TEST_CASE("parse_unsigned takes decimal and 0x hex, whole text only") {
  CHECK(parse_unsigned("0") == 0u);
  CHECK(parse_unsigned("123") == 123u);
  CHECK(parse_unsigned("0x7b") == 0x7bu);
  CHECK(parse_unsigned("0XFF") == 0xffu);
  CHECK(parse_unsigned("18446744073709551615") == UINT64_MAX);
  CHECK_FALSE(parse_unsigned("18446744073709551616"));  // 2^64
  CHECK_FALSE(parse_unsigned(""));
  CHECK_FALSE(parse_unsigned("0x"));
  CHECK_FALSE(parse_unsigned("abc"));
  CHECK_FALSE(parse_unsigned("12abc"));
  CHECK_FALSE(parse_unsigned(" 12"));
  CHECK_FALSE(parse_unsigned("-1"));
  CHECK_FALSE(parse_unsigned("+1"));
  CHECK_FALSE(parse_unsigned("0x-1"));
}

TEST_CASE("parse_unsigned honours the maximum") {
  CHECK(parse_unsigned("0xffffffff", UINT32_MAX) == 0xffffffffu);
  CHECK_FALSE(parse_unsigned("0x100000000", UINT32_MAX));
  CHECK_FALSE(parse_unsigned("256", 255));
}

TEST_CASE("parse_signed covers the whole int64 range and its bounds") {
  CHECK(parse_signed("-7") == -7);
  CHECK(parse_signed("-0x10") == -16);
  CHECK(parse_signed("9223372036854775807") == INT64_MAX);
  CHECK(parse_signed("-9223372036854775808") == INT64_MIN);
  CHECK_FALSE(parse_signed("9223372036854775808"));
  CHECK_FALSE(parse_signed("-9223372036854775809"));
  CHECK_FALSE(parse_signed("--1"));
  CHECK_FALSE(parse_signed("-"));
  CHECK_FALSE(parse_signed("5", 0, 4));
  CHECK_FALSE(parse_signed("-1", 0, 4));
  CHECK(parse_signed("4", 0, 4) == 4);
}

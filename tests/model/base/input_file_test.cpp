// Reading input files (model/base/input_file.hpp) and the located JSON
// reader's errors for issue 17: each expectation follows from the rule in
// the header (regular files only, UTF-8 names, finite numbers, no key twice).
#include <doctest/doctest.h>

#include "model/base/input_file.hpp"
#include "model/base/located_json.hpp"
#include "tests/support/input_errors.hpp"
#include "tests/support/temp_files.hpp"

using ec::testing::input_error_of;

TEST_CASE("is_utf8: well-formed sequences only") {
  CHECK(ec::is_utf8("plain/path.S"));
  CHECK(ec::is_utf8("caf\xc3\xa9"));                  // é
  CHECK(ec::is_utf8("\xf0\x9f\x98\x80"));             // U+1F600
  CHECK_FALSE(ec::is_utf8("bad\xff"));
  CHECK_FALSE(ec::is_utf8("\xc3"));                   // cut short
  CHECK_FALSE(ec::is_utf8("\xc0\xaf"));               // overlong '/'
  CHECK_FALSE(ec::is_utf8("\xed\xa0\x80"));           // surrogate U+D800
  CHECK_FALSE(ec::is_utf8("\xf4\x90\x80\x80"));       // above U+10FFFF
}

TEST_CASE("read_input_file: regular files only, UTF-8 names; missing is nullopt") {
  ec::testing::TempDir dir;
  std::string file = dir.write("a.S", "nop\n");
  ec::SourceLocation here{"spec.json", 3, 7};
  CHECK(ec::read_input_file(file, here) == std::optional<std::string>("nop\n"));
  CHECK_FALSE(ec::read_input_file(dir.path("missing.S"), here));
  CHECK_FALSE(ec::read_input_file(std::string(5000, 'a'), here));  // a name too long: cannot be opened
  CHECK(input_error_of([&] { ec::read_input_file(dir.path("."), here); }).find("spec.json:3:7: error: '") == 0);
  CHECK(input_error_of([&] { ec::read_input_file(dir.path("."), here); }).find("is a directory, not a file") !=
        std::string::npos);
  CHECK(input_error_of([&] { ec::read_input_file("/dev/zero", here); }).find("is not a regular file") !=
        std::string::npos);
  CHECK(input_error_of([&] { ec::read_input_file("x\xff.S", here); }).find("is not valid UTF-8") != std::string::npos);
}

TEST_CASE("located JSON: an overflowing number and a repeated key are located errors") {
  // 1e999 starts at line 2, column 8; the error is placed where the parser stopped, on that line.
  std::string overflow = input_error_of([] { ec::parse_located_json("{\n  \"a\": 1e999\n}", "f.json"); });
  CHECK(overflow.find("f.json:2:") == 0);
  CHECK(overflow.find("invalid JSON: number overflow parsing '1e999'") != std::string::npos);
  // The second "a" key starts at line 3, column 3.
  CHECK(input_error_of([] { ec::parse_located_json("{\n  \"a\": 1,\n  \"a\": 2\n}", "f.json"); }) ==
        "f.json:3:3: error: invalid JSON: duplicate key \"a\"\n");
  // The same key in two objects is no repetition.
  CHECK(input_error_of([] { ec::parse_located_json("{\"a\": {\"a\": 1}, \"b\": {\"a\": 2}}", "f.json"); }).empty());
}

// JSON with places (model/base/located_json.hpp): each expected line and
// column is counted by hand in the text of the test.
#include <doctest/doctest.h>

#include "model/base/located_json.hpp"

namespace {

std::string place(const ec::LocatedJson& doc, const std::string& path) {
  ec::SourceLocation l = doc.where.at(path);
  return std::to_string(l.line) + ":" + std::to_string(l.column);
}

}  // namespace

TEST_CASE("every value's place: members at their key, elements at the value") {
  const std::string text =
      "{\n"                                   // 1
      "  \"name\": \"x\",\n"                  // 2: key at col 3
      "  \"list\": [10, \"ab\",\n"            // 3: 10 at col 12, "ab" at col 16
      "     {\"k\": true}],\n"                // 4: { at col 6, "k" at col 7
      "  \"n\": -5\n"                         // 5
      "}\n";
  ec::LocatedJson doc = ec::parse_located_json(text, "f.json");
  CHECK(place(doc, "$") == "1:1");
  CHECK(place(doc, "$.name") == "2:3");
  CHECK(place(doc, "$.list") == "3:3");
  CHECK(place(doc, "$.list[0]") == "3:12");
  CHECK(place(doc, "$.list[1]") == "3:16");
  CHECK(place(doc, "$.list[2]") == "4:6");
  CHECK(place(doc, "$.list[2].k") == "4:7");
  CHECK(place(doc, "$.n") == "5:3");
  CHECK(doc.where.at("$.n").file == "f.json");
}

TEST_CASE("a path with no place of its own takes its nearest enclosing value's") {
  ec::LocatedJson doc = ec::parse_located_json("{\n  \"a\": {\"b\": 1}\n}", "f.json");
  CHECK(place(doc, "$.a.missing") == "2:3");
  CHECK(place(doc, "$.a.b.c[3]") == "2:9");
}

TEST_CASE("a number followed directly by a newline is placed on its own line") {
  // The parser reads one character past a number: here, the newline.
  ec::LocatedJson doc = ec::parse_located_json("[1,\n2\n]", "f.json");
  CHECK(place(doc, "$[0]") == "1:2");
  CHECK(place(doc, "$[1]") == "2:1");
}

TEST_CASE("comments are allowed and do not move places") {
  ec::LocatedJson doc = ec::parse_located_json("// c\n{ /* x */ \"a\": 1 }", "f.json");
  CHECK(place(doc, "$.a") == "2:11");
}

TEST_CASE("a syntax error is located at its line and column") {
  try {
    ec::parse_located_json("{\n  \"a\": 1,\n}", "f.json");
    FAIL("no error");
  } catch (const ec::InputError& e) {
    CHECK(e.diagnostic().where.str() == "f.json:3:1");
    CHECK(e.diagnostic().message.find("invalid JSON") == 0);
  }
}

TEST_CASE("a missing file is an error naming what was wanted") {
  try {
    ec::read_located_json("/nonexistent/x.json", "spec file");
    FAIL("no error");
  } catch (const ec::InputError& e) {
    CHECK(e.diagnostic().message == "cannot open spec file");
  }
}

TEST_CASE("overlay replaces places path by path") {
  ec::JsonLocations a, b;
  a.set("$.x", {"base.json", 2, 3});
  a.set("$.y", {"base.json", 3, 3});
  b.set("$.y", {"spec.json", 5, 3});
  a.overlay(b);
  CHECK(a.at("$.x").file == "base.json");
  CHECK(a.at("$.y").file == "spec.json");
}

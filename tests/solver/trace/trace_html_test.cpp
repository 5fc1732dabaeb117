// trace_html.cpp: one self-contained page; sources found by the trace's
// paths or marked missing; macro bodies found around their lines.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "solver/trace/trace_html.hpp"
#include "tests/support/trace_fixture.hpp"

using namespace ec;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The page's data: the text of <script type="application/json" id="trace-data">.
nlohmann::json page_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"trace-data\">";
  auto from = page.find(open);
  REQUIRE(from != std::string::npos);
  from += open.size();
  auto to = page.find("</script>", from);
  REQUIRE(to != std::string::npos);
  return nlohmann::json::parse(page.substr(from, to - from));
}

}  // namespace

TEST_CASE("macro bodies: from .macro NAME to .endm around the line, else the line alone") {
  std::vector<std::string> lines = {
      "\t.text",                  // 1
      ".macro SAVE_REGS",         // 2
      "\tpushl %eax",             // 3
      "\tpushl %ebx",             // 4
      ".endm",                    // 5
      "\tSAVE_REGS",              // 6
      "  .macro CLEAR x, y",      // 7
      "\tandl $0, \\x",           // 8
      "\t.endm",                  // 9
  };
  CHECK(macro_body_range(lines, 3, "SAVE_REGS") == std::pair{2, 5});
  CHECK(macro_body_range(lines, 4, "save_regs") == std::pair{2, 5});  // GAS macro names ignore case
  CHECK(macro_body_range(lines, 8, "CLEAR") == std::pair{7, 9});
  CHECK(macro_body_range(lines, 8, "SAVE_REGS") == std::pair{8, 8});  // another macro's body
  CHECK(macro_body_range(lines, 6, "SAVE_REGS") == std::pair{6, 6});  // not inside a body
  CHECK(macro_body_range(lines, 40, "SAVE_REGS") == std::pair{40, 40});
}

TEST_CASE("sources: as given, else relative to the trace's folder and those above it; missing ones marked") {
  fs::path root = fs::temp_directory_path() / "ec_html_sources";
  fs::remove_all(root);
  fs::create_directories(root / "src" / "arch");
  fs::create_directories(root / "out" / "traces");
  std::ofstream(root / "src" / "arch" / "entry.S") << "line one\r\nline two\n";
  Trace t = test::seed_like_trace();
  for (auto& s : t.steps) s.location = "src/arch/entry.S:2:1";
  t.steps[1].expanded_from = {"CLEAR_MARK at gone/macros.S:5:1"};
  auto sources = load_trace_sources(t, (root / "out" / "traces" / "t.json").string());
  REQUIRE(sources.count("src/arch/entry.S"));
  REQUIRE(sources.at("src/arch/entry.S"));
  CHECK(*sources.at("src/arch/entry.S") == std::vector<std::string>{"line one", "line two"});
  REQUIRE(sources.count("gone/macros.S"));
  CHECK(!sources.at("gone/macros.S"));
  CHECK(!sources.at("missing/entry.S"));  // the violation's location
  fs::remove_all(root);
}

TEST_CASE("the page: filled template, the trace as data, nothing that can close the script early") {
  Trace t = test::seed_like_trace();
  t.message = "a </script><!-- message";
  TraceSources sources = {{"missing/entry.S", std::nullopt}};
  std::string page = trace_to_html(t, sources);
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(!has(page, "@EC_"));
  CHECK(!has(page, "</script><!--"));
  CHECK(has(page, "<title>entrycheck: resume violated (x, irq-from-kernel, stale)</title>"));
  CHECK(!has(page, "http://"));
  CHECK(!has(page, "https://"));
  CHECK(!has(page, "<link"));
  CHECK(!has(page, " src="));
  auto d = page_data(page);
  CHECK(d["message"] == t.message);
  CHECK(d["sources"]["missing/entry.S"].is_null());
  CHECK(d["violation_index"] == 2);
  CHECK(d["steps"].size() == 3);
  CHECK(d["steps"][0]["n"] == "#hw");
  CHECK(d["steps"][1]["src"] == nlohmann::json::parse(
      R"([{"file":"missing/entry.S","line":21},{"file":"missing/entry.S","line":9,"macro":"CLEAR_MARK","first":9,"last":9}])"));
  CHECK(d["entries"][0]["fields"][1]["name"] == "CS");
  CHECK(d["entries"][0]["fields"][1]["selector"] == true);
  // The stale high half of the CS slot: initial bytes the run read.
  CHECK(d["initial"][0] == nlohmann::json::parse(R"([4330, 0, "stale"])"));
  CHECK(d["pti"]["switch_mask"] == 0x1000);
}

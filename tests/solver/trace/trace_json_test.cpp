// trace_json.cpp: the fields entrycheck 0.1.0 added round-trip, and traces
// written before them still read.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/base/diagnostic.hpp"
#include "model/base/version.hpp"
#include "solver/trace/trace.hpp"
#include "tests/support/trace_fixture.hpp"

using namespace ec;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("trace JSON: entries, frame fields, PTI, expected context and the writer's version round-trip") {
  Trace t = test::seed_like_trace();
  t.frame_fields = {{"regs->bx", -48, 4, false}, {"regs->cs", 4, 2, true}};
  t.entries[0].last_step = 2;
  std::string text = trace_to_json_text(t);
  auto j = nlohmann::json::parse(text);
  CHECK(j["entrycheck_version"] == entrycheck_version());
  CHECK(j["entries"][0]["frame"] == "0x000010e4");
  CHECK(j["entries"][0]["hardware_frame"][1] == nlohmann::json({{"name", "CS"}, {"offset", 4}, {"size", 4}, {"selector", true}}));
  CHECK(j["violation"]["instruction"] == "iret");
  Trace back = trace_from_json_file(write_temp("ec_trace_roundtrip.json", text));
  CHECK(back.entrycheck_version == entrycheck_version());
  REQUIRE(back.entries.size() == 1);
  CHECK(back.entries[0].first_step == 0);
  CHECK(*back.entries[0].last_step == 2);
  CHECK(back.entries[0].from == "kernel");
  CHECK(back.entries[0].frame == 0x10e4);
  REQUIRE(back.entries[0].hardware_frame.size() == 3);
  CHECK(back.entries[0].hardware_frame[1].selector);
  REQUIRE(back.frame_fields.size() == 2);
  CHECK(back.frame_fields[0].offset == -48);
  CHECK(back.frame_fields[1].size == 2);
  CHECK(back.pti->enabled);
  CHECK(back.pti->switch_mask == 0x1000);
  CHECK(back.expected == t.expected);
  CHECK(back.violation_instruction == "iret");
}

TEST_CASE("trace JSON: a trace without the 0.1.0 fields reads, with none of them") {
  auto j = nlohmann::json::parse(trace_to_json_text(test::seed_like_trace()));
  for (const char* key : {"entrycheck_version", "entries", "pti", "frame_fields"}) j.erase(key);
  j["violation"].erase("instruction");
  j["violation"].erase("expected");
  Trace old = trace_from_json_file(write_temp("ec_trace_old.json", j.dump()));
  CHECK(old.entrycheck_version.empty());
  CHECK(old.entries.empty());
  CHECK(!old.pti);
  CHECK(old.expected.empty());
  CHECK(old.steps.size() == 3);
  CHECK(!trace_to_text(old).empty());
}

TEST_CASE("trace JSON: a malformed new field is an input error naming its path") {
  auto j = nlohmann::json::parse(trace_to_json_text(test::seed_like_trace()));
  j["entries"][0]["first_step"] = -1;
  std::string path = write_temp("ec_trace_bad.json", j.dump());
  CHECK_THROWS_WITH_AS(trace_from_json_file(path), doctest::Contains("$.entries[0].first_step"), InputError);
  j = nlohmann::json::parse(trace_to_json_text(test::seed_like_trace()));
  j["pti"]["switch_mask"] = 4096;
  path = write_temp("ec_trace_bad.json", j.dump());
  CHECK_THROWS_AS(trace_from_json_file(path), InputError);
}

// Trace JSON (solver/trace): what is written reads back the same, and every
// malformed trace is an error at the JSON path, line and column.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "model/base/diagnostic.hpp"
#include "model/base/version.hpp"
#include "solver/trace/trace.hpp"
#include "tests/support/temp_files.hpp"
#include "tests/support/trace_fixture.hpp"

namespace {

ec::Trace sample() {
  ec::Trace t;
  t.spec_path = "specs/x.json";
  t.spec_name = "x";
  t.scenario = "irq-from-user";
  t.profile = "stale";
  t.invariant = "resume";
  t.inputs = {{"esp", 0xc2001f00}, {"wide", 0x123456789abcdefull}};
  t.selectors = {{0x7b, true}, {0x63, false}};
  t.layout = {{"entry_stack", 0xff810000, 0x100, true}, {"tss", 0xff810100, 0x68, false}};
  t.initial_dwords = {{0xff810104, 0xff810100}};
  t.interrupted = {{"eax", 1}, {"eip", 0x08048000}};
  t.final_state = {{"eax", 2}};
  ec::TraceStep s;
  s.index = 0;
  s.location = "entry.S:12:2";
  s.expanded_from = {"SAVE_ALL at entry.S:40:2"};
  s.address = 0xc1000004;
  s.instruction = "pushl %eax";
  s.event_kind = "nmi";
  s.event = "an NMI arrives";
  s.depth = 2;
  s.registers = {{"esp", 0xff8100fc}};
  s.memory = {{0xff8100fc, {0x01, 0x00, 0xab, 0xff}}};
  s.esp = 0xff8100fc;
  t.steps = {s};
  t.violated = {"esp"};
  t.message = "the interrupted context is not resumed: esp differ";
  t.location = "entry.S:30:2";
  return t;
}

std::string error_of(const std::string& text) {
  ec::testing::TempDir dir;
  std::string path = dir.write("t.json", text);
  try {
    ec::trace_from_json_file(path);
  } catch (const ec::InputError& e) {
    std::string where = e.diagnostic().where.str();
    return where.substr(where.rfind('/') + 1) + ": " + e.diagnostic().message;
  }
  return "<no error>";
}

// The sample as JSON text with `from` replaced by `to` (once).
std::string edited(const std::string& from, const std::string& to) {
  std::string text = ec::trace_to_json_text(sample());
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Line of the first occurrence of `needle` in the sample's JSON text.
int line_of(const std::string& needle) {
  std::string text = ec::trace_to_json_text(sample());
  size_t at = text.find(needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

}  // namespace

TEST_CASE("a trace written to JSON reads back field for field") {
  ec::testing::TempDir dir;
  ec::Trace t = sample();
  ec::Trace back = ec::trace_from_json_file(dir.write("t.json", ec::trace_to_json_text(t)));
  CHECK(back.spec_path == t.spec_path);
  CHECK(back.spec_name == t.spec_name);
  CHECK(back.scenario == t.scenario);
  CHECK(back.profile == t.profile);
  CHECK(back.invariant == t.invariant);
  CHECK(back.inputs == t.inputs);
  CHECK(back.selectors == t.selectors);
  REQUIRE(back.layout.size() == 2);
  CHECK(back.layout[1].name == "tss");
  CHECK(back.layout[1].base == 0xff810100u);
  CHECK(back.layout[1].size == 0x68u);
  CHECK(back.layout[0].stack);
  CHECK(back.initial_dwords == t.initial_dwords);
  CHECK(back.interrupted == t.interrupted);
  CHECK(back.final_state == t.final_state);
  CHECK(back.violated == t.violated);
  CHECK(back.message == t.message);
  CHECK(back.location == t.location);
  REQUIRE(back.steps.size() == 1);
  const ec::TraceStep& s = back.steps[0];
  CHECK(s.location == "entry.S:12:2");
  CHECK(s.expanded_from == t.steps[0].expanded_from);
  CHECK(s.address == 0xc1000004u);
  CHECK(s.instruction == "pushl %eax");
  CHECK(s.event_kind == "nmi");
  CHECK(s.event == "an NMI arrives");
  CHECK(s.depth == 2);
  CHECK(s.registers == t.steps[0].registers);
  REQUIRE(s.memory.size() == 1);
  CHECK(s.memory[0].address == 0xff8100fcu);
  CHECK(s.memory[0].bytes == std::vector<uint8_t>{0x01, 0x00, 0xab, 0xff});
  CHECK(s.esp == 0xff8100fcu);
}

TEST_CASE("a malformed trace is an error at the JSON path, line and column") {
  CHECK(error_of("{\n  \"format\": \"entrycheck-trace\",\n}").find("t.json:3:1: invalid JSON") == 0);
  CHECK(error_of("[1, 2]") == "t.json:1:1: $: expected an object");
  CHECK(error_of(edited("\"entrycheck-trace\"", "\"other\"")) == "t.json:2:3: $.format: not an entrycheck trace");
  CHECK(error_of(edited("\"version\": 1", "\"version\": 2")) ==
        "t.json:3:3: $.version: this entrycheck reads trace format version 1");
  int esp = line_of("\"esp\": \"0xc2001f00\"");
  CHECK(error_of(edited("\"esp\": \"0xc2001f00\"", "\"esp\": \"0xc2001fzz\"")) ==
        "t.json:" + std::to_string(esp) + ":5: $.inputs.esp: expected a hex number up to 0xffffffffffffffff, got \"0xc2001fzz\"");
  int sel = line_of("\"0x0000007b\": true");
  CHECK(error_of(edited("\"0x0000007b\": true", "\"0x1007b\": true")) ==
        "t.json:" + std::to_string(sel) + ":5: $.selector_validity.0x1007b: expected a hex number up to 0x0000ffff, got \"0x1007b\"");
  CHECK(error_of(edited("\"0x0000007b\": true", "\"seven\": true")).find("$.selector_validity.seven: expected a hex number") !=
        std::string::npos);
  int bytes = line_of("\"bytes\": \"0100abff\"");
  CHECK(error_of(edited("\"bytes\": \"0100abff\"", "\"bytes\": \"0100abf\"")) ==
        "t.json:" + std::to_string(bytes) + ":11: $.steps[0].memory[0].bytes: expected an even number of hex digits");
  CHECK(error_of(edited("\"bytes\": \"0100abff\"", "\"bytes\": \"0100abgg\"")).find(
            "$.steps[0].memory[0].bytes: expected hex digits, got \"gg\"") != std::string::npos);
  int depth = line_of("\"depth\": 2");
  CHECK(error_of(edited("\"depth\": 2", "\"depth\": -2")) ==
        "t.json:" + std::to_string(depth) + ":7: $.steps[0].depth: expected an entry depth (0..1000)");
  int address = line_of("\"address\": \"0xc1000004\"");
  CHECK(error_of(edited("\"address\": \"0xc1000004\"", "\"address\": \"0x1c1000004\"")) ==
        "t.json:" + std::to_string(address) + ":7: $.steps[0].address: expected a hex number up to 0xffffffff, got \"0x1c1000004\"");
  CHECK(error_of(edited("\"cpu_profile\"", "\"cpu_profil\"")) == "t.json:1:1: $: missing key 'cpu_profile'");
}

TEST_CASE("a trace file that cannot be opened is an error naming it") {
  try {
    ec::trace_from_json_file("/nonexistent/t.json");
    FAIL("no error");
  } catch (const ec::InputError& e) {
    CHECK(e.diagnostic().render() == "/nonexistent/t.json: error: cannot open trace file\n");
  }
}

// The fields entrycheck 0.1.0 added round-trip, and traces written before
// them still read.
namespace ec {

TEST_CASE("trace JSON: entries, frame fields, PTI, expected context and the writer's version round-trip") {
  testing::TempDir dir;
  Trace t = test::seed_like_trace();
  t.frame_fields = {{"regs->bx", -48, 4, false}, {"regs->cs", 4, 2, true}};
  t.entries[0].last_step = 2;
  std::string text = trace_to_json_text(t);
  auto j = nlohmann::json::parse(text);
  CHECK(j["entrycheck_version"] == entrycheck_version());
  CHECK(j["entries"][0]["frame"] == "0x000010e4");
  CHECK(j["entries"][0]["hardware_frame"][1] == nlohmann::json({{"name", "CS"}, {"offset", 4}, {"size", 4}, {"selector", true}}));
  CHECK(j["violation"]["instruction"] == "iret");
  Trace back = trace_from_json_file(dir.write("t.json", text));
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
  testing::TempDir dir;
  auto j = nlohmann::json::parse(trace_to_json_text(test::seed_like_trace()));
  for (const char* key : {"entrycheck_version", "entries", "pti", "frame_fields"}) j.erase(key);
  j["violation"].erase("instruction");
  j["violation"].erase("expected");
  Trace old = trace_from_json_file(dir.write("old.json", j.dump()));
  CHECK(old.entrycheck_version.empty());
  CHECK(old.entries.empty());
  CHECK(!old.pti);
  CHECK(old.expected.empty());
  CHECK(old.steps.size() == 3);
  CHECK(!trace_to_text(old).empty());
}

TEST_CASE("trace JSON: a malformed new field is an input error naming its path") {
  testing::TempDir dir;
  auto j = nlohmann::json::parse(trace_to_json_text(test::seed_like_trace()));
  j["entries"][0]["first_step"] = -1;
  std::string path = dir.write("bad.json", j.dump());
  CHECK_THROWS_WITH_AS(trace_from_json_file(path), doctest::Contains("$.entries[0].first_step"), InputError);
  j = nlohmann::json::parse(trace_to_json_text(test::seed_like_trace()));
  j["pti"]["switch_mask"] = 4096;
  path = dir.write("bad2.json", j.dump());
  CHECK_THROWS_AS(trace_from_json_file(path), InputError);
}

}  // namespace ec

// entrycheck exec: state loading and small concrete runs (solver/exec_run).
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "model/asm/link.hpp"
#include "model/asm/parsed.hpp"
#include "model/program/program.hpp"
#include "model/exec/exec_run.hpp"
#include "tests/support/input_errors.hpp"

namespace {

using nlohmann::json;

ec::Program program_of(const std::string& text) {
  return ec::link_program(ec::parse_asm_text(text, "t.S", {}), ec::LinkOptions{});
}

std::string error_of(const std::function<void()>& f) { return ec::testing::input_error_of(f); }

}  // namespace

TEST_CASE("exec state: defaults for registers the file leaves out") {
  ec::ExecState st = ec::parse_exec_state(json::parse(R"({"registers": {"eax": "0x12", "EBX": 7}})"), "s.json");
  CHECK(st.registers.at("eax") == 0x12);
  CHECK(st.registers.at("ebx") == 7);
  CHECK(st.registers.at("ecx") == 0);
  CHECK(st.registers.at("esp") == 0x00800000);
  CHECK(st.registers.at("eflags") == 0x2);
  CHECK(st.registers.at("cs") == 0x73);
  CHECK(st.registers.at("ss") == 0x7b);
  CHECK(st.registers.at("ds") == 0);
  CHECK(st.memory.empty());
}

TEST_CASE("exec state: memory as values and as byte strings, little-endian") {
  ec::ExecState st = ec::parse_exec_state(json::parse(R"({"memory": [
      {"address": "0x1000", "value": "0xdeadbeef"},
      {"address": "0x2000", "value": "0xbeef", "size": 2},
      {"address": "2004", "bytes": "01 02 0a"}]})"),
                                          "s.json");
  CHECK(st.memory.at(0x1000) == 0xef);
  CHECK(st.memory.at(0x1003) == 0xde);
  CHECK(st.memory.at(0x2000) == 0xef);
  CHECK(st.memory.at(0x2001) == 0xbe);
  CHECK(st.memory.count(0x2002) == 0);
  CHECK(st.memory.at(0x2004) == 0x01);  // addresses are hex without 0x too
  CHECK(st.memory.at(0x2006) == 0x0a);
}

TEST_CASE("exec state: bad input is a located error") {
  CHECK(error_of([] { ec::parse_exec_state(json::parse(R"({"registers": {"exx": 1}})"), "s.json"); })
            .find("s.json: error: registers.exx: unknown register") != std::string::npos);
  CHECK(error_of([] { ec::parse_exec_state(json::parse(R"({"registers": {"ds": "0x10000"}})"), "s.json"); })
            .find("does not fit") != std::string::npos);
  CHECK(error_of([] { ec::parse_exec_state(json::parse(R"({"memory": [{"address": "0x10", "value": "zz"}]})"), "s.json"); })
            .find("memory[0].value: bad hex value") != std::string::npos);
  CHECK(error_of([] {
          ec::parse_exec_state(json::parse(R"({"memory": [{"address": 1, "bytes": "00 11"}, {"address": 2, "value": 1, "size": 1}]})"),
                               "s.json");
        }).find("given twice") != std::string::npos);
  CHECK(error_of([] { ec::parse_exec_state(json::parse(R"({"regs": {}})"), "s.json"); }).find("unknown key") !=
        std::string::npos);

  std::string path = "test_exec_bad_state.json";
  { std::ofstream(path) << "{\n  \"registers\": {\"eax\": 1,}\n}\n"; }
  CHECK(error_of([&] { ec::load_exec_state(path); }).find(path + ":2:") == 0);
  std::remove(path.c_str());
  CHECK(error_of([] { ec::load_exec_state("no/such/state.json"); }).find("no/such/state.json: error: cannot open") == 0);
}

TEST_CASE("exec run: stack, flags, memory written and the exec_end stop") {
  ec::Program p = program_of(
      "start:\n"
      "  movl $5, %eax\n"
      "  subl $7, %eax\n"      // CF=1, SF=1
      "  pushl %eax\n"
      "  pushl %ds\n"
      "  movl 4(%esp), %ebx\n"
      "  addl (%esp), %ebx\n"
      "  shll $3, %ecx\n"      // OF undefined (count > 1), AF undefined
      "exec_end:\n"
      "  movl $1, %edx\n");
  ec::ExecState st = ec::parse_exec_state(
      json::parse(R"({"registers": {"esp": "0x1000", "ds": "0x7b", "ecx": "0x40000001"},
                      "memory": [{"address": "0xff8", "value": "0xaaaaaaaa"}]})"),
      "s.json");
  ec::ExecOptions opt;
  opt.entry = "start";
  ec::ExecResult r = ec::run_exec(p, st, opt);
  CHECK(r.stop == "exec_end");
  CHECK(r.steps == 7);
  CHECK(r.registers.at("eax") == 0xfffffffe);
  CHECK(r.registers.at("esp") == 0xff8);
  CHECK(r.registers.at("ebx") == 0xfffffffe + 0x7b);
  CHECK(r.registers.at("ecx") == 0x8);
  CHECK(r.registers.at("edx") == 0);
  CHECK((r.eflags & 0x1) == 0);  // shl: last bit out of 0x40000001 << 3 is bit 29 = 0
  CHECK(r.undefined_flags == std::set<std::string>{"af", "of"});
  // push %ds zero-extends with the default --cpu zero-extend
  CHECK(r.written.at(0xff8) == 0x7b);
  CHECK(r.written.at(0xff9) == 0);
  CHECK(r.written.at(0xffb) == 0);
  CHECK(r.written.at(0xffc) == 0xfe);
  auto j = ec::exec_result_to_json(r);
  CHECK(j["memory"].size() == 2);
  CHECK(j["memory"][0]["address"] == "0x00000ff8");
  CHECK(j["memory"][0]["value"] == "0x0000007b");
  CHECK(j["flags"]["cf"] == 0);
  CHECK(j["segments"]["ds"] == "0x007b");

  SUBCASE("stale selector stores keep the upper half") {
    opt.segment_store = ec::SegmentStore::Stale;
    ec::ExecResult r2 = ec::run_exec(p, st, opt);
    CHECK(r2.written.at(0xff8) == 0x7b);
    CHECK(r2.written.count(0xffa) == 0);
    CHECK(r2.registers.at("ebx") == 0xfffffffe + 0xaaaa007b);
  }
}

TEST_CASE("exec run: runs to the end of the program; undefined flags clear when redefined") {
  ec::Program p = program_of(
      "a:\n"
      "  btl $3, %eax\n"   // OF SF AF PF undefined, ZF kept
      "  incl %eax\n"      // OF SF AF PF defined again, CF kept
      "  shrl $0, %eax\n"  // count 0: nothing changes
      "  std\n");
  ec::ExecState st = ec::default_exec_state();
  st.registers["eax"] = 0x8;
  ec::ExecOptions opt;
  opt.entry = "a";
  ec::ExecResult r = ec::run_exec(p, st, opt);
  CHECK(r.stop == "end");
  CHECK(r.registers.at("eax") == 9);
  CHECK((r.eflags & 0x1) == 1);      // bit 3 of 8 was set
  CHECK((r.eflags & 0x400) != 0);    // std
  CHECK(r.undefined_flags.empty());

  ec::Program q = program_of("a:\n  btl $3, %eax\n  shrl $0, %eax\n");
  CHECK(ec::run_exec(q, st, opt).undefined_flags == std::set<std::string>{"pf", "af", "sf", "of"});

  opt.entry = "nope";
  CHECK(error_of([&] { ec::run_exec(p, st, opt); }).find("no label 'nope'") != std::string::npos);
}

TEST_CASE("exec run: the step bound stops a loop") {
  ec::Program p = program_of("a:\n  incl %eax\n  jmp a\n");
  ec::ExecOptions opt;
  opt.entry = "a";
  opt.max_steps = 10;
  ec::ExecResult r = ec::run_exec(p, ec::default_exec_state(), opt);
  CHECK(r.stop == "max-steps");
  CHECK(r.registers.at("eax") == 5);
  CHECK_FALSE(r.ok());
}

// reports.cpp, SARIF: a violation's code flow walks the trace step by step,
// each location at its source line with what the step changed, and ends at
// the violating instruction.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "model/base/version.hpp"
#include "solver/report/reports.hpp"
#include "tests/support/trace_fixture.hpp"

using namespace ec;

TEST_CASE("SARIF code flow: one location per step with what it changed, the violation last") {
  Verdict v;
  v.kind = Verdict::Kind::Violated;
  v.spec = "x";
  v.scenario = "irq-from-kernel";
  v.profile = "stale";
  v.invariant = "resume";
  v.trace = test::seed_like_trace();
  v.message = v.trace->message;
  auto log = nlohmann::json::parse(verdicts_to_sarif({v}));
  CHECK(log["runs"][0]["tool"]["driver"]["version"] == entrycheck_version());
  const auto& flow = log["runs"][0]["results"][0]["codeFlows"][0];
  CHECK(flow["message"]["text"] == "resume violated: the interrupted context is not resumed: esp differ");
  const auto& steps = flow["threadFlows"][0]["locations"];
  REQUIRE(steps.size() == 4);  // three steps and the violating instruction
  auto message = [&](size_t i) { return steps[i]["location"]["message"]["text"].get<std::string>(); };
  CHECK(message(0).rfind("#hw <hardware delivers vector 32> [exception: vector 32 from kernel mode]: eflags=", 0) == 0);
  CHECK(message(0).find("[#1 CS]=80000060 (high half 0x8000 stale") != std::string::npos);
  CHECK(message(1) == "#0 andl $~(1 << 31), 4(%esp): eflags=0x00000006 (PF) [#1 CS]=00000060");
  CHECK(steps[1]["location"]["physicalLocation"]["region"]["startLine"] == 9);
  CHECK(message(3) == "#2 iret: resume violated: the interrupted context is not resumed: esp differ");
  CHECK(steps[3]["location"]["physicalLocation"]["region"]["startLine"] == 23);
  CHECK(steps[3]["importance"] == "essential");
  CHECK(steps[3]["executionOrder"] == 3);
}

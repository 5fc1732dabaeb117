// trace_text.cpp: the compact listing (default) and the full one.
#include <doctest/doctest.h>

#include <algorithm>

#include "solver/trace/trace.hpp"
#include "tests/support/trace_fixture.hpp"

using namespace ec;

namespace {

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("compact: one line per step with what it changed, the violation last with the stacks once") {
  std::string text = trace_to_text(test::seed_like_trace());
  CHECK(has(text, "#hw      entry.S:20      <hardware delivers vector 32>  ** exception: vector 32 from kernel mode  -> "));
  CHECK(has(text, "[#1 CS]=80000060 (high half 0x8000 stale: never written, marker bit 31 CS_FROM_ENTRY_STACK)"));
  CHECK(has(text, "#0       entry.S:9       andl $~(1 << 31), 4(%esp)  {CLEAR_MARK@21}  -> eflags=0x00000006 (PF) [#1 CS]=00000060\n"));
  CHECK(has(text, "\nviolation at #2  entry.S:23  iret: the interrupted context is not resumed: esp differ\n"));
  CHECK(has(text, "expected vs actual:  esp 0x000010f0 vs 0x000010f4 (violated)  (5 more equal)\n"));
  // The stacks once: ESP and the slots an IRET would pop, the live frame
  // labelled, the CS slot with what the CPU left there at delivery.
  CHECK(has(text, "task_stack (top 0x00001100, esp here)\n"));
  CHECK(has(text, "  esp> 0x000010e0  ffffffff\n"));
  CHECK(has(text, "       0x000010e8  00000060    #1 CS (delivered 80000060: high half 0x8000 stale: never written, "
                  "marker bit 31 CS_FROM_ENTRY_STACK)\n"));
  CHECK(has(text, "       0x000010f0  ????????\n"));  // the interrupted ESP: never read nor written
  CHECK(!has(text, "regs:"));                          // the full listing's per-step blocks
  CHECK(lines(text) < 25);
}

TEST_CASE("compact: pushes, pops and string iterations fold into one line") {
  Trace t = test::seed_like_trace();
  TraceStep push = t.steps[2];
  t.steps.resize(2);
  for (uint32_t i = 0; i < 3; ++i) {
    push.index = 1 + i;
    push.location = "missing/entry.S:" + std::to_string(30 + i) + ":2";
    push.instruction = i == 0 ? "pushl %eax" : i == 1 ? "pushl %ebx" : "pushl %ecx";
    push.esp = 0x10e0 - 4 * i;
    push.registers = {{"esp", push.esp}};
    push.memory = {{push.esp, {static_cast<uint8_t>(i), 0, 0, 0}}};
    t.steps.push_back(push);
  }
  std::string text = trace_to_text(t);
  CHECK(has(text, "#1..3    entry.S:30-32   pushl x3: %eax %ebx %ecx  -> esp=0x000010d8 [task_stack top-0x20]=00000000 "
                  "[task_stack top-0x24]=00000001 [task_stack top-0x28]=00000002\n"));
  CHECK(!has(text, "\n#2 "));
}

TEST_CASE("--from/--to cut the steps; --full prints every step with its stacks") {
  Trace t = test::seed_like_trace();
  std::string cut = trace_to_text(t, TextOptions{false, 1, 1});
  CHECK(!has(cut, "#hw"));
  CHECK(!has(cut, "#0 "));
  CHECK(has(cut, "#1       entry.S:22      pushl $-1"));
  CHECK(has(cut, "violation at #2"));  // the violation is always shown
  std::string full = trace_to_text(t, TextOptions{true, 0, SIZE_MAX});
  CHECK(has(full, "#hw  missing/entry.S:20:2  [depth 1]  <hardware delivers vector 32>\n"));
  CHECK(has(full, "        in CLEAR_MARK at missing/entry.S:21:2\n"));
  CHECK(has(full, "0x000010e8  80000060 *"));
  CHECK(has(full, "violated:\n  - esp\n"));
  std::string full_cut = trace_to_text(t, TextOptions{true, 1, 5});
  CHECK(!has(full_cut, "#hw"));
  CHECK(has(full_cut, "#1  missing/entry.S:22:2"));
}

// trace_view.cpp: byte origins, frame-slot names, register decoding and
// "what a step changed". Expected values worked out by hand from the
// fixture (trace_fixture.hpp) and the SDM's frame layout.
#include <doctest/doctest.h>

#include "solver/trace/trace_view.hpp"
#include "tests/support/trace_fixture.hpp"

using namespace ec;

TEST_CASE("hardware frame: EIP at the origin, then CS, EFLAGS; ESP, SS from user; ES..GS from vm86") {
  // SDM Vol.3 6.12.1 (Figure 6-4) and INT n's INTERRUPT-FROM-VIRTUAL-8086-MODE:
  // pushed GS, FS, DS, ES, SS, ESP, EFLAGS, CS, EIP, so upwards from EIP.
  auto kernel = hardware_frame_fields("kernel", false);
  REQUIRE(kernel.size() == 3);
  CHECK(kernel[0].name == "EIP");
  CHECK(kernel[1].name == "CS");
  CHECK(kernel[1].offset == 4);
  CHECK(kernel[1].selector);
  CHECK(!kernel[2].selector);
  auto user = hardware_frame_fields("user", true);
  REQUIRE(user.size() == 6);
  CHECK(user[0].name == "error code");
  CHECK(user[0].offset == -4);
  CHECK(user[4].name == "ESP");
  CHECK(user[4].offset == 12);
  CHECK(user[5].name == "SS");
  CHECK(user[5].offset == 16);
  CHECK(user[5].selector);
  auto vm86 = hardware_frame_fields("vm86", false);
  REQUIRE(vm86.size() == 9);
  CHECK(vm86[5].name == "ES");
  CHECK(vm86[5].offset == 20);
  CHECK(vm86[8].name == "GS");
  CHECK(vm86[8].offset == 32);
}

TEST_CASE("memory image: spec bytes, stale bytes (read, never written), bytes written by a step") {
  Trace t = test::seed_like_trace();
  MemoryImage mem(t);
  CHECK(mem.byte(0x2000)->origin == ByteOrigin::Spec);
  CHECK(mem.hex(0x2000) == "00001100");
  CHECK(mem.byte(0x10eb)->origin == ByteOrigin::Stale);
  CHECK(mem.byte(0x10e8) == nullptr);  // neither read nor written yet
  CHECK(mem.hex(0x10e8) == "8000????");
  CHECK(!mem.value(0x10e8));
  mem.apply(t.steps[0], 0);
  CHECK(mem.hex(0x10e8) == "80000060");
  CHECK(*mem.value(0x10e8) == 0x80000060u);
  CHECK(mem.any_stale(0x10e8, 4));
  CHECK(!mem.any_stale(0x10e8, 2));
  CHECK(mem.byte(0x10e8)->writer == 0);
  mem.apply(t.steps[1], 1);
  CHECK(mem.hex(0x10e8) == "00000060");
  CHECK(!mem.any_stale(0x10e8, 4));
  CHECK(mem.byte(0x10eb)->writer == 1);
}

TEST_CASE("selector slot notes: a stale high half and the CS_FROM_* marks") {
  Trace t = test::seed_like_trace();
  MemoryImage mem(t);
  mem.apply(t.steps[0], 0);
  CHECK(selector_slot_note(mem, 0x10e8, true) == "high half 0x8000 stale: never written, marker bit 31 CS_FROM_ENTRY_STACK");
  CHECK(selector_slot_note(mem, 0x10e8, false) == "high half 0x8000 stale: never written");
  mem.apply(t.steps[1], 1);
  CHECK(selector_slot_note(mem, 0x10e8, true) == "");
  CHECK(marker_note(0x60000060) == "bit 30 CS_FROM_USER_CR3, bit 29 CS_FROM_KERNEL");
  CHECK(marker_note(0x0000ffff) == "");
}

TEST_CASE("live entries and frame slot names") {
  Trace t = test::seed_like_trace();
  CHECK(live_entries(t, 0) == std::vector<size_t>{0});
  CHECK(live_entries(t, t.steps.size()) == std::vector<size_t>{0});  // the violating IRET retires it
  t.entries[0].last_step = 2;
  CHECK(live_entries(t, 1) == std::vector<size_t>{0});
  CHECK(live_entries(t, 2).empty());
  t.entries[0].last_step.reset();
  t.frame_fields = {{"regs->ip", 0, 4, false}, {"regs->bx", -48, 4, false}};
  auto slots = frame_slots(t, {0});
  REQUIRE(slots.size() == 5);
  CHECK(slots[1].label == "#1 CS");
  CHECK(slots[1].address == 0x10e8);
  CHECK(slots[4].label == "#1 regs->bx");
  CHECK(slots[4].address == 0x10b4);
  CHECK(slot_at(slots, 0x10e4)->label == "#1 EIP");  // the hardware's name first
  CHECK(slot_at(slots, 0x10eb)->label == "#1 CS");
  CHECK(slot_at(slots, 0x10b4)->label == "#1 regs->bx");
  CHECK(slot_at(slots, 0x10f0) == nullptr);
  // A second, nested entry whose frame overlaps: the innermost names the slot.
  TraceEntry inner = t.entries[0];
  inner.first_step = 1;
  t.entries.push_back(inner);
  auto both = frame_slots(t, {0, 1});
  CHECK(slot_at(both, 0x10e8)->label == "#2 CS");
}

TEST_CASE("names for people: regions, EFLAGS, selectors, CR3") {
  Trace t = test::seed_like_trace();
  CHECK(region_offset_name(t, 0x10e0) == "task_stack top-0x20");
  CHECK(region_offset_name(t, 0x2004) == "percpu+0x4");
  CHECK(region_offset_name(t, 0x3000) == "0x00003000");
  CHECK(eflags_flags(0x202) == "IF");
  CHECK(eflags_flags(0x3046) == "PF ZF IOPL=3");
  CHECK(eflags_flags(0x2) == "none");
  CHECK(eflags_flags(0x20000) == "VM");
  CHECK(selector_fields(0x7b) == "index 15, GDT, RPL 3");
  CHECK(selector_fields(0x60) == "index 12, GDT, RPL 0");
  CHECK(selector_fields(0x0f) == "index 1, LDT, RPL 3");
  CHECK(cr3_name(t, 0x1000) == "user");
  CHECK(cr3_name(t, 0x2000) == "kernel");
  t.pti->enabled = false;
  CHECK(cr3_name(t, 0x1000) == "kernel");
  t.pti.reset();
  CHECK(cr3_name(t, 0x1000) == "");
  CHECK(register_value("cs", 0x60) == "0x0060");
  CHECK(register_value("esp", 0x60) == "0x00000060");
}

TEST_CASE("what each step changed, by name") {
  Trace t = test::seed_like_trace();
  auto texts = step_change_texts(t);
  REQUIRE(texts.size() == 3);
  CHECK(texts[0] ==
        "eflags=0x00000002 (none) esp=0x000010e4 [#1 EIP]=00000000 [#1 CS]=80000060 (high half 0x8000 stale: never "
        "written, marker bit 31 CS_FROM_ENTRY_STACK) [#1 EFLAGS]=00000202");
  CHECK(texts[1] == "eflags=0x00000006 (PF) [#1 CS]=00000060");
  CHECK(texts[2] == "esp=0x000010e0 [task_stack top-0x20]=ffffffff");
}

TEST_CASE("many unnamed slots of one region are summarised") {
  Trace t = test::seed_like_trace();
  TraceStep copy = t.steps[2];
  copy.memory.clear();
  for (uint32_t a = 0x1010; a < 0x1028; a += 4) copy.memory.push_back({a, {1, 2, 3, 4}});
  t.steps = {copy};
  t.entries.clear();
  MemoryImage mem(t);
  mem.apply(t.steps[0], 0);
  CHECK(changes_text(t, 0, 0, mem) == "esp=0x000010e0 6 slots [task_stack top-0xf0 .. task_stack top-0xdc]");
}

TEST_CASE("locations, statements, the violation's step number") {
  CHECK(short_location("examples/pti32-entry-stack/entry.S:195:2") == "entry.S:195");
  CHECK(short_location("entry.S:195") == "entry.S:195");
  CHECK(short_location("entry.S") == "entry.S");
  CHECK(invariant_statement("resume").find("interrupted context is back") != std::string::npos);
  CHECK(invariant_statement("no-such") == "");
  Trace t = test::seed_like_trace();
  CHECK(violation_index(t) == 2);
  t.steps.resize(1);  // only the delivery: the violating instruction is the first, #0
  CHECK(violation_index(t) == 0);
}

// A small hand-made trace shaped like the seed's counterexample: vector 32
// from kernel mode on a CPU that stores only the selector of CS, so the CS
// slot's high half keeps the 0x8000 that was in memory (bit 31: the entry
// code's "came from the entry stack" mark); then the exit path clears the
// mark, and the outermost IRET leaves ESP wrong.
//
//   task_stack  0x1000..0x1100 (stack)     percpu 0x2000..0x2100
//   interrupted ESP 0x10f0; the frame: EIP 0x10e4, CS 0x10e8, EFLAGS 0x10ec
#pragma once
#include "solver/trace/trace.hpp"

namespace ec::test {

inline Trace seed_like_trace() {
  Trace t;
  t.spec_path = "specs/x.json";
  t.spec_name = "x";
  t.scenario = "irq-from-kernel";
  t.profile = "stale";
  t.invariant = "resume";
  t.layout = {{"task_stack", 0x1000, 0x100, true}, {"percpu", 0x2000, 0x100, false}};
  t.initial_dwords = {{0x2000, 0x1100}};
  // The run read the CS slot's high half before anything wrote it.
  t.inputs = {{"mem0@0x10ea", 0x00}, {"mem0@0x10eb", 0x80}, {"nmi@1", 0}};
  t.interrupted = {{"esp", 0x10f0}, {"cs", 0x60}, {"ss", 0x68}, {"eflags", 0x202}, {"eip", 0}, {"cr3", 0}};
  TraceStep delivery;
  delivery.index = 0;
  delivery.location = "missing/entry.S:20:2";
  delivery.instruction = "<hardware delivers vector 32>";
  delivery.event_kind = "exception";
  delivery.event = "vector 32 from kernel mode";
  delivery.depth = 1;
  delivery.esp = 0x10e4;
  delivery.registers = {{"esp", 0x10e4}, {"eflags", 0x2}};
  delivery.memory = {{0x10e4, {0, 0, 0, 0}}, {0x10e8, {0x60, 0x00}}, {0x10ec, {0x02, 0x02, 0, 0}}};
  TraceStep clear;
  clear.index = 0;
  clear.location = "missing/entry.S:9:2";
  clear.expanded_from = {"CLEAR_MARK at missing/entry.S:21:2"};
  clear.instruction = "andl $~(1 << 31), 4(%esp)";
  clear.depth = 1;
  clear.esp = 0x10e4;
  clear.registers = {{"eflags", 0x6}};
  clear.memory = {{0x10ea, {0x00, 0x00}}};
  TraceStep push;
  push.index = 1;
  push.location = "missing/entry.S:22:2";
  push.instruction = "pushl $-1";
  push.depth = 1;
  push.esp = 0x10e0;
  push.registers = {{"esp", 0x10e0}};
  push.memory = {{0x10e0, {0xff, 0xff, 0xff, 0xff}}};
  t.steps = {delivery, clear, push};
  TraceEntry entry;
  entry.first_step = 0;
  entry.vector = 32;
  entry.from = "kernel";
  entry.frame = 0x10e4;
  entry.hardware_frame = hardware_frame_fields("kernel", false);
  t.entries = {entry};
  t.pti = TracePti{true, 0x1000};
  t.violated = {"esp"};
  t.message = "the interrupted context is not resumed: esp differ";
  t.location = "missing/entry.S:23:2";
  t.violation_instruction = "iret";
  t.expected = t.interrupted;
  t.final_state = t.interrupted;
  t.final_state["esp"] = 0x10f4;
  return t;
}

}  // namespace ec::test

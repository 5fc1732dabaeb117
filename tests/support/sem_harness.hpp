// A small rig for semantic-rule tests: assemble a snippet, describe the
// machine, set up a concrete State, step it, and read the results back.
//
//   Rig r("\taddl %ebx, %eax\n");
//   r.set(Reg::EAX, 1); r.set(Reg::EBX, 2);
//   r.run();
//   CHECK(r.get(Reg::EAX) == 3);
//
// The rig owns program, config, domain, state and machine; the machine holds
// references to the others, so a rig is neither copied nor moved.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/asm/link.hpp"
#include "model/asm/parsed.hpp"
#include "model/exec/concrete_domain.hpp"
#include "model/machine/machine_config.hpp"
#include "model/program/program.hpp"
#include "model/semantics/step.hpp"
#include "model/machine/state.hpp"

namespace ec::semtest {

using CD = ConcreteDomain;
using CState = State<CD>;

inline constexpr uint32_t kTextBase = 0xc1000000;
inline constexpr uint32_t kFsBase = 0x00a00000;  // base of the per-CPU selector 0xd8

struct RigOptions {
  uint32_t text_base = kTextBase;
  std::map<std::string, int64_t> constants;
  SegmentStore segment_store = SegmentStore::ZeroExtend;
  std::map<int, std::string> gates;  // vector -> label of its entry point
  std::map<std::string, HandlerContract> handlers;
  bool nmi = false;  // NMIs off unless a test is about them
  uint32_t nmi_clobber_bytes = 16;
  uint32_t call_clobber_bytes = 16;
  uint32_t tss_base = 0x00005000;
  std::vector<Region> regions;

  // Fluent setters: Rig r(text, RigOptions().gate(13, "gp").store(SegmentStore::Stale));
  RigOptions& store(SegmentStore v) { segment_store = v; return *this; }
  RigOptions& gate(int vector, const std::string& label) { gates[vector] = label; return *this; }
  RigOptions& handler(const std::string& name, const HandlerContract& h) { handlers[name] = h; return *this; }
  RigOptions& constant(const std::string& name, int64_t v) { constants[name] = v; return *this; }
  RigOptions& with_nmi(uint32_t clobber_bytes) { nmi = true; nmi_clobber_bytes = clobber_bytes; return *this; }
};

// The selectors of a Linux 32-bit GDT the tests use.
inline std::vector<KnownSelector> linux_selectors() {
  return {
      {"__KERNEL_CS", 0x60, 0, 0, true},
      {"__KERNEL_DS", 0x68, 0, 0},
      {"__KERNEL_PERCPU", 0xd8, kFsBase, 0},
      {"__USER_CS", 0x73, 0, 3, true},
      {"__USER_DS", 0x7b, 0, 3},
  };
}

inline Program assemble(const std::string& text, const RigOptions& o) {
  LinkOptions link;
  link.text_base = o.text_base;
  link.constants = o.constants;
  return link_program(parse_asm_text(text, "sem.S", FrontEndOptions{}), link);
}

struct Rig {
  Program program;
  MachineConfig config;
  CD d;
  CState s;
  Machine<CD> m{d, program, config, {}};

  explicit Rig(const std::string& text, const RigOptions& o = {}) : program(assemble(text, o)) {
    config.profile.name = "test";
    config.profile.segment_store = o.segment_store;
    config.regions = o.regions;
    config.selectors = linux_selectors();
    config.kernel_cs = 0x60;
    config.kernel_ss = 0x68;
    config.tss_base = o.tss_base;
    config.handlers = o.handlers;
    for (auto& [name, h] : config.handlers) h.name = name;
    for (const auto& [vector, label] : o.gates) {
      REQUIRE_MESSAGE(program.labels.count(label), "no label " << label);
      config.idt[vector] = IdtGate{vector, label, program.labels.at(label)};
    }
    config.bounds.nmi = o.nmi;
    config.bounds.nmi_clobber_bytes = o.nmi_clobber_bytes;
    config.bounds.call_clobber_bytes = o.call_clobber_bytes;

    // A kernel-mode context: registers zero, flat kernel segments, flags clear.
    for (auto& g : s.gpr) g = CD::mk(0, 32);
    s.seg[SEG_ES] = CD::mk(0x7b, 16);
    s.seg[SEG_CS] = CD::mk(0x60, 16);
    s.seg[SEG_SS] = CD::mk(0x68, 16);
    s.seg[SEG_DS] = CD::mk(0x7b, 16);
    s.seg[SEG_FS] = CD::mk(0xd8, 16);
    s.seg[SEG_GS] = CD::mk(0, 16);
    s.cr3 = CD::mk(0, 32);
    set_flags(false);
    s.tf = s.iflag = s.df = false;
    s.eflags_rest = CD::mk(0, 32);
    s.resumed_eip = CD::mk(0, 32);
    s.cpl = 0;
    s.pc = 0;
    s.step = 0;
  }
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;

  // ---- registers (any width, %ah included) ----
  void set(Reg r, uint32_t v) { m.set_reg(s, r, CD::mk(v, reg_info(r).width_bits)); }
  uint32_t get(Reg r) { return m.get_reg(s, r).v; }
  void set_seg(int index, uint32_t sel) { s.seg[index] = CD::mk(sel, 16); }
  uint32_t seg(int index) const { return s.seg[index].v; }
  uint32_t esp() const { return s.gpr[R_ESP].v; }

  // ---- the six arithmetic flags ----
  void set_flags(bool v) { s.cf = s.pf = s.af = s.zf = s.sf = s.of = v; }
  uint32_t eflags() { return m.eflags(s).v; }
  void set_eflags(uint32_t v) {
    m.set_eflags(s, CD::mk(v, 32), FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF |
                                       kEflagsRestMask);
  }

  // ---- memory ----
  void poke(uint32_t a, uint32_t v, int bytes = 4) {
    m.write(s, a, CD::mk(v, 8 * bytes), bytes, Access::Foreign, Writer::Initial);
  }
  uint32_t peek(uint32_t a, int bytes = 4) {
    for (int i = 0; i < bytes; ++i) REQUIRE_MESSAGE(s.mem.count(a + i), "byte " << hex32(a + i) << " never written");
    return m.read(s, a, bytes).v;
  }
  bool written(uint32_t a) const { return s.mem.count(a) != 0; }

  // ---- program ----
  size_t label(const std::string& name) const {
    REQUIRE_MESSAGE(program.labels.count(name), "no label " << name);
    return program.labels.at(name);
  }
  uint32_t address(const std::string& name) const { return program.address_of(label(name)); }

  // ---- running ----
  StepEvent run(int steps = 1) {
    StepEvent ev;
    for (int i = 0; i < steps; ++i) ev = step(m, s);
    return ev;
  }
};

// A live entry record for State::entries (only the fields IRET looks at).
// The kind of MachineStop `f` throws; fails the test when it throws none.
template <class F>
std::optional<StopKind> stop_kind_of(F&& f) {
  try {
    f();
  } catch (const MachineStop& stop) {
    return stop.kind;
  }
  return std::nullopt;
}

inline auto entry_record(int vector, bool from_user, uint32_t frame_esp) {
  typename decltype(CState::entries)::value_type e{};
  e.vector = vector;
  e.from_user = from_user;
  e.frame_esp = frame_esp;
  return e;
}

// Flags the tests compare, -1 where the SDM leaves a flag undefined.
struct Flags {
  int cf = -1, of = -1, sf = -1, zf = -1, pf = -1, af = -1;
};

inline void check_flags(const CState& s, const Flags& f) {
  if (f.cf >= 0) CHECK(s.cf == (f.cf == 1));
  if (f.of >= 0) CHECK(s.of == (f.of == 1));
  if (f.sf >= 0) CHECK(s.sf == (f.sf == 1));
  if (f.zf >= 0) CHECK(s.zf == (f.zf == 1));
  if (f.pf >= 0) CHECK(s.pf == (f.pf == 1));
  if (f.af >= 0) CHECK(s.af == (f.af == 1));
}

// The accumulator/base register of a width: eax/ax/al, ebx/bx/bl, ecx/cx/cl.
inline const char* acc(int bits) { return bits == 8 ? "%al" : bits == 16 ? "%ax" : "%eax"; }
inline const char* basereg(int bits) { return bits == 8 ? "%bl" : bits == 16 ? "%bx" : "%ebx"; }
inline char suffix(int bits) { return bits == 8 ? 'b' : bits == 16 ? 'w' : 'l'; }
inline Reg acc_reg(int bits) { return bits == 8 ? Reg::AL : bits == 16 ? Reg::AX : Reg::EAX; }
inline Reg base_reg(int bits) { return bits == 8 ? Reg::BL : bits == 16 ? Reg::BX : Reg::EBX; }

}  // namespace ec::semtest

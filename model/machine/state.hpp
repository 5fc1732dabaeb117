// The machine state along one path: a plain value, copied at every fork.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/base/registers.hpp"

namespace ec {

// EFLAGS bits.
enum : uint32_t {
  FL_CF = 1u << 0, FL_FIXED1 = 1u << 1, FL_PF = 1u << 2, FL_AF = 1u << 4, FL_ZF = 1u << 6,
  FL_SF = 1u << 7, FL_TF = 1u << 8, FL_IF = 1u << 9, FL_DF = 1u << 10, FL_OF = 1u << 11,
  FL_IOPL = 3u << 12, FL_NT = 1u << 14, FL_RF = 1u << 16, FL_VM = 1u << 17, FL_AC = 1u << 18,
  FL_VIF = 1u << 19, FL_VIP = 1u << 20, FL_ID = 1u << 21,
};
// Bits kept in State::eflags_rest (everything but the individually held flags).
inline constexpr uint32_t kEflagsRestMask = FL_IOPL | FL_NT | FL_RF | FL_VM | FL_AC | FL_VIF | FL_VIP | FL_ID;
// Bits `resume` compares: all architectural flags but RF, which delivery and
// IRET manage for the debugger, not for the interrupted code.
inline constexpr uint32_t kEflagsResumeMask =
    FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF | FL_IOPL | FL_NT |
    FL_VM | FL_AC | FL_VIF | FL_VIP | FL_ID;

// One live entry into the kernel (delivery not yet undone by IRET).
template <class V>
struct EntryRecord {
  int vector = 0;
  bool from_user = false;
  size_t step = 0;          // step index of the delivery
  uint32_t frame_esp = 0;   // ESP after the hardware frame was pushed
  V cr3;                    // CR3 when the entry interrupted its context
  bool handler_called = false;  // a C handler ran while this entry was the innermost (handler-stack)
  V pushed_eip;             // the EIP the hardware saved for this entry (the vector's frame; SYSENTER: none)
  bool error_code = false;  // the frame has an error code below EIP (frame_esp points at it)
  bool from_vm86 = false;   // the frame has ES, DS, FS, GS above SS
};

// What the invariant monitors remember along a path (solver/invariants/).
struct MonitorMemory {
  std::map<uint32_t, size_t> nmi_exposed;  // byte -> last NMI point it lay below ESP since written
  int copy_source_region = -1;             // regions of the rep movs under way
  int copy_dest_region = -1;
};

template <class D>
struct Machine;

// The bytes written on a path (8-bit values by address). Anyone may read
// them; only Machine<D>'s write funnel (Machine::write, Machine::clobber)
// may change them, so that no write escapes the invariant monitors
// (issue 11.1: one funnel, not a rule to remember).
template <class D>
class Memory {
 public:
  using V = typename D::Val;
  using Map = std::map<uint32_t, V>;
  using const_iterator = typename Map::const_iterator;
  const_iterator begin() const { return bytes_.begin(); }
  const_iterator end() const { return bytes_.end(); }
  const_iterator find(uint32_t a) const { return bytes_.find(a); }
  const_iterator lower_bound(uint32_t a) const { return bytes_.lower_bound(a); }
  size_t count(uint32_t a) const { return bytes_.count(a); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

 private:
  friend struct Machine<D>;
  void put(uint32_t a, const V& v) { bytes_.insert_or_assign(a, v); }
  Map bytes_;
};

template <class D>
struct State {
  using V = typename D::Val;
  using B = typename D::Bool;

  std::array<V, kNumGeneral> gpr;
  std::array<V, kNumSegment> seg;  // 16-bit selectors
  V cr3;
  B cf, pf, af, zf, sf, of, tf, iflag, df;
  V eflags_rest;                   // 32-bit, only kEflagsRestMask bits
  Memory<D> mem;                   // bytes written on this path (written only through Machine's funnel)

  size_t pc = 0;                   // index of the next instruction
  int cpl = 0;
  size_t step = 0;                 // instruction boundaries passed (names inputs)
  std::vector<B> path;             // path condition (symbolic domain)
  std::vector<EntryRecord<V>> entries;
  MonitorMemory monitor;
  bool nmi_blocked = false;
  bool nmi_arrived = false;        // NmiEncoding::PerArrival: this path's first NMI has arrived
  bool ss_shadow = false;          // the last instruction loaded SS: no single-step trap after it
  bool resumed = false;            // the outermost IRET retired
  V resumed_eip;
  // A C function whose contract says it never returns was called: the path
  // ends without resuming, legitimately (the task exits or leaves this frame).
  bool gone = false;
  // The interrupted context as C code rewrote it through the outermost
  // entry's saved frame (contract `writes`): item ("eip", "eflags", "eax",
  // "cs", ...) -> the value the return must bring back instead.
  std::map<std::string, V> context_rewrites;
};

}  // namespace ec

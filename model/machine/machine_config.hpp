// What the semantics needs to know about the machine beyond the program:
// layout, selectors, IDT, C-handler contracts, the CPU profile and bounds.
// Filled from a spec (solver/spec.cpp); plain data, no Z3.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ec {

// What the upper 16 bits of a dword slot hold after the CPU stores a
// selector into it (interrupt frames, push %sreg, movl %sreg to a register).
enum class SegmentStore { ZeroExtend, Stale, Any };

struct CpuProfile {
  std::string name = "any";
  SegmentStore segment_store = SegmentStore::Any;
  std::set<std::string> features;  // for ALTERNATIVE
  bool pti = false;                // page-table isolation: a user CR3 maps only user_mapped regions
};

// The 32-bit PTI CR3 pair: user CR3 = kernel CR3 | switch_mask (FACTS §7).
struct PtiLayout {
  uint32_t switch_mask = 0x1000;
};

struct Region {
  std::string name;
  uint32_t base = 0;
  uint32_t size = 0;
  bool user_mapped = false;  // mapped under the user CR3 when PTI is on
  bool stack = false;        // pushes and pops may use it
  bool contains(uint32_t a) const { return a - base < size; }
  uint32_t top() const { return base + size; }
};

// A selector the kernel controls (GDT entries): it always loads, and has a
// known base and DPL. Any other non-null selector may fault when loaded.
struct KnownSelector {
  std::string name;
  uint16_t value = 0;
  uint32_t base = 0;
  int dpl = 0;
  bool code = false;  // a code segment: IRET may load it into CS, never into SS
};

// A value C code may produce under its contract: any value, or one of a list.
struct ContractValue {
  std::vector<uint32_t> one_of;  // empty: any value
};

// A field of the saved frame (struct pt_regs) a C function may rewrite:
// signal delivery sets regs->ip/sp/flags, the SYSENTER fast path's C code
// decides the return path, ptrace writes registers.
struct FrameWrite {
  std::string field;     // pt_regs name: "ip", "flags", "ax", ...
  uint32_t offset = 0;   // from the spec's PT_* constant
  int bytes = 4;         // selector fields are 16-bit in C (unsigned short + padding)
  std::string context;   // the interrupted-context item it sets ("eip", "eflags", "eax", "cs"), or "" (orig_ax)
  ContractValue value;
};

struct HandlerContract {
  std::string name;
  std::vector<int> clobbers = {0, 1, 2};  // eax, ecx, edx (the C calling convention)
  bool may_sleep = false;                  // the per-CPU entry stack may be reused meanwhile
  bool fixup = false;                      // applies the exception table to regs->ip
  int regs_arg = 0;                        // register holding the pt_regs pointer
  bool regs_named = false;                 // the spec names `regs`: handler-stack checks the argument
  uint32_t ip_offset = 0x30;               // offsetof(struct pt_regs, ip)
  bool returns = true;                     // false: "returns": "never" (the task never comes back to this frame)
  std::map<int, ContractValue> return_values;  // register -> what it may hold on return
  std::vector<FrameWrite> frame_writes;    // regs fields it may rewrite (needs `regs`)
};

struct IdtGate {
  int vector = 0;
  std::string label;
  size_t entry_index = 0;
  bool calls_handler = true;  // handler-stack: the entry must call a C handler before its IRET
};

struct Bounds {
  int nesting = 2;                  // entries live at once, the outermost included
  bool nmi = true;                  // an NMI may arrive at every instruction boundary
  uint32_t nmi_clobber_bytes = 64;  // what an NMI may overwrite below ESP
  bool nmi_leaves_entry_stack = true;  // an NMI on the entry stack also runs at the task stack's top
  uint32_t call_clobber_bytes = 256;  // what a C handler may overwrite below ESP
  size_t max_steps = 20000;         // per path
};

// A descriptor-table register (GDTR): what SGDT stores.
struct DescriptorTableRegister {
  uint32_t base = 0;
  uint16_t limit = 0;
};

struct MachineConfig {
  CpuProfile profile;
  // The GDTR the platform loaded (SGDT stores it); unset: unknown, and SGDT
  // cuts the path rather than store a made-up value.
  std::optional<DescriptorTableRegister> gdtr;
  std::vector<Region> regions;
  std::vector<KnownSelector> selectors;
  uint16_t kernel_cs = 0x60;
  uint16_t kernel_ss = 0x68;
  uint32_t tss_base = 0;  // 32-bit TSS: ESP0 at +4, SS0 at +8
  std::map<std::string, HandlerContract> handlers;
  std::map<int, IdtGate> idt;
  Bounds bounds;
  // How NMI arrival is explored (docs/performance.md): one free Boolean per
  // boundary, so one path covers every subset of arrival points; or one path
  // per first arrival point (later arrivals on it stay symbolic). Both cover
  // exactly the same runs; the second is kept for cross-checking.
  enum class NmiEncoding { Symbolic, PerArrival } nmi_encoding = NmiEncoding::Symbolic;
  std::vector<std::pair<uint32_t, uint32_t>> initial_dwords;  // address, value

  PtiLayout pti;
  uint16_t percpu_selector = 0xd8;  // the kernel's %fs
  // %ds and %es the C environment expects at a handler call (handler-stack);
  // unset: not checked.
  std::optional<uint16_t> handler_data_selector;
  // IA32_SYSENTER_CS / _EIP / _ESP (MSRs 174h-176h); eip_index is the label's instruction.
  struct Sysenter {
    bool present = false;
    uint16_t cs = 0x60;
    std::string eip_label;
    size_t eip_index = 0;
    uint32_t esp = 0;
  } sysenter;

  const Region* region_of(uint32_t address) const {
    for (const auto& r : regions)
      if (r.contains(address)) return &r;
    return nullptr;
  }
  int region_index(uint32_t address) const {
    for (size_t i = 0; i < regions.size(); ++i)
      if (regions[i].contains(address)) return static_cast<int>(i);
    return -1;
  }
  const Region* region_named(const std::string& name) const {
    for (const auto& r : regions)
      if (r.name == name) return &r;
    return nullptr;
  }
  const KnownSelector* known_selector(uint32_t value) const {
    for (const auto& s : selectors)
      if (s.value == value) return &s;
    return nullptr;
  }
};

// Vectors whose exceptions push an error code (SDM Vol.3 Table 6-1).
inline bool vector_has_error_code(int vector) {
  return vector == 8 || vector == 10 || vector == 11 || vector == 12 || vector == 13 ||
         vector == 14 || vector == 17;
}

}  // namespace ec

namespace ec {

// The interrupted context a scenario starts from and the event that
// interrupts it. Unset values are free inputs.
struct StartContext {
  bool user_mode = true;
  std::optional<uint32_t> esp;                   // required in kernel mode
  std::string stack_region;                      // region holding the interrupted stack
  std::map<int, uint32_t> segments;              // SEG_* index -> selector
  uint16_t cs = 0x73, ss = 0x7b;                 // interrupted CS and SS
  int vector = 32;
  std::optional<uint32_t> error_code;            // exceptions with one
  bool external_interrupt = true;                // then EFLAGS.IF was 1
  bool user_cr3 = false;                         // interrupted under the user CR3 (PTI)
  std::string at_label;                          // interrupted EIP: this label (else free)
  std::optional<uint32_t> eip;                   // at_label resolved
  bool vm86 = false;                             // the interrupted context runs in virtual-8086 mode
  bool free_cs = false, free_ss = false;         // vm86: CS / SS are free inputs
  bool sysenter = false;                         // the event is SYSENTER, not a vector
  bool in_nmi = false;                           // the interrupted context is an NMI handler: NMIs blocked
  std::map<uint32_t, bool> flags;                // EFLAGS bits fixed in the interrupted context
  std::vector<std::string> resume_ignores;       // `resume` conditions the event may change
  // `resume` conditions whose value the event defines: name -> assertion
  // expression over the interrupted context (e.g. SYSEXIT's "esp": "ebp").
  std::vector<std::pair<std::string, std::string>> resume_expect;
};

}  // namespace ec

#include "model/spec/platform.hpp"

namespace ec {
namespace {

// Linux x86-32 as of the 2018 PTI series (v4.19): struct pt_regs offsets,
// GDT selectors, flag bits, the software bits in the CS slot's upper half,
// the entry stack and the PTI CR3 switch bit (../shared/reference FACTS §1,
// §2, §7).
Platform linux_x86_32() {
  Platform p;
  const char* regs[] = {"EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "EAX", "DS", "ES", "FS", "GS",
                        "ORIG_EAX", "EIP", "CS", "EFLAGS", "OLDESP", "OLDSS"};
  for (int i = 0; i < 17; ++i) p.constants[std::string("PT_") + regs[i]] = 4 * i;
  p.constants["PTREGS_SIZE"] = 17 * 4;
  p.constants["SEGMENT_RPL_MASK"] = 3;
  p.constants["SEGMENT_TI_MASK"] = 4;
  p.constants["USER_RPL"] = 3;
  p.constants["KERNEL_RPL"] = 0;
  const std::pair<const char*, int> flags[] = {{"CF", 0}, {"FIXED", 1}, {"PF", 2}, {"AF", 4}, {"ZF", 6},
                                               {"SF", 7}, {"TF", 8},    {"IF", 9}, {"DF", 10}, {"OF", 11},
                                               {"NT", 14}, {"RF", 16},  {"VM", 17}, {"AC", 18}, {"ID", 21}};
  for (const auto& [name, bit] : flags) {
    p.constants[std::string("X86_EFLAGS_") + name] = int64_t{1} << bit;
    p.constants[std::string("X86_EFLAGS_") + name + "_BIT"] = bit;
  }
  p.constants["X86_EFLAGS_IOPL"] = 3 << 12;
  p.constants["CS_FROM_ENTRY_STACK"] = int64_t{1} << 31;
  p.constants["CS_FROM_USER_CR3"] = int64_t{1} << 30;
  p.constants["CS_FROM_KERNEL"] = int64_t{1} << 29;
  p.constants["CS_FROM_ESPFIX"] = int64_t{1} << 28;
  p.constants["PAGE_SHIFT"] = 12;
  p.constants["PAGE_SIZE"] = 4096;
  p.constants["PTI_SWITCH_MASK"] = 0x1000;
  p.constants["SIZEOF_entry_stack"] = 64 * 4;  // struct entry_stack { unsigned long words[64]; }
  p.constants["MASK_entry_stack"] = ~int64_t{64 * 4 - 1} & 0xffffffff;
  p.selectors = {
      {"__KERNEL_CS", 0x60, 0, 0, true},      {"__KERNEL_DS", 0x68, 0, 0},
      {"__USER_CS", 0x73, 0, 3, true},      {"__USER_DS", 0x7b, 0, 3},
      {"__ESPFIX_SS", 0xd0, 0, 0},      {"__KERNEL_PERCPU", 0xd8, 0, 0},
      {"__KERNEL_STACK_CANARY", 0xe0, 0, 0},
  };
  for (const auto& s : p.selectors) p.constants[s.name] = s.value;
  // arch/x86/entry/entry_32.S SAVE_ALL: "movl $(__USER_DS), %edx; movl %edx, %ds; movl %edx, %es".
  p.handler_data_selector = 0x7b;
  return p;
}

}  // namespace

const Platform* find_platform(const std::string& name) {
  static const Platform linux32 = linux_x86_32();
  if (name == "linux-x86-32") return &linux32;
  return nullptr;
}

}  // namespace ec

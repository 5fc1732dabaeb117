#include "model/base/registers.hpp"

#include <array>

namespace ec {
namespace {
using F = RegFamily;
constexpr std::array<RegInfo, 34> kRegs = {{
    {"eax", F::General, 32, 0, false}, {"ecx", F::General, 32, 1, false},
    {"edx", F::General, 32, 2, false}, {"ebx", F::General, 32, 3, false},
    {"esp", F::General, 32, 4, false}, {"ebp", F::General, 32, 5, false},
    {"esi", F::General, 32, 6, false}, {"edi", F::General, 32, 7, false},
    {"ax", F::General, 16, 0, false},  {"cx", F::General, 16, 1, false},
    {"dx", F::General, 16, 2, false},  {"bx", F::General, 16, 3, false},
    {"sp", F::General, 16, 4, false},  {"bp", F::General, 16, 5, false},
    {"si", F::General, 16, 6, false},  {"di", F::General, 16, 7, false},
    {"al", F::General, 8, 0, false},   {"cl", F::General, 8, 1, false},
    {"dl", F::General, 8, 2, false},   {"bl", F::General, 8, 3, false},
    {"ah", F::General, 8, 0, true},    {"ch", F::General, 8, 1, true},
    {"dh", F::General, 8, 2, true},    {"bh", F::General, 8, 3, true},
    {"es", F::Segment, 16, 0, false},  {"cs", F::Segment, 16, 1, false},
    {"ss", F::Segment, 16, 2, false},  {"ds", F::Segment, 16, 3, false},
    {"fs", F::Segment, 16, 4, false},  {"gs", F::Segment, 16, 5, false},
    {"cr0", F::Control, 32, 0, false}, {"cr2", F::Control, 32, 2, false},
    {"cr3", F::Control, 32, 3, false}, {"cr4", F::Control, 32, 4, false},
}};
}  // namespace

const RegInfo& reg_info(Reg r) { return kRegs[static_cast<size_t>(r)]; }

std::optional<Reg> reg_by_name(std::string_view name) {
  for (size_t i = 0; i < kRegs.size(); ++i)
    if (kRegs[i].name == name) return static_cast<Reg>(i);
  return std::nullopt;
}

std::string_view gpr_name(int index) { return kRegs[static_cast<size_t>(index)].name; }
std::string_view segment_name(int index) { return kRegs[24 + static_cast<size_t>(index)].name; }

}  // namespace ec

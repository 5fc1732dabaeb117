#include "model/program/program.hpp"

namespace ec {

std::optional<size_t> Program::index_of(uint32_t address) const {
  if (address < text_base) return std::nullopt;
  uint32_t offset = address - text_base;
  if (offset % kInstrStride) return std::nullopt;
  size_t index = offset / kInstrStride;
  if (index >= instructions.size()) return std::nullopt;
  return index;
}

std::optional<size_t> Program::label_index(const std::string& name) const {
  auto it = labels.find(name);
  if (it == labels.end()) return std::nullopt;
  return it->second;
}

std::string Program::label_at(size_t index) const {
  for (const auto& [name, i] : labels)
    if (i == index && name.rfind(".L", 0) != 0) return name;
  return {};
}

std::string op_name(Op op) {
  static const char* names[] = {"mov", "movzx", "movsx", "lea", "xchg", "add", "sub", "and", "or",
                                "xor", "not", "neg", "inc", "dec", "shl", "shr", "sar", "test",
                                "cmp", "bt", "btr", "bts", "jmp", "jcc", "call", "ret", "iret",
                                "push", "pop", "pushf", "popf", "cld", "std", "cli", "sti",
                                "movs", "nop", "sysexit"};
  return names[static_cast<int>(op)];
}

std::string cond_name(Cond c) {
  static const char* names[] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                "s", "ns", "p", "np", "l", "ge", "le", "g"};
  return names[static_cast<int>(c)];
}

}  // namespace ec

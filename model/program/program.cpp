#include "model/program/program.hpp"

#include "model/program/instruction_table.hpp"

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

std::string op_name(Op op) { return instruction_info(op).name; }

std::string extable_type_name(ExtableType type) {
  switch (type) {
    case ExtableType::Default: return "DEFAULT";
    case ExtableType::Fault: return "FAULT";
    case ExtableType::PopZero: return "POP_ZERO";
  }
  return "?";
}

std::string cond_name(Cond c) { return condition_table().at(static_cast<size_t>(c)).name; }

}  // namespace ec

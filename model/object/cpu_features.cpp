#include "model/object/cpu_features.hpp"

#include <fstream>
#include <optional>
#include <regex>
#include <vector>

#include "model/base/diagnostic.hpp"

namespace ec {
namespace {

// "7*32+11" or "235"; nullopt for anything else.
std::optional<unsigned> word_bit(const std::string& text) {
  static const std::regex kWordBit(R"(\s*\(?\s*(?:(\d+)\s*\*\s*32\s*\+\s*)?(\d+)\s*\)?\s*)");
  std::smatch m;
  if (!std::regex_match(text, m, kWordBit)) return std::nullopt;
  unsigned word = m[1].matched ? static_cast<unsigned>(std::stoul(m[1].str())) : 0;
  unsigned bit = static_cast<unsigned>(std::stoul(m[2].str()));
  if (word > 1000 || (m[1].matched && bit >= 32) || bit > 65535) return std::nullopt;
  return word * 32 + bit;
}

}  // namespace

std::map<std::string, unsigned> read_cpufeatures(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "cannot read the CPU feature header");
  static const std::regex kDefine(R"(^\s*#\s*define\s+(\w+)\s+(.*?)\s*(?:/\*.*)?$)");
  static const std::regex kBug(R"(X86_BUG\((.*)\))");
  std::map<std::string, unsigned> out;
  std::optional<unsigned> ncapints;
  std::vector<std::pair<std::string, std::string>> bugs;
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, kDefine)) continue;
    std::string name = m[1].str(), value = m[2].str();
    std::smatch b;
    if (name == "NCAPINTS") ncapints = word_bit(value);
    else if (name.rfind("X86_BUG_", 0) == 0 && std::regex_match(value, b, kBug)) bugs.emplace_back(name, b[1].str());
    else if (name.rfind("X86_FEATURE_", 0) == 0)
      if (auto n = word_bit(value)) out[name] = *n;
  }
  if (!ncapints) throw InputError(SourceLocation{path, 0, 0}, "no '#define NCAPINTS' (is this cpufeatures.h?)");
  for (const auto& [name, arg] : bugs)
    if (auto n = word_bit(arg)) out[name] = *ncapints * 32 + *n;
  return out;
}

std::set<unsigned> feature_numbers(const std::set<std::string>& names, const std::map<std::string, unsigned>& table,
                                   const std::string& where) {
  std::set<unsigned> out;
  for (const std::string& name : names) {
    if (auto n = word_bit(name)) {
      out.insert(*n);
      continue;
    }
    auto it = table.find(name);
    if (it == table.end()) it = table.find("X86_FEATURE_" + name);
    if (it == table.end()) it = table.find("X86_BUG_" + name);
    if (it == table.end())
      throw InputError(SourceLocation{where, 0, 0},
                       "unknown CPU feature '" + name + "'" +
                           (table.empty() ? std::string(": name the kernel's cpufeatures.h (--cpufeatures, or the "
                                                        "spec's \"cpufeatures\") to use feature names")
                                          : std::string(" (not in the CPU feature header)")));
    out.insert(it->second);
  }
  return out;
}

std::string feature_name(unsigned number, const std::map<std::string, unsigned>& table) {
  for (const auto& [name, n] : table)
    if (n == number) return name;
  return std::to_string(number / 32) + "*32+" + std::to_string(number % 32);
}

}  // namespace ec

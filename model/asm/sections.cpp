#include "model/asm/sections.hpp"

#include <tuple>

namespace ec::asmfe {
namespace {

bool code_by_name(const std::string& n) {
  return n == ".text" || n.starts_with(".text.") || n.ends_with(".text") || n == ".fixup" ||
         n.starts_with(".fixup.");
}

}  // namespace

bool SectionTracker::in_code() const {
  auto it = executable_.find(current_);
  return it != executable_.end() ? it->second : code_by_name(current_);
}

void SectionTracker::switch_to(const std::string& name, const std::optional<std::string>& flags) {
  previous_ = current_;
  current_ = name;
  if (flags) executable_[name] = flags->find('x') != std::string::npos;
}

void SectionTracker::push(const std::string& name, const std::optional<std::string>& flags) {
  stack_.emplace_back(current_, previous_);
  switch_to(name, flags);
}

void SectionTracker::pop(const SourceLocation& loc) {
  if (stack_.empty()) throw InputError(loc, ".popsection without corresponding .pushsection");
  std::tie(current_, previous_) = stack_.back();
  stack_.pop_back();
}

void SectionTracker::previous() { std::swap(current_, previous_); }

}  // namespace ec::asmfe

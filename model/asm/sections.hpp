// Which section each statement lands in: .section/.pushsection/.popsection/.previous.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/base/diagnostic.hpp"

namespace ec::asmfe {

class SectionTracker {
 public:
  const std::string& current() const { return current_; }
  // Code sections hold instructions; data directives are only accepted elsewhere.
  bool in_code() const;

  // `flags` as in .section NAME,"ax": an 'x' makes the section code.
  void switch_to(const std::string& name, const std::optional<std::string>& flags);
  void push(const std::string& name, const std::optional<std::string>& flags);
  void pop(const SourceLocation& loc);
  void previous();

 private:
  std::string current_ = ".text", previous_ = ".text";
  std::vector<std::pair<std::string, std::string>> stack_;  // (current, previous)
  std::map<std::string, bool> executable_;
};

}  // namespace ec::asmfe

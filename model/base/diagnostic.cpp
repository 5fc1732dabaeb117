#include "model/base/diagnostic.hpp"

namespace ec {

std::string SourceLocation::str() const {
  std::string s = file.empty() ? std::string("<unknown>") : file;
  if (line > 0) s += ":" + std::to_string(line);
  if (line > 0 && column > 0) s += ":" + std::to_string(column);
  return s;
}

std::string Diagnostic::render(const char* severity) const {
  std::string out = where.str() + ": " + severity + ": " + message + "\n";
  for (const auto& n : notes) out += where.str() + ": note: " + n + "\n";
  return out;
}

InputError::InputError(Diagnostic d) : std::runtime_error(d.render()), diag_(std::move(d)) {}
InputError::InputError(SourceLocation where, std::string message)
    : InputError(Diagnostic{std::move(where), std::move(message), {}}) {}

void internal_error(const char* file, int line, const std::string& what) {
  throw InternalError(what + " (" + file + ":" + std::to_string(line) + ")");
}

}  // namespace ec

// Bad input becomes a Diagnostic with a source location; the CLI prints it.
// Bugs in entrycheck itself use EC_ASSERT instead (see below).
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace ec {

struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  std::string str() const;  // "file:line:col" (col omitted when 0)
  bool known() const { return !file.empty(); }
};

struct Diagnostic {
  SourceLocation where;
  std::string message;
  std::vector<std::string> notes;  // e.g. "in expansion of macro SAVE_ALL at f.S:12:2"

  // "file:line:col: error: message" followed by one "note:" line per note.
  std::string render(const char* severity = "error") const;
};

// Thrown for bad user input (asm, spec, trace, command line); the CLI turns
// it into a diagnostic and exit status 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostic d);
  InputError(SourceLocation where, std::string message);
  const Diagnostic& diagnostic() const { return diag_; }

 private:
  Diagnostic diag_;
};

// Thrown for a bug in entrycheck itself (EC_ASSERT): the CLI prints
// "internal error: ..." and exits with status 4 (docs/cli.md).
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void internal_error(const char* file, int line, const std::string& what);

}  // namespace ec

// For programming errors only (never for user input): throws InternalError
// naming the source line of the check.
#define EC_ASSERT(cond, what)                                   \
  do {                                                          \
    if (!(cond)) ::ec::internal_error(__FILE__, __LINE__, what); \
  } while (0)

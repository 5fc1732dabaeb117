// Shared by the libFuzzer targets (tests/fuzz/README.md): the input as a file
// (the readers take paths), and the rule every target checks — bad input is
// an InputError; anything else escaping is a bug, so it aborts and libFuzzer
// records the input as a crash.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "model/base/diagnostic.hpp"

namespace ec::fuzz {

// A folder per process for the input files.
inline const std::string& work_dir() {
  static const std::string dir = [] {
    std::string d = "/tmp/ec-fuzz-" + std::to_string(::getpid());
    std::string command = "mkdir -p " + d;
    if (std::system(command.c_str()) != 0) std::abort();
    return d;
  }();
  return dir;
}

// Writes `size` bytes to `name` in work_dir() and returns its path.
inline std::string write_file(const std::string& name, const char* data, size_t size) {
  std::string path = work_dir() + "/" + name;
  std::ofstream(path, std::ios::binary).write(data, static_cast<std::streamsize>(size));
  return path;
}

// The current input as a file named `name` (the readers take paths).
inline std::string input_file(const char* data, size_t size, const std::string& name) {
  return write_file(name, data, size);
}

// Runs `read`; an InputError is the expected answer to bad input (its message
// is rendered, as the CLI would, to exercise the rendering); anything else
// aborts.
template <typename Read>
int expect_input_errors_only(Read read) {
  try {
    read();
  } catch (const ec::InputError& e) {
    (void)e.diagnostic().render();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: escaped exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: escaped exception of unknown type\n");
    std::abort();
  }
  return 0;
}

}  // namespace ec::fuzz

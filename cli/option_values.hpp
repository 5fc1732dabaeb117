// Command-line values checked strictly: a bad value is an InputError located
// at the option ("--jobs: error: expected ..."), exit status 2.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ec::cli {

[[noreturn]] void option_error(const std::string& option, const std::string& message);

// A whole number in [min, max]: decimal, or hex with 0x.
uint64_t unsigned_option(const std::string& option, const std::string& text, uint64_t min, uint64_t max);
int64_t signed_option(const std::string& option, const std::string& text, int64_t min, int64_t max);

// "on" or "off".
bool on_off_option(const std::string& option, const std::string& text);

// The index of `text` in `choices`.
size_t choice_option(const std::string& option, const std::string& text, const std::vector<std::string>& choices);

// NAME=VALUE (VALUE defaults to "1", as for cpp's -D); NAME must not be empty.
std::pair<std::string, std::string> assignment_option(const std::string& option, const std::string& text);

// K/N with 1 <= K <= N: every N-th unit, starting with the K-th.
std::pair<int, int> shard_option(const std::string& option, const std::string& text);

}  // namespace ec::cli

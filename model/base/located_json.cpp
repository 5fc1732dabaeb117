#include "model/base/located_json.hpp"

#include "model/base/input_file.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

namespace ec {
namespace {

using Json = nlohmann::ordered_json;

// An input iterator over the text that records how far the parser has read.
struct CountingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* at;
  const char** furthest;

  reference operator*() const { return *at; }
  CountingIterator& operator++() {
    *furthest = ++at;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& o) const { return at == o.at; }
  bool operator!=(const CountingIterator& o) const { return at != o.at; }
};

// Line and column (1-based) of text[offset], counted once per parse.
class LineIndex {
 public:
  explicit LineIndex(const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  std::pair<int, int> at(size_t offset) const {
    auto next = std::upper_bound(starts_.begin(), starts_.end(), offset);
    size_t line = static_cast<size_t>(next - starts_.begin());
    return {static_cast<int>(line), static_cast<int>(offset - starts_[line - 1] + 1)};
  }

 private:
  std::vector<size_t> starts_{0};
};

// Follows the parse and records, for each value, the place of its key (a
// member) or of the value itself (an array element or the root).
class PathRecorder : public nlohmann::json_sax<Json> {
 public:
  PathRecorder(const std::string& text, const char* const* furthest, JsonLocations& out)
      : text_(text), lines_(text), furthest_(furthest), out_(out) {}

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool string(string_t& value) override {
    // The parser has just read the closing quote (exact unless escaped).
    size_t end = read() - 1;
    begin_value(end >= value.size() + 1 ? end - value.size() - 1 : 0);
    return true;
  }
  bool binary(binary_t&) override { return scalar(); }
  bool start_object(std::size_t) override { return open(false); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& name) override {
    Frame& f = frames_.back();
    f.key = name;
    // The parser has just read the key's closing quote.
    size_t end = read() - 1;
    size_t start = end >= name.size() + 1 ? end - name.size() - 1 : 0;
    f.key_at = start;
    // nlohmann keeps the last of two equal keys: the first would be ignored.
    if (!f.keys.insert(name).second) {
      error_ = "duplicate key \"" + name + "\"";
      error_at_ = start + 1;
      return false;
    }
    return true;
  }
  // A syntax error, or a number out of range (1e999): kept with its place.
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = e.what();
    error_at_ = position;
    return false;
  }
  // The first error's message (empty if none) and the characters read up to it.
  const std::string& error() const { return error_; }
  size_t error_at() const { return error_at_; }

 private:
  struct Frame {
    std::string path;
    bool array;
    size_t index = 0;
    std::string key;
    size_t key_at = 0;
    std::set<std::string> keys;  // of an object, so far
  };

  size_t read() const { return static_cast<size_t>(*furthest_ - text_.data()); }

  // Where the number or literal just read starts: the parser reads a
  // number one character past its end.
  size_t token_start() const {
    size_t p = read();
    auto separator = [](char c) { return std::string_view(" \t\r\n,:[]{}").find(c) != std::string_view::npos; };
    while (p > 1 && separator(text_[p - 1])) --p;
    while (p > 1 && !separator(text_[p - 2])) --p;
    return p - 1;
  }

  // The path of the value that starts now, and its place.
  std::string begin_value(size_t value_at) {
    if (frames_.empty()) {
      record("$", value_at);
      return "$";
    }
    Frame& f = frames_.back();
    if (!f.array) {
      std::string path = json_member(f.path, f.key);
      record(path, f.key_at);
      return path;
    }
    std::string path = json_element(f.path, f.index++);
    record(path, value_at);
    return path;
  }

  void record(const std::string& path, size_t offset) {
    auto [line, column] = lines_.at(offset);
    out_.set(path, SourceLocation{out_.file(), line, column});
  }

  bool scalar() {
    begin_value(token_start());
    return true;
  }
  bool open(bool array) {
    std::string path = begin_value(read() - 1);
    frames_.push_back(Frame{path, array, 0, "", 0, {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }

  const std::string& text_;
  LineIndex lines_;
  const char* const* furthest_;
  JsonLocations& out_;
  std::vector<Frame> frames_;
  std::string error_;
  size_t error_at_ = 0;
};

// nlohmann's message without its "[json.exception...] parse error at line
// L, column C: " prefix (the location says where).
std::string json_error_text(const std::string& message) {
  if (auto p = message.find("syntax error"); p != std::string::npos) return message.substr(p);
  if (message.rfind("[json.exception.", 0) != 0) return message;  // our own
  if (auto p = message.find("] "); p != std::string::npos) return message.substr(p + 2);
  return message;
}

[[noreturn]] void syntax_error(const std::string& text, const std::string& file, size_t byte,
                               const std::string& message) {
  auto [line, column] = LineIndex(text).at(byte == 0 ? 0 : std::min(byte - 1, text.size()));
  std::string range = message.find("number overflow") != std::string::npos
                          ? " (a JSON number must lie within a double's range, about 1.8e308)"
                          : "";
  throw InputError(SourceLocation{file, line, column}, "invalid JSON: " + json_error_text(message) + range);
}

}  // namespace

void JsonLocations::overlay(const JsonLocations& other) {
  for (const auto& [path, where] : other.by_path_) by_path_[path] = where;
}

SourceLocation JsonLocations::at(const std::string& path) const {
  for (std::string p = path;;) {
    auto it = by_path_.find(p);
    if (it != by_path_.end()) return it->second;
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) return SourceLocation{file_, 0, 0};
    p.resize(cut);
  }
}

LocatedJson parse_located_json(const std::string& text, const std::string& file) {
  LocatedJson out;
  out.where.set_file(file);
  // The located pass first: it sees every error (syntax, a number that
  // overflows) with its place, so the second parse cannot fail.
  const char* furthest = text.data();
  PathRecorder recorder(text, &furthest, out.where);
  CountingIterator first{text.data(), &furthest}, last{text.data() + text.size(), &furthest};
  Json::sax_parse(first, last, &recorder, nlohmann::detail::input_format_t::json, true, /*ignore_comments=*/true);
  if (!recorder.error().empty()) syntax_error(text, file, recorder.error_at(), recorder.error());
  out.value = Json::parse(text, nullptr, true, /*ignore_comments=*/true);
  return out;
}

LocatedJson read_located_json(const std::string& path, const std::string& what) {
  std::optional<std::string> text = read_input_file(path, SourceLocation{path, 0, 0});
  if (!text) throw InputError(SourceLocation{path, 0, 0}, "cannot open " + what);
  return parse_located_json(*text, path);
}

}  // namespace ec

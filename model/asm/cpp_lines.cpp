#include "model/asm/cpp_lines.hpp"

namespace ec::asmfe {
namespace {

class LineSplitter {
 public:
  LineSplitter(const std::string& file, const std::string& text) : text_(text) {
    cur_.file = file;
    cur_.end_pos = Pos{1, 1};
  }

  std::vector<LocText> run() {
    while (i_ < text_.size()) step();
    finish_line();
    if (!lines_.empty() && lines_.back().empty() && text_.ends_with('\n')) lines_.pop_back();
    return std::move(lines_);
  }

 private:
  char peek(size_t k = 0) const { return i_ + k < text_.size() ? text_[i_ + k] : '\0'; }
  Pos here() const { return Pos{line_, col_}; }

  void advance() {
    if (text_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++i_;
  }

  bool skip_continuation() {
    size_t k = 1;
    if (peek(k) == '\r') ++k;
    if (peek() != '\\' || peek(k) != '\n') return false;
    while (k-- > 0) advance();
    advance();
    return true;
  }

  void step() {
    if (skip_continuation()) return;
    char c = peek();
    if (c == '\n') {
      finish_line();
      advance();
      cur_.end_pos = here();
    } else if (c == '"') {
      copy_string();
    } else if (c == '/' && peek(1) == '*') {
      block_comment();
    } else if (c == '/' && peek(1) == '/') {
      while (i_ < text_.size() && peek() != '\n') advance();
    } else {
      cur_.append(c, here());
      advance();
    }
  }

  void copy_string() {
    cur_.append(peek(), here());
    advance();
    while (i_ < text_.size() && peek() != '\n') {
      if (skip_continuation()) continue;
      char c = peek();
      cur_.append(c, here());
      advance();
      if (c == '"') return;
      if (c == '\\' && i_ < text_.size() && peek() != '\n') {
        cur_.append(peek(), here());
        advance();
      }
    }
  }

  void block_comment() {
    Pos start = here();
    advance();
    advance();
    while (i_ < text_.size() && !(peek() == '*' && peek(1) == '/')) advance();
    if (i_ >= text_.size())
      throw InputError(SourceLocation{cur_.file, start.line, start.col}, "unterminated comment");
    advance();
    advance();
    cur_.append(' ', start);
  }

  void finish_line() {
    lines_.push_back(cur_);
    LocText next;
    next.file = cur_.file;
    cur_ = std::move(next);
    cur_.end_pos = here();
  }

  const std::string& text_;
  size_t i_ = 0;
  int line_ = 1, col_ = 1;
  LocText cur_;
  std::vector<LocText> lines_;
};

}  // namespace

std::vector<LocText> split_logical_lines(const std::string& file, const std::string& text) {
  return LineSplitter(file, text).run();
}

LocText strip_hash_comment(const LocText& line) {
  for (size_t i = 0; i < line.size();) {
    if (line[i] == '"') {
      i = skip_string(line.text, i);
    } else if (line[i] == '#') {
      return line.slice(0, i);
    } else {
      ++i;
    }
  }
  return line;
}

}  // namespace ec::asmfe

// JSON read with the place of every value: a map from JSON path ("$",
// "$.regions[0].base") to file:line:col, so that errors about a value name
// where it is written. Parsed by nlohmann::json (its SAX interface supplies
// the structure; a counting input iterator, how far the parser has read).
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "model/base/diagnostic.hpp"

namespace ec {

class JsonLocations {
 public:
  void set(const std::string& path, SourceLocation where) { by_path_[path] = std::move(where); }
  // Takes every place of `other`, replacing this one's for the same paths.
  void overlay(const JsonLocations& other);
  // The place of `path`, else of the nearest enclosing value that has one,
  // else the file alone.
  SourceLocation at(const std::string& path) const;
  const std::string& file() const { return file_; }
  void set_file(std::string file) { file_ = std::move(file); }

 private:
  std::string file_;
  std::map<std::string, SourceLocation> by_path_;
};

struct LocatedJson {
  nlohmann::ordered_json value;
  JsonLocations where;
};

// Throws InputError: "cannot open <what>" or "invalid JSON: ..." at its line
// and column. Comments (// and /* */) are allowed.
LocatedJson read_located_json(const std::string& path, const std::string& what);
LocatedJson parse_located_json(const std::string& text, const std::string& file);

// "$.a" + "b" -> "$.a.b"; "$.a" + 3 -> "$.a[3]".
inline std::string json_member(const std::string& path, const std::string& key) { return path + "." + key; }
inline std::string json_element(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

}  // namespace ec

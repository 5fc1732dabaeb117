#include "model/spec/spec_document.hpp"

#include <filesystem>
#include <vector>

namespace ec {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string identity(const std::string& path) {
  std::error_code error;
  fs::path canonical = fs::weakly_canonical(path, error);
  return error ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

// The base named by `"extends"`, as a path usable from here.
std::string base_path(const LocatedJson& doc, const std::string& path) {
  const Json& extends = doc.value["extends"];
  if (!extends.is_string() || extends.get<std::string>().empty())
    throw InputError(doc.where.at("$.extends"), "$.extends: expected the path of a base spec");
  fs::path base = (fs::path(path).parent_path() / extends.get<std::string>()).lexically_normal();
  std::error_code error;  // a name too long for the file system: no such file (fuzz_spec found it)
  if (!fs::is_regular_file(base, error))
    throw InputError(doc.where.at("$.extends"), "$.extends: no such base spec: " + base.string());
  return base.string();
}

LocatedJson read_chain(const std::string& path, std::vector<std::string>& chain) {
  LocatedJson doc = read_located_json(path, "spec file");
  if (!doc.value.is_object() || !doc.value.contains("extends")) return doc;
  std::string base = base_path(doc, path);
  for (const auto& seen : chain)
    if (seen == identity(base))
      throw InputError(doc.where.at("$.extends"), "$.extends: " + base + " extends this spec again (a cycle)");
  chain.push_back(identity(base));
  LocatedJson merged = read_chain(base, chain);
  doc.value.erase("extends");
  merged.value = merge_spec_json(merged.value, doc.value);
  merged.where.overlay(doc.where);
  merged.where.set_file(doc.where.file());
  return merged;
}

}  // namespace

Json merge_spec_json(const Json& base, const Json& over) {
  if (!base.is_object() || !over.is_object()) return over;
  Json out = base;
  for (auto it = over.begin(); it != over.end(); ++it)
    out[it.key()] = out.contains(it.key()) ? merge_spec_json(out[it.key()], it.value()) : it.value();
  return out;
}

LocatedJson read_spec_document(const std::string& path) {
  std::vector<std::string> chain{identity(path)};
  return read_chain(path, chain);
}

}  // namespace ec

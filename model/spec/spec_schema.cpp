#include "model/spec/spec_schema.hpp"

#include <memory>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "model/base/diagnostic.hpp"

namespace ec {
namespace {

const char* kSchemaText =
#include "spec_schema.inc"
    ;

const valijson::Schema& spec_schema() {
  static const std::unique_ptr<valijson::Schema> schema = [] {
    auto s = std::make_unique<valijson::Schema>();
    nlohmann::json doc = nlohmann::json::parse(kSchemaText);
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *s);
    return s;
  }();
  return *schema;
}

// valijson names a place as "<root>", "[scenarios]", "[0]", ...
std::string json_path(const std::vector<std::string>& context) {
  std::string path = "$";
  for (const auto& part : context) {
    if (part == "<root>" || part.size() < 2) continue;
    std::string inner = part.substr(1, part.size() - 2);
    bool index = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
    path += index ? "[" + inner + "]" : "." + inner;
  }
  return path;
}

}  // namespace

void enforce_spec_schema(const nlohmann::json& document, const std::string& file) {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(document);
  if (validator.validate(spec_schema(), target, &results)) return;
  // The deepest error is the most specific one.
  valijson::ValidationResults::Error error, best;
  size_t depth = 0;
  bool any = false;
  while (results.popError(error)) {
    if (!any || error.context.size() > depth) {
      best = error;
      depth = error.context.size();
      any = true;
    }
  }
  throw InputError(SourceLocation{file, 0, 0},
                   json_path(best.context) + ": " + best.description + " (docs/spec.schema.json)");
}

}  // namespace ec

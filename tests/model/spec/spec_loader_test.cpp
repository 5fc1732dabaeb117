// The spec loader (model/spec): defaults, every kind of error at the JSON
// path and the line and column where the value is written, and base specs.
// Expected places are counted by hand in the texts below.
#include <doctest/doctest.h>

#include "model/spec/spec.hpp"
#include "model/spec/spec_document.hpp"
#include "tests/support/temp_files.hpp"

namespace {

const char* kSource = "\t.globl irq_entry\nirq_entry:\n\tiret\n";

// A minimal whole spec, one key per line (line N of the text is line N of the file).
std::string minimal(const std::string& extra = "") {
  return "{\n"                                                                     // 1
         "  \"name\": \"t\",\n"                                                    // 2
         "  \"sources\": [\"e.S\"],\n"                                              // 3
         "  \"regions\": [{\"name\": \"task_stack\", \"base\": \"0xc2000000\", \"size\": \"0x2000\"}],\n"  // 4
         "  \"tss\": \"0xc2000000\",\n"                                             // 5
         "  \"idt\": [{\"vector\": 32, \"entry\": \"irq_entry\"}],\n"                // 6
         "  \"scenarios\": [{\"name\": \"k\", \"mode\": \"kernel\", \"vector\": 32, \"esp\": \"0xc2001000\"}]" +
         extra + "\n}\n";  // 7, then `extra`'s lines
}

// The rendered error of loading `text` as spec.json (beside e.S).
std::string error_of(const std::string& text) {
  ec::testing::TempDir dir;
  dir.write("e.S", kSource);
  std::string path = dir.write("spec.json", text);
  try {
    ec::load_spec(path);
  } catch (const ec::InputError& e) {
    std::string where = e.diagnostic().where.str();
    return where.substr(where.rfind('/') + 1) + ": " + e.diagnostic().message;
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("a minimal spec gets the documented defaults") {
  ec::testing::TempDir dir;
  dir.write("e.S", kSource);
  ec::Spec spec = ec::load_spec(dir.write("spec.json", minimal()));
  CHECK(spec.name == "t");
  REQUIRE(spec.sources.size() == 1);
  CHECK(spec.sources[0] == dir.path("e.S"));
  CHECK(spec.invariants == std::vector<ec::InvariantId>{ec::InvariantId::Resume});
  REQUIRE(spec.profiles.size() == 1);
  CHECK(spec.profiles[0].segment_store == ec::SegmentStore::Any);
  CHECK(spec.timeout_seconds == 60);
  CHECK(spec.machine.bounds.nesting == 2);
  CHECK(spec.machine.bounds.max_steps == 20000);
  CHECK(spec.machine.tss_base == 0xc2000000u);
  REQUIRE(spec.machine.regions.size() == 1);
  CHECK(spec.machine.regions[0].stack);         // the name ends in _stack
  CHECK_FALSE(spec.machine.regions[0].user_mapped);  // only user_stack by default
  REQUIRE(spec.scenarios.size() == 1);
  const ec::StartContext& st = spec.scenarios[0].start;
  CHECK_FALSE(st.user_mode);
  CHECK(st.esp == 0xc2001000u);
  CHECK(st.cs == spec.machine.kernel_cs);
  CHECK(st.stack_region == "task_stack");
  CHECK(st.external_interrupt);  // vector 32 and above
}

TEST_CASE("each kind of spec error names the JSON path at the value's line and column") {
  CHECK(error_of(minimal(",\n  \"frobnicate\": 1")) == "spec.json:8:3: $.frobnicate: unknown key");
  CHECK(error_of(minimal(",\n  \"bounds\": {\"nesting\": \"two\"}")) ==
        "spec.json:8:14: $.bounds.nesting: expected an integer");
  CHECK(error_of(minimal(",\n  \"timeout_seconds\": true")) == "spec.json:8:3: $.timeout_seconds: expected an integer");
  CHECK(error_of("{\n  \"name\": \"t\"\n}") == "spec.json:1:1: $: missing required key 'idt'");
  CHECK(error_of(minimal(",\n  \"invariants\": [\"resume\", \"nosuch\"]")) ==
        "spec.json:8:28: $.invariants[1]: unknown invariant 'nosuch'");
  CHECK(error_of(minimal(",\n  \"invariants\": [\"cr3\", \"resume\", \"cr3\"]")) ==
        "spec.json:8:35: $.invariants[2]: invariant 'cr3' is listed twice");
  CHECK(error_of(minimal(",\n  \"invariants\": []")).find("spec.json:8:3: $.invariants: an empty list checks nothing") == 0);
  CHECK(error_of("{\n  \"name\": \"t\",,\n}").find("spec.json:2:15: invalid JSON") == 0);
}

TEST_CASE("values that do not fit 32 or 16 bits are errors, never truncated") {
  std::string tss = minimal();
  tss.replace(tss.find("\"tss\": \"0xc2000000\""), 19, "\"tss\": -1");
  CHECK(error_of(tss) == "spec.json:5:3: $.tss: expected a 32-bit value (0..0xffffffff), got -1");
  CHECK(error_of(minimal(",\n  \"text_base\": \"0x100000000\"")) ==
        "spec.json:8:3: $.text_base: expected a 32-bit value (0..0xffffffff), got 0x100000000");
  CHECK(error_of(minimal(",\n  \"kernel_cs\": \"0x10000\"")) ==
        "spec.json:8:3: $.kernel_cs: expected a 16-bit selector (0..0x0000ffff), got 0x00010000");
  std::string vector = minimal();
  vector.replace(vector.find("\"vector\": 32, \"entry\""), 12, "\"vector\": 256");
  CHECK(error_of(vector) == "spec.json:6:12: $.idt[0].vector: expected an integer from 0 to 255, got 256");
}

TEST_CASE("regions and initial memory must be consistent") {
  // Line 4 of the minimal spec becomes two: the task stack, then `second` on line 5.
  auto regions = [](const std::string& second) {
    std::string text = minimal();
    size_t at = text.find("  \"regions\"");
    text.replace(at, text.find('\n', at) - at,
                 "  \"regions\": [{\"name\": \"task_stack\", \"base\": \"0xc2000000\", \"size\": \"0x2000\"},\n" + second + "],");
    return text;
  };
  CHECK(error_of(regions("    {\"name\": \"b\", \"base\": \"0xc2001000\", \"size\": \"0x10\"}")) ==
        "spec.json:5:5: $.regions[1]: region 'b' overlaps region 'task_stack'");
  CHECK(error_of(regions("    {\"name\": \"b\", \"base\": \"0xfffff000\", \"size\": \"0x1001\"}")) ==
        "spec.json:5:41: $.regions[1].size: region 'b' (0xfffff000 + 0x00001001) wraps past 0xffffffff");
  CHECK(error_of(regions("    {\"name\": \"b\", \"base\": \"0xfffff000\", \"size\": 0}")) ==
        "spec.json:5:41: $.regions[1].size: a region cannot be empty");
  auto memory = [](const std::string& entries) { return minimal(",\n  \"memory\": [" + entries + "]"); };
  CHECK(error_of(memory("{\"address\": \"0x1000\", \"value\": 1}")) ==
        "spec.json:8:15: $.memory[0].address: the dword at 0x00001000 lies outside every region of $.regions");
  CHECK(error_of(memory("{\"address\": \"0xc2000000\", \"value\": 1}, {\"address\": \"0xc2000003\", \"value\": 2}")) ==
        "spec.json:8:54: $.memory[1].address: the dword at 0xc2000003 overlaps the one at 0xc2000000");
  CHECK(error_of(memory("{\"address\": \"0xc2000000\", \"value\": \"0x100000000\"}")) ==
        "spec.json:8:40: $.memory[0].value: expected a 32-bit value (0..0xffffffff), got 0x100000000");
  CHECK(error_of(memory("{\"address\": \"0xc2000000\", \"value\": 1}, {\"address\": \"0xc2000004\", \"value\": 2}")) ==
        "<no error>");
}

TEST_CASE("base specs: objects merge key by key, arrays and scalars replace") {
  using Json = nlohmann::ordered_json;
  Json base = Json::parse(R"({"a": {"x": 1, "y": 2}, "list": [1, 2, 3], "s": "base", "keep": true})");
  Json over = Json::parse(R"({"a": {"y": 20, "z": 30}, "list": [9], "s": "over"})");
  Json merged = ec::merge_spec_json(base, over);
  CHECK(merged == Json::parse(R"({"a": {"x": 1, "y": 20, "z": 30}, "list": [9], "s": "over", "keep": true})"));
  CHECK(ec::merge_spec_json(Json::parse(R"({"a": {"x": 1}})"), Json::parse(R"({"a": 5})"))["a"] == 5);
}

TEST_CASE("a base spec's sources resolve beside the base; errors are located in the file that has them") {
  ec::testing::TempDir dir;
  dir.write("common/e.S", kSource);
  std::string base = minimal();
  base.replace(base.find("\"name\": \"t\""), 11, "\"name\": \"base\"");
  dir.write("common/base.json", base);
  std::string spec = dir.write("case/spec.json",
                               "{\n  \"extends\": \"../common/base.json\",\n  \"name\": \"case\",\n"
                               "  \"bounds\": {\"nesting\": 1}\n}\n");
  ec::Spec loaded = ec::load_spec(spec);
  CHECK(loaded.name == "case");
  REQUIRE(loaded.sources.size() == 1);
  CHECK(loaded.sources[0] == dir.path("common/e.S"));
  CHECK(loaded.machine.bounds.nesting == 1);
  CHECK(loaded.machine.bounds.max_steps == 20000);

  dir.write("case/bad.json", "{\n  \"extends\": \"../common/base.json\",\n  \"tss\": \"0x1ffffffff\"\n}\n");
  try {
    ec::load_spec(dir.path("case/bad.json"));
    FAIL("no error");
  } catch (const ec::InputError& e) {
    CHECK(e.diagnostic().where.str() == dir.path("case/bad.json") + ":3:3");
  }
  std::string bad_base = base;
  bad_base.replace(bad_base.find("\"tss\": \"0xc2000000\""), 19, "\"tss\": -1");
  dir.write("common/bad-base.json", bad_base);
  dir.write("case/from-bad-base.json", "{\n  \"extends\": \"../common/bad-base.json\"\n}\n");
  try {
    ec::load_spec(dir.path("case/from-bad-base.json"));
    FAIL("no error");
  } catch (const ec::InputError& e) {
    CHECK(e.diagnostic().where.str() == dir.path("common/bad-base.json") + ":5:3");
  }
}

TEST_CASE("a missing base and a cycle of bases are errors at the extends key") {
  ec::testing::TempDir dir;
  dir.write("a.json", "{\n  \"extends\": \"b.json\"\n}\n");
  dir.write("b.json", "{\n  \"name\": \"b\",\n  \"extends\": \"a.json\"\n}\n");
  dir.write("c.json", "{\n  \"extends\": \"nowhere.json\"\n}\n");
  auto error = [&](const std::string& name) {
    try {
      ec::load_spec(dir.path(name));
    } catch (const ec::InputError& e) {
      return e.diagnostic().render();
    }
    return std::string("<no error>");
  };
  CHECK(error("a.json").find("b.json:3:3: error: $.extends: ") != std::string::npos);
  CHECK(error("a.json").find("(a cycle)") != std::string::npos);
  CHECK(error("c.json").find("c.json:2:3: error: $.extends: no such base spec: ") != std::string::npos);
}

// Errors point at the key of an object member and at an array element.
TEST_CASE("handler contracts: returns and writes are checked where they are written") {
  CHECK(error_of(minimal(",\n  \"handlers\": {\"f\": {\"returns\": \"sometimes\"}}")) ==
        "spec.json:8:22: $.handlers.f.returns: expected \"never\" or an object {register: values}");
  CHECK(error_of(minimal(",\n  \"handlers\": {\"f\": {\"regs\": \"eax\", \"writes\": {\"ip\": \"any\"}}}")) ==
        "spec.json:8:48: $.handlers.f.writes.ip: needs the constant PT_EIP (the \"linux-x86-32\" platform defines it)");
  CHECK(error_of(minimal(",\n  \"platform\": \"linux-x86-32\",\n  \"handlers\": {\"f\": {\"regs\": \"eax\", \"writes\": {\"pc\": \"any\"}}}"))
            .find("spec.json:9:48: $.handlers.f.writes.pc: unknown pt_regs field 'pc'") == 0);
  CHECK(error_of(minimal(",\n  \"platform\": \"linux-x86-32\",\n  \"handlers\": {\"f\": {\"regs\": \"eax\", \"writes\": {\"cs\": [\"0x10073\"]}}}")) ==
        "spec.json:9:55: $.handlers.f.writes.cs[0]: the field is 16-bit");
  CHECK(error_of(minimal(",\n  \"handlers\": {\"f\": {\"returns\": {\"esp\": \"any\"}}}")) ==
        "spec.json:8:34: $.handlers.f.returns.esp: a C function returns with esp unchanged");
}

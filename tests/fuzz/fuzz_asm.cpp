// libFuzzer target: the .S front end (preprocessor, GAS macros and
// directives, operands, decode, link) on arbitrary text.
#include "model/asm/link.hpp"
#include "model/asm/parsed.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const char* data, size_t size) {
  std::string text(data, size);
  return ec::fuzz::expect_input_errors_only([&] {
    ec::FrontEndOptions front_end;
    front_end.cpu_features = {"X86_FEATURE_PTI"};
    ec::ParsedSource parsed = ec::parse_asm_text(text, "fuzz.S", front_end);
    (void)ec::link_program(parsed, ec::LinkOptions{});
  });
}

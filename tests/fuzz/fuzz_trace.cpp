// libFuzzer target: the trace reader and what `show` does with what it read
// (the text rendering walks every step, frame and memory key).
#include "solver/trace/trace.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const char* data, size_t size) {
  std::string path = ec::fuzz::input_file(data, size, "trace.json");
  return ec::fuzz::expect_input_errors_only([&] {
    ec::Trace trace = ec::trace_from_json_file(path);
    (void)ec::trace_to_text(trace);
    (void)ec::trace_to_text(trace, ec::TextOptions{true, 0, SIZE_MAX});
  });
}

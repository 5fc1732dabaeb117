// libFuzzer target: the exec state reader (STATE.json), then a short run of
// a fixed program from that state, which reads the registers and memory.
#include "model/asm/link.hpp"
#include "model/asm/parsed.hpp"
#include "model/exec/exec_run.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

const ec::Program& program() {
  static const ec::Program p = ec::link_program(
      ec::parse_asm_text("start:\n\tpopl %eax\n\tmovl (%eax), %ebx\n\tpushl %ds\n\tiret\n", "fixed.S", {}),
      ec::LinkOptions{});
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const char* data, size_t size) {
  std::string path = ec::fuzz::input_file(data, size, "state.json");
  return ec::fuzz::expect_input_errors_only([&] {
    ec::ExecState state = ec::load_exec_state(path);
    ec::ExecOptions options;
    options.entry = "start";
    options.max_steps = 100;
    (void)ec::exec_result_to_json(ec::run_exec(program(), state, options));
  });
}

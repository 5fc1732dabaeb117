// libFuzzer target: the spec loader (JSON with locations, base specs,
// schema, every key's checks) on arbitrary text. The seeds name the source
// "entry.S" and the base "base.json", which exist beside the input, so that
// mutations get past those checks; the sources are not assembled here (that
// is fuzz_asm's).
#include <cstring>

#include "model/spec/spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

const char* const kEntry = "\t.globl irq_entry\nirq_entry:\n\tcall handle_irq\n\tiret\n";
const char* const kBase =
    "{\"name\": \"base\", \"sources\": [\"entry.S\"], \"platform\": \"linux-x86-32\",\n"
    " \"regions\": [{\"name\": \"task_stack\", \"base\": \"0xc2000000\", \"size\": \"0x2000\"},\n"
    "             {\"name\": \"tss\", \"base\": \"0xff810100\", \"size\": \"0x68\"}],\n"
    " \"tss\": \"0xff810100\", \"idt\": [{\"vector\": 32, \"entry\": \"irq_entry\"}],\n"
    " \"handlers\": {\"handle_irq\": {}},\n"
    " \"scenarios\": [{\"name\": \"k\", \"mode\": \"kernel\", \"vector\": 32, \"esp\": \"0xc2001f00\"}]}\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const char* data, size_t size) {
  static const bool ready = [] {
    ec::fuzz::write_file("entry.S", kEntry, std::strlen(kEntry));
    ec::fuzz::write_file("base.json", kBase, std::strlen(kBase));
    return true;
  }();
  (void)ready;
  std::string path = ec::fuzz::input_file(data, size, "spec.json");
  return ec::fuzz::expect_input_errors_only([&] { (void)ec::load_spec(path); });
}

// A counterexample for a person: one block per step with its source line,
// the event, and what the step changed.
#include <sstream>

#include "model/semantics/machine.hpp"
#include "solver/trace.hpp"

namespace ec {

std::string trace_to_text(const Trace& t) {
  std::ostringstream out;
  out << "counterexample: " << t.invariant << " violated\n"
      << "  spec " << t.spec_name << " (" << t.spec_path << "), scenario " << t.scenario << ", CPU profile "
      << t.profile << "\n"
      << "  " << t.message << "\n\ninterrupted context:";
  for (const auto& [name, value] : t.interrupted) out << " " << name << "=" << hex32(value);
  out << "\n\n";
  for (const auto& s : t.steps) {
    out << "#" << s.index << "  " << s.location << "  [depth " << s.depth << "]  " << s.instruction << "\n";
    for (const auto& e : s.expanded_from) out << "        in " << e << "\n";
    if (!s.event_kind.empty()) out << "        ** " << s.event_kind << ": " << s.event << "\n";
    if (!s.registers.empty()) {
      out << "        regs:";
      for (const auto& [name, value] : s.registers) out << " " << name << "=" << hex32(value);
      out << "\n";
    }
    for (const auto& w : s.memory) {
      out << "        mem[" << hex32(w.address) << "] <-";
      for (uint8_t b : w.bytes) {
        char buf[4];
        std::snprintf(buf, sizeof buf, " %02x", b);
        out << buf;
      }
      out << "\n";
    }
  }
  out << "\nfinal state:";
  for (const auto& [name, value] : t.final_state) out << " " << name << "=" << hex32(value);
  out << "\nviolated conditions:";
  for (const auto& c : t.violated) out << "\n  - " << c;
  out << "\n";
  return out.str();
}

}  // namespace ec

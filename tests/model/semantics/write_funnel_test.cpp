// The write funnel (issue 11.1): every change to memory, whoever makes it,
// is announced to the monitors first. State::mem cannot be written except
// through Machine::write / Machine::clobber (checked at compile time), and
// a monitor that records the announcements covers every byte each kind of
// writer changes (checked by running each writer).
#include <set>
#include <string>
#include <vector>

#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

// No public way to change a State's bytes: put() is private to Machine,
// and there is no mutable operator[] or iterator.
template <class M, class V>
concept CanPut = requires(M& mem, const V& v) { mem.put(0u, v); };
template <class M>
concept CanIndex = requires(M& mem) { mem[0u]; };
template <class M>
concept CanMutateThroughIterator = requires(M& mem) { mem.begin()->second = mem.begin()->second; };
static_assert(!CanPut<Memory<CD>, CD::Val>);
static_assert(!CanIndex<Memory<CD>>);
static_assert(!CanMutateThroughIterator<Memory<CD>>);

struct Announced {
  uint32_t address, bytes;
  Access kind;
  Writer by;
  bool when;
};

// Records every write announced to the monitors.
struct Recorder : Monitor<CD> {
  std::vector<Announced> writes;
  void on_access(Machine<CD>&, State<CD>&, const MemoryAccess<CD>& a) override {
    if (a.write) writes.push_back({a.address, a.bytes, a.kind, a.by, a.when});
  }
  bool covers(uint32_t byte) const {
    for (const auto& w : writes)
      if (byte - w.address < w.bytes) return true;
    return false;
  }
  std::set<Writer> writers() const {
    std::set<Writer> out;
    for (const auto& w : writes) out.insert(w.by);
    return out;
  }
};

// Runs `steps` steps of r with a recorder attached; every byte whose value
// changed (or that appeared) must lie in an announced write.
std::set<Writer> check_announced(Rig& r, int steps) {
  Recorder rec;
  std::set<Writer> seen;
  r.m.monitors.push_back(&rec);
  for (int i = 0; i < steps; ++i) {
    std::map<uint32_t, uint32_t> before;
    for (const auto& [a, v] : r.s.mem) before[a] = v.v;
    rec.writes.clear();
    step(r.m, r.s);
    for (const auto& [a, v] : r.s.mem) {
      auto it = before.find(a);
      if (it != before.end() && it->second == v.v) continue;
      CHECK_MESSAGE(rec.covers(a), "byte " << hex32(a) << " changed at step " << i << " unannounced");
    }
    for (Writer w : rec.writers()) seen.insert(w);
  }
  r.m.monitors.clear();
  return seen;
}

}  // namespace

TEST_CASE("funnel: an instruction's store, push and string move are announced") {
  Rig r("\tmovl %eax, (%ebx)\n\tpushl %eax\n\tpushl %ds\n\tmovsb\n\tcall 1f\n1:\tnop\n");
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EBX, 0x2000);
  r.set(Reg::ESI, 0x2100);
  r.set(Reg::EDI, 0x2200);
  r.set(Reg::EAX, 0x11223344);
  auto writers = check_announced(r, 5);
  CHECK(writers == std::set<Writer>{Writer::Instruction});
  CHECK(r.peek(0x2000) == 0x11223344);
  CHECK(r.peek(0x2ffc) == 0x11223344);
}

TEST_CASE("funnel: the CPU's exception frame is announced as the delivery's, on the stack") {
  Rig r("\tint3\nentry:\tnop\n", RigOptions().gate(3, "entry"));
  r.set(Reg::ESP, 0x3000);
  Recorder rec;
  r.m.monitors.push_back(&rec);
  r.run();
  REQUIRE(rec.writes.size() == 3);  // EFLAGS, CS, EIP
  for (const auto& w : rec.writes) {
    CHECK(w.by == Writer::Delivery);
    CHECK(w.kind == Access::Stack);
    CHECK(w.bytes == 4);
  }
  CHECK(rec.writes[2].address == 0x2ff4);
}

TEST_CASE("funnel: the abstract NMI's clobber is one stack write, conditional on its arrival") {
  for (bool arrives : {true, false}) {
    CAPTURE(arrives);
    Rig r("\tnop\n", RigOptions().with_nmi(16));
    r.set(Reg::ESP, 0x3000);
    r.d.inputs["nmi@0"] = arrives ? 1 : 0;
    Recorder rec;
    r.m.monitors.push_back(&rec);
    r.run();
    if (!arrives) {
      CHECK(rec.writes.empty());
      continue;
    }
    REQUIRE(rec.writes.size() == 1);
    CHECK(rec.writes[0].address == 0x2ff0);
    CHECK(rec.writes[0].bytes == 16);
    CHECK(rec.writes[0].kind == Access::Stack);
    CHECK(rec.writes[0].by == Writer::Nmi);
    CHECK(rec.writes[0].when);
  }
}

TEST_CASE("funnel: the NMI's bytes at the task stack's top are foreign (its own stack, its own CR3)") {
  RigOptions o = RigOptions().with_nmi(8);
  o.regions = {Region{"entry_stack", 0x3000, 0x100, true, true}, Region{"task_stack", 0x8000, 0x1000, false, true}};
  Rig r("\tnop\n", o);
  r.set(Reg::ESP, 0x30f0);
  r.d.inputs["nmi@0"] = 1;
  auto writers = check_announced(r, 1);
  CHECK(writers == std::set<Writer>{Writer::Nmi});
}

TEST_CASE("funnel: a C call announces its return address and its body's stack separately") {
  Rig r("\tcall do_irq\n\tnop\n", RigOptions().handler("do_irq", HandlerContract{}));
  r.set(Reg::ESP, 0x3000);
  Recorder rec;
  r.m.monitors.push_back(&rec);
  r.run();
  REQUIRE(rec.writes.size() == 2);
  CHECK(rec.writes[0].by == Writer::HandlerCall);
  CHECK(rec.writes[0].address == 0x2ffc);
  CHECK(rec.writes[0].bytes == 4);
  CHECK(rec.writes[1].by == Writer::HandlerBody);
  CHECK(rec.writes[1].address == 0x2ff0);  // call_clobber_bytes = 16
  CHECK(rec.writes[1].bytes == 12);
  for (const auto& w : rec.writes) CHECK(w.kind == Access::Stack);
}

TEST_CASE("funnel: every byte a step changes was announced, for every writer") {
  // One program that exercises each writer in turn: a store, a string move,
  // a C call (return address and body), an exception (frame), with NMIs on.
  RigOptions o = RigOptions().with_nmi(8).gate(3, "entry").handler("do_irq", HandlerContract{});
  Rig r("\tmovl %eax, (%ebx)\n\tmovsl\n\tcall do_irq\n\tint3\nentry:\tnop\n", o);
  r.set(Reg::ESP, 0x3000);
  r.set(Reg::EBX, 0x2000);
  r.set(Reg::ESI, 0x2100);
  r.set(Reg::EDI, 0x2200);
  for (int i = 0; i < 5; ++i) r.d.inputs["nmi@" + std::to_string(i)] = 1;
  auto writers = check_announced(r, 5);
  CHECK(writers == std::set<Writer>{Writer::Instruction, Writer::Nmi, Writer::HandlerCall, Writer::HandlerBody,
                                    Writer::Delivery});
}

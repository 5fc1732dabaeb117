// The invariant catalog and its monitors, on the concrete semantics: each
// monitor is fed one small run and must report (or not) by its own id.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "solver/invariants/catalog.hpp"
#include "tests/support/sem_harness.hpp"

using namespace ec;
using namespace ec::semtest;

namespace {

// Collects what the monitors report, by invariant.
struct Recorder : Reporter<CD> {
  std::map<InvariantId, std::string> failed;
  void require(CState&, InvariantId id, const bool& holds, const std::string& message) override {
    if (!holds && !failed.count(id)) failed[id] = message;
  }
};

struct Watched {
  Recorder rec;
  std::unique_ptr<Monitor<CD>> monitor;
  Watched(Rig& r, std::unique_ptr<Monitor<CD>> m) : monitor(std::move(m)) {
    r.m.monitors.push_back(monitor.get());
    r.m.reporter = &rec;
  }
};

Region stack_region(uint32_t base, uint32_t size) {
  Region g;
  g.name = "stack";
  g.base = base;
  g.size = size;
  g.stack = true;
  return g;
}

}  // namespace

TEST_CASE("catalog: every row has a distinct name, a meaning and a monitor") {
  std::set<std::string_view> names;
  for (InvariantId id : all_invariants()) {
    CHECK(names.insert(invariant_name(id)).second);
    CHECK(!invariant_meaning(id).empty());
    CHECK(invariant_by_name(invariant_name(id)) == id);
    Rig r("\tnop\n");
    std::map<size_t, std::vector<Assertion>> assertions;
    ResumeExpectations expect;
    std::vector<std::string> ignores;
    MonitorContext<CD> c{r.s, CD::mk(0, 32), nullptr, ignores, assertions, expect};
    CHECK(make_monitor(id, c) != nullptr);
  }
  CHECK(names.size() == 6);
  CHECK(!invariant_by_name("nosuch"));
}

TEST_CASE("catalog: a machine stop counts against its invariant when the spec checks it, else against resume") {
  CHECK(invariant_broken_by(StopKind::UserCr3KernelAccess) == InvariantId::Cr3);
  CHECK(invariant_broken_by(StopKind::KernelFaultNoFixup) == InvariantId::Resume);
  CHECK(attribute_stop(StopKind::UserCr3KernelAccess, {InvariantId::Resume, InvariantId::Cr3}) == InvariantId::Cr3);
  CHECK(attribute_stop(StopKind::UserCr3KernelAccess, {InvariantId::Resume}) == InvariantId::Resume);
  CHECK(attribute_stop(StopKind::Halt, {InvariantId::StackBounds}) == InvariantId::Resume);
}

// A push writes the four bytes below ESP: 0x1ffc..0x1fff, inside [0x1000,
// 0x2000); with ESP at the region's base the push writes 0xffc..0xfff,
// below it (SDM Vol.2 PUSH: ESP is decremented, then the value stored).
TEST_CASE("stack-bounds: a push inside the stack region holds, one below its base fails") {
  RigOptions o;
  o.regions = {stack_region(0x1000, 0x1000)};
  {
    Rig r("\tpushl %eax\n", o);
    Watched w(r, std::make_unique<StackBoundsMonitor<CD>>());
    r.set(Reg::ESP, 0x2000);
    r.run();
    CHECK(w.rec.failed.empty());
  }
  {
    Rig r("\tpushl %eax\n", o);
    Watched w(r, std::make_unique<StackBoundsMonitor<CD>>());
    r.set(Reg::ESP, 0x1000);
    r.run();
    REQUIRE(w.rec.failed.count(InvariantId::StackBounds));
    CHECK(w.rec.failed[InvariantId::StackBounds].find("push to 0x00000ffc outside every stack region") !=
          std::string::npos);
  }
}

// A data store is not a stack access: stack-bounds says nothing of it.
TEST_CASE("stack-bounds: a data store outside every region is not its business") {
  RigOptions o;
  o.regions = {stack_region(0x1000, 0x1000)};
  Rig r("\tmovl %eax, 0x5000\n", o);
  Watched w(r, std::make_unique<StackBoundsMonitor<CD>>());
  r.set(Reg::ESP, 0x2000);
  r.run();
  CHECK(w.rec.failed.empty());
}

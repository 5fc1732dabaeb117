// Trace file names of a verify run (solver/verify): bounded, unique, and
// the plain <spec>.<scenario>.<profile>.<invariant>.json when that is both.
#include <doctest/doctest.h>

#include <set>

#include "solver/verify/verify.hpp"

TEST_CASE("plain names stay as they are; odd characters become '_'") {
  auto names = ec::trace_file_names({{"s", "irq", "stale", "resume"}, {"a b", "x/y", "p:q", "cr3"}});
  REQUIRE(names.size() == 2);
  CHECK(names[0] == "s.irq.stale.resume.json");
  CHECK(names[1] == "a_b.x_y.p_q.cr3.json");
}

TEST_CASE("a long name is cut and ends in a hash of the whole name") {
  std::string scenario(300, 'x');
  auto names = ec::trace_file_names({{"s", scenario, "any", "resume"}, {"s", scenario + "y", "any", "resume"}});
  CHECK(names[0].size() <= ec::kMaxTraceName);
  CHECK(names[1].size() <= ec::kMaxTraceName);
  CHECK(names[0] != names[1]);  // they differ only past the cut: the hash tells them apart
  CHECK(names[0].substr(0, 4) == "s.xx");
  CHECK(names[0].substr(names[0].size() - 5) == ".json");
}

TEST_CASE("names that collide, as written or after '_' replacement, are made unique") {
  auto names = ec::trace_file_names({{"s", "a/b", "any", "resume"}, {"s", "a_b", "any", "resume"},
                                     {"s", "a_b", "any", "resume"}, {"s", "a_b", "any", "resume"}});
  CHECK(names[0] == "s.a_b.any.resume.json");
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == 4);
  for (const auto& n : names) CHECK(n.size() <= ec::kMaxTraceName);
}

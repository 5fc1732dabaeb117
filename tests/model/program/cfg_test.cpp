// The control-flow graph (model/program/cfg.hpp): blocks start at labels,
// branch targets and after branches; edges are named by kind; blocks no
// entry reaches are marked and warned about. Expected graphs are drawn by
// hand from the listings below.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <tuple>

#include "model/asm/link.hpp"
#include "model/asm/parsed.hpp"
#include "model/program/cfg.hpp"

namespace {

ec::Program program_of(const std::string& text) {
  return ec::link_program(ec::parse_asm_text(text, "t.S", {}), ec::LinkOptions{});
}

// (from block label, to block label, kind) for every edge.
std::set<std::tuple<std::string, std::string, std::string>> edges(const ec::Cfg& cfg) {
  std::set<std::tuple<std::string, std::string, std::string>> out;
  for (auto [e, end] = boost::edges(cfg.graph); e != end; ++e) {
    const auto& from = cfg.graph[boost::source(*e, cfg.graph)];
    const auto& to = cfg.graph[boost::target(*e, cfg.graph)];
    out.insert({from.label, to.label, ec::edge_kind_name(cfg.graph[*e].kind)});
  }
  return out;
}

const ec::BasicBlock& block(const ec::Cfg& cfg, const std::string& label) {
  for (size_t b = 0; b < boost::num_vertices(cfg.graph); ++b)
    if (cfg.graph[b].label == label) return cfg.graph[b];
  FAIL("no block labelled " << label);
  return cfg.graph[0];
}

const char* kBranchy =
    "\t.globl entry\n"
    "entry:\n"          // block entry: instructions 0-1
    "\ttestl %eax, %eax\n"
    "\tjz skip\n"
    "body:\n"           // block body: 2-3 (falls through from entry)
    "\tcall helper\n"
    "\tincl %ebx\n"     // after a call: a block of its own, unlabelled
    "skip:\n"           // block skip: the branch target
    "\tiret\n"
    "helper:\n"
    "\tret\n"
    "dead:\n"           // nothing jumps or falls here: iret and ret end the blocks before
    "\tnop\n"
    "\tjmp skip\n";

}  // namespace

TEST_CASE("blocks and edges of a program with a branch, a call and a return") {
  ec::Program p = program_of(kBranchy);
  ec::Cfg cfg = ec::build_cfg(p, {});
  using E = std::tuple<std::string, std::string, std::string>;
  std::set<E> want = {{"entry", "skip", "branch"}, {"entry", "body", "fallthrough"}, {"body", "helper", "call"},
                      {"body", "", "fallthrough"},  {"", "skip", "fallthrough"},     {"dead", "skip", "jump"}};
  CHECK(edges(cfg) == want);
  CHECK(block(cfg, "entry").first == 0);
  CHECK(block(cfg, "entry").last == 1);
  CHECK(block(cfg, "body").first == 2);
  CHECK(block(cfg, "body").last == 2);
  CHECK(boost::num_vertices(cfg.graph) == 6);
}

TEST_CASE("reachability from the global labels, and a warning for the rest") {
  ec::Program p = program_of(kBranchy);
  ec::Cfg cfg = ec::build_cfg(p, {});
  CHECK(block(cfg, "entry").reachable);
  CHECK(block(cfg, "skip").reachable);
  CHECK(block(cfg, "helper").reachable);  // through the call
  CHECK_FALSE(block(cfg, "dead").reachable);
  REQUIRE(cfg.warnings.size() == 1);
  CHECK(cfg.warnings[0].find("t.S:13:2: warning: code not reachable from any entry") == 0);
}

TEST_CASE("named entries replace the global labels as roots") {
  ec::Program p = program_of(kBranchy);
  ec::Cfg cfg = ec::build_cfg(p, {"dead"});
  CHECK(block(cfg, "dead").reachable);
  CHECK(block(cfg, "skip").reachable);
  CHECK_FALSE(block(cfg, "entry").reachable);
  CHECK_FALSE(block(cfg, "helper").reachable);
  CHECK_THROWS_AS(ec::build_cfg(p, {"nowhere"}), ec::InputError);
}

TEST_CASE("an exception-table entry is a fixup edge, and an indirect jump is warned about") {
  ec::Program p = program_of(
      "\t.globl entry\n"
      "entry:\n"
      "1:\tmovl (%eax), %ebx\n"
      "\tjmp *%ecx\n"
      "fixup:\n"
      "\tiret\n"
      "\t_ASM_EXTABLE(1b, fixup)\n");
  ec::Cfg cfg = ec::build_cfg(p, {});
  CHECK(edges(cfg).count({"entry", "fixup", "fixup"}) == 1);
  CHECK(block(cfg, "fixup").reachable);  // only through the fixup edge
  bool indirect = false;
  for (const auto& w : cfg.warnings) indirect |= w.find("t.S:4:2: warning: indirect jump") == 0;
  CHECK(indirect);
}

// The control-flow graph of a program: basic blocks and the edges between
// them (fall-through, jumps, calls, exception-table fixups), in Boost.Graph.
#pragma once
#include <boost/graph/adjacency_list.hpp>
#include <string>
#include <vector>

#include "model/program/program.hpp"

namespace ec {

struct BasicBlock {
  size_t first = 0, last = 0;  // instruction indexes, inclusive
  std::string label;           // the label at its start, if any
  bool reachable = false;
};

enum class EdgeKind { FallThrough, Jump, Branch, Call, Fixup };

struct CfgEdge {
  EdgeKind kind = EdgeKind::FallThrough;
};

using CfgGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, BasicBlock, CfgEdge>;

struct Cfg {
  CfgGraph graph;
  std::vector<size_t> entry_blocks;
  std::vector<std::string> warnings;  // unreachable code, indirect jumps
};

// Roots: the named entry labels, or else the program's global labels, or
// else its first instruction.
Cfg build_cfg(const Program& program, const std::vector<std::string>& entries);

std::string cfg_to_text(const Program& program, const Cfg& cfg);
std::string cfg_to_dot(const Program& program, const Cfg& cfg);
std::string edge_kind_name(EdgeKind k);

}  // namespace ec

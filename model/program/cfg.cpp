#include "model/program/cfg.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <set>
#include <sstream>

#include "model/base/hex.hpp"
#include "model/program/instruction_table.hpp"

namespace ec {
namespace {

Flow flow_of(const Instruction& ins) { return instruction_info(ins.op).flow; }

// A call to a C handler (a contract) comes back like any instruction.
bool ends_block(const Instruction& ins) {
  Flow f = flow_of(ins);
  return f != Flow::Next && !(f == Flow::Call && !ins.external_call.empty());
}

bool falls_through(const Instruction& ins) {
  Flow f = flow_of(ins);
  return f != Flow::Jump && f != Flow::Return && f != Flow::Stop;
}

std::set<size_t> leaders(const Program& p) {
  std::set<size_t> out = {0};
  for (const auto& [name, index] : p.labels)
    if (index < p.instructions.size()) out.insert(index);
  for (size_t i = 0; i < p.instructions.size(); ++i) {
    const Instruction& ins = p.instructions[i];
    if (ins.target) out.insert(*ins.target);
    if (ends_block(ins) && i + 1 < p.instructions.size()) out.insert(i + 1);
  }
  for (const auto& e : p.extable) {
    if (auto i = p.index_of(e.from)) out.insert(*i);
    if (auto i = p.index_of(e.to)) out.insert(*i);
  }
  return out;
}

struct ReachVisitor : boost::default_bfs_visitor {
  std::vector<bool>* seen;
  void discover_vertex(CfgGraph::vertex_descriptor v, const CfgGraph&) const { (*seen)[v] = true; }
};

}  // namespace

std::string edge_kind_name(EdgeKind k) {
  switch (k) {
    case EdgeKind::FallThrough: return "fallthrough";
    case EdgeKind::Jump: return "jump";
    case EdgeKind::Branch: return "branch";
    case EdgeKind::Call: return "call";
    case EdgeKind::Fixup: return "fixup";
  }
  return "?";
}

Cfg build_cfg(const Program& p, const std::vector<std::string>& entries) {
  Cfg cfg;
  if (p.instructions.empty()) return cfg;
  std::set<size_t> starts = leaders(p);
  std::vector<size_t> block_of(p.instructions.size());
  std::vector<size_t> order(starts.begin(), starts.end());
  for (size_t b = 0; b < order.size(); ++b) {
    size_t last = b + 1 < order.size() ? order[b + 1] - 1 : p.instructions.size() - 1;
    boost::add_vertex(BasicBlock{order[b], last, p.label_at(order[b]), false}, cfg.graph);
    for (size_t i = order[b]; i <= last; ++i) block_of[i] = b;
  }
  for (size_t b = 0; b < order.size(); ++b) {
    const BasicBlock& bb = cfg.graph[b];
    const Instruction& ins = p.instructions[bb.last];
    bool falls = falls_through(ins);
    if (ins.target) {
      Flow f = flow_of(ins);
      EdgeKind k = f == Flow::Branch ? EdgeKind::Branch : f == Flow::Call ? EdgeKind::Call : EdgeKind::Jump;
      boost::add_edge(b, block_of[*ins.target], CfgEdge{k}, cfg.graph);
    } else if (flow_of(ins) == Flow::Jump) {
      cfg.warnings.push_back(ins.loc.str() + ": warning: " +
                             (ins.external_call.empty() ? std::string("indirect jump; its targets are not in the graph")
                                                        : "jump to the C function '" + ins.external_call +
                                                              "' (a tail call); where it returns is not in the graph"));
    }
    if (falls && bb.last + 1 < p.instructions.size())
      boost::add_edge(b, block_of[bb.last + 1], CfgEdge{EdgeKind::FallThrough}, cfg.graph);
  }
  for (const auto& e : p.extable) {
    auto from = p.index_of(e.from), to = p.index_of(e.to);
    if (from && to) boost::add_edge(block_of[*from], block_of[*to], CfgEdge{EdgeKind::Fixup}, cfg.graph);
  }

  std::vector<std::string> roots = entries;
  if (roots.empty()) roots.assign(p.globals.begin(), p.globals.end());
  for (const auto& name : roots) {
    auto index = p.label_index(name);
    if (!index || *index >= p.instructions.size())
      throw InputError(SourceLocation{}, "entry label '" + name + "' is not defined before an instruction");
    cfg.entry_blocks.push_back(block_of[*index]);
  }
  if (cfg.entry_blocks.empty()) cfg.entry_blocks.push_back(0);

  std::vector<bool> seen(order.size(), false);
  for (size_t root : cfg.entry_blocks) {
    if (seen[root]) continue;
    ReachVisitor vis;
    vis.seen = &seen;
    std::vector<boost::default_color_type> colors(order.size());
    boost::breadth_first_search(cfg.graph, root,
                                boost::visitor(vis).color_map(boost::make_iterator_property_map(
                                    colors.begin(), boost::get(boost::vertex_index, cfg.graph))));
  }
  for (size_t b = 0; b < order.size(); ++b) {
    cfg.graph[b].reachable = seen[b];
    if (!seen[b])
      cfg.warnings.push_back(p.instructions[cfg.graph[b].first].loc.str() +
                             ": warning: code not reachable from any entry (block " + std::to_string(b) + ")");
  }
  return cfg;
}

std::string cfg_to_text(const Program& p, const Cfg& cfg) {
  std::ostringstream out;
  for (size_t b = 0; b < boost::num_vertices(cfg.graph); ++b) {
    const BasicBlock& bb = cfg.graph[b];
    out << "block " << b;
    if (!bb.label.empty()) out << " <" << bb.label << ">";
    out << "  " << p.instructions[bb.first].loc.str() << (bb.reachable ? "" : "  (unreachable)") << "\n";
    for (size_t i = bb.first; i <= bb.last; ++i)
      out << "    " << hex32(p.instructions[i].address).substr(2) << "  " << p.instructions[i].text << "\n";
    auto [ei, ee] = boost::out_edges(b, cfg.graph);
    for (; ei != ee; ++ei)
      out << "    -> block " << boost::target(*ei, cfg.graph) << " (" << edge_kind_name(cfg.graph[*ei].kind) << ")\n";
  }
  return out.str();
}

// GCC 12 flags Boost's own edge iterator in write_graphviz as maybe
// uninitialized (a false positive inside boost/graph/graphviz.hpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
std::string cfg_to_dot(const Program& p, const Cfg& cfg) {
  std::ostringstream out;
  auto vertex_writer = [&](std::ostream& os, size_t b) {
    const BasicBlock& bb = cfg.graph[b];
    std::string text = bb.label.empty() ? "block " + std::to_string(b) : bb.label;
    for (size_t i = bb.first; i <= bb.last; ++i) {
      std::string line = p.instructions[i].text;
      std::string escaped;
      for (char c : line) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
      }
      text += "\\l" + escaped;
    }
    os << "[shape=box,fontname=monospace,label=\"" << text << "\\l\"" << (bb.reachable ? "" : ",style=dashed") << "]";
  };
  auto edge_writer = [&](std::ostream& os, CfgGraph::edge_descriptor e) {
    os << "[label=\"" << edge_kind_name(cfg.graph[e].kind) << "\"]";
  };
  boost::write_graphviz(out, cfg.graph, vertex_writer, edge_writer);
  return out.str();
}

#pragma GCC diagnostic pop

}  // namespace ec

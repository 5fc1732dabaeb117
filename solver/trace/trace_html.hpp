// A counterexample as one self-contained HTML page (entrycheck show --html):
// the page carries the trace, the source files it names, its style and its
// script (solver/trace/html/, compiled in), and loads nothing.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "solver/trace/trace.hpp"

namespace ec {

// The source files a trace's locations name, by the path the trace gives:
// their lines, or nullopt where no file was found (the page says "source
// not available").
using TraceSources = std::map<std::string, std::optional<std::vector<std::string>>>;

// Reads them: each path as given, else relative to the trace file's folder
// and each folder above it (a trace written from a checkout's root and read
// from elsewhere).
TraceSources load_trace_sources(const Trace& t, const std::string& trace_path);

std::string trace_to_html(const Trace& t, const TraceSources& sources);

// Where a macro expanded at `line` of `lines` (1-based) has its body: the
// lines from `.macro NAME` to `.endm` around it; {line, line} when no such
// block encloses it.
std::pair<int, int> macro_body_range(const std::vector<std::string>& lines, int line, const std::string& name);

}  // namespace ec

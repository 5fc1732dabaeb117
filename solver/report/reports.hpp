// Verdicts printed for machines: JSON summary, SARIF 2.1.0 (GitHub code
// scanning), JUnit XML (CI test reports). The verdicts are data
// (solver/explorer.hpp); these only print them.
#pragma once
#include <string>
#include <vector>

#include "solver/explore/explorer.hpp"

namespace ec {

std::string verdict_line(const Verdict& v);            // one line for people
std::string violation_diagnostic(const Verdict& v);    // "file:line:col: error: ..."
std::string verdicts_to_json(const std::vector<Verdict>& verdicts);
std::string verdicts_to_sarif(const std::vector<Verdict>& verdicts);
std::string verdicts_to_junit(const std::vector<Verdict>& verdicts);

}  // namespace ec

// entrycheck's version: CMake's PROJECT_VERSION, compiled into version.cpp
// only, so that a new version rebuilds one file. `entrycheck --version`,
// SARIF's tool.driver.version and JSON traces' "entrycheck_version" print it.
#pragma once
#include <string>

namespace ec {

std::string entrycheck_version();

}  // namespace ec

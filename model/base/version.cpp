#include "model/base/version.hpp"

#ifndef EC_PROJECT_VERSION
#error "EC_PROJECT_VERSION is set by model/base/CMakeLists.txt from PROJECT_VERSION"
#endif

namespace ec {

std::string entrycheck_version() { return EC_PROJECT_VERSION; }

}  // namespace ec

// `carat seed`: demo data for development (never run by migrations).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/startup.hpp"

namespace carat::cli {

int seed() {
  std::cerr << "carat seed: not available in this build yet\n";
  return 1;
}

}  // namespace carat::cli

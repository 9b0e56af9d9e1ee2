// `carat migrate`: apply pending migrations and exit.
#include "cli/commands.hpp"
#include "cli/startup.hpp"

namespace carat::cli {

int migrate() {
  auto cfg = load_config();
  if (!cfg) return 2;
  return prepare_database(*cfg, /*force_migrate=*/true) ? 0 : 1;
}

}  // namespace carat::cli

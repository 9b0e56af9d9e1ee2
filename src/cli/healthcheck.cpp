// `carat healthcheck`: exit 0 when the URL answers 200 (for container HEALTHCHECK; the runtime
// image has no curl).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/http_client.hpp"

namespace carat::cli {

int healthcheck(const std::string& url) {
  auto r = http_call("GET", url, {}, {}, 3000);
  if (r.ok && r.status == 200) return 0;
  std::cerr << "healthcheck " << url << ": " << (r.ok ? "HTTP " + std::to_string(r.status) : r.error)
            << "\n";
  return 1;
}

}  // namespace carat::cli

// Subcommands of the `carat` executable. Each returns the process exit code.
#pragma once

#include <string>

namespace carat::cli {

struct VerifyOptions {
  std::string base_url;
  std::string email;
  std::string password;
  std::string origin;
  int attempts = 10;
  int timeout_seconds = 5;
};

int serve();
int migrate();
int seed();
int verify(const VerifyOptions& options);
int healthcheck(const std::string& url);

}  // namespace carat::cli

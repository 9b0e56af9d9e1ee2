// carat: the Carat community API server and its operational commands.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdlib>

#include "cli/commands.hpp"
#include "cli/startup.hpp"

namespace {

// glibc maps blocks of 128 KiB and more (request bodies, large answers) on their own, and unmaps
// them when freed, but only until the first such block is freed: then it raises the threshold to
// that block's size, and later large blocks are carved from the per-thread arenas, which keep
// them resident. Eight parallel 1 MiB bodies left +34 MiB resident that way, and every burst
// stacked on the last (issue 14, tests/resilience/one_client_test.cpp); with the threshold fixed
// they leave nothing. Setting MALLOC_MMAP_THRESHOLD_ in the environment overrides this.
void keep_large_blocks_returnable() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace carat::cli;
  keep_large_blocks_returnable();
  CLI::App app{"Carat community API (C++). Configuration comes from the environment; see README."};
  app.require_subcommand(1);
  app.set_version_flag("--version", carat::cli::service_version());

  auto* serve_cmd = app.add_subcommand(
      "serve", "Apply migrations (unless RUN_MIGRATIONS=false), then serve HTTP on HOST:PORT");
  auto* migrate_cmd = app.add_subcommand("migrate", "Apply pending database migrations and exit");
  auto* seed_cmd = app.add_subcommand(
      "seed", "Insert demo data (users incl. premium@test.com / premium123, posts, comments)");
  auto* version_cmd = app.add_subcommand("version", "Print the service version");

  VerifyOptions verify_opts;
  auto* verify_cmd = app.add_subcommand(
      "verify", "Check a deployment: health, posts, login, /api/auth/me, CORS preflight");
  verify_cmd->add_option("base-url", verify_opts.base_url, "Service URL, e.g. https://api.example.com")
      ->required();
  verify_cmd->add_option("--email", verify_opts.email, "Login e-mail (or VERIFY_EMAIL)");
  verify_cmd->add_option("--password", verify_opts.password, "Login password (or VERIFY_PASSWORD)");
  verify_cmd->add_option("--origin", verify_opts.origin, "Web client origin for the CORS check")
      ->default_val("http://localhost:5173");
  verify_cmd->add_option("--attempts", verify_opts.attempts, "Attempts per check (backoff between)")
      ->default_val(10)
      ->check(CLI::Range(1, 100));
  verify_cmd->add_option("--timeout-seconds", verify_opts.timeout_seconds, "Per-request timeout")
      ->default_val(5)
      ->check(CLI::Range(1, 120));

  std::string health_url = "http://127.0.0.1:8000/healthz";
  auto* health_cmd = app.add_subcommand("healthcheck", "Exit 0 if the URL answers 200");
  health_cmd->add_option("--url", health_url, "URL to probe")->default_val(health_url);

  CLI11_PARSE(app, argc, argv);

  if (*serve_cmd) return serve();
  if (*migrate_cmd) return migrate();
  if (*seed_cmd) return seed();
  if (*version_cmd) {
    std::cout << service_version() << "\n";
    return 0;
  }
  if (*verify_cmd) {
    if (verify_opts.email.empty()) {
      if (const char* e = std::getenv("VERIFY_EMAIL")) verify_opts.email = e;
    }
    if (verify_opts.password.empty()) {
      if (const char* p = std::getenv("VERIFY_PASSWORD")) verify_opts.password = p;
    }
    return verify(verify_opts);
  }
  if (*health_cmd) return healthcheck(health_url);
  return 2;
}

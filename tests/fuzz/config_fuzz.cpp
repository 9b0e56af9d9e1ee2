// Service configuration (config/config.hpp): config::load over a fuzzed environment either
// returns a Config whose values respect their documented bounds or throws ConfigError listing
// the problems; nothing else escapes. Also parse_cidr / cidr_contains.
//
// Input: "NAME=value" lines. Values are cut at the first NUL, as a real environment holds
// C strings; a name without '=' is set to the empty string.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "config/config.hpp"
#include "fuzz_common.hpp"
#include "util/strings.hpp"

namespace {

namespace config = carat::config;
namespace fz = carat::fuzz;

void check_cidr(const std::string& item, const std::string& address) {
  const auto c = config::parse_cidr(item);
  if (!c) return;
  FUZZ_CHECK(c->prefix >= 0 && c->prefix <= (c->v6 ? 128 : 32));
  // The prefix written after '/' is the prefix used (no wrap-around of huge numbers).
  if (const size_t slash = item.find('/'); slash != std::string::npos) {
    const auto written = carat::text::parse_int64(item.substr(slash + 1));
    FUZZ_CHECK(written && *written == c->prefix);
  }
  // A network contains its own address.
  char buf[INET6_ADDRSTRLEN] = {};
  FUZZ_CHECK(inet_ntop(c->v6 ? AF_INET6 : AF_INET, c->addr, buf, sizeof buf) != nullptr);
  FUZZ_CHECK(config::cidr_contains(*c, buf));
  (void)config::cidr_contains(*c, address);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fz::as_view(data, size);
  std::map<std::string, std::string> env;
  std::vector<std::string> values;
  while (!in.empty()) {
    const std::string_view line = fz::take_until(in, '\n');
    const size_t eq = line.find('=');
    const std::string name(line.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1));
    if (const size_t nul = value.find('\0'); nul != std::string::npos) value.resize(nul);
    fz::check_text(value);
    values.push_back(value);
    env[name] = value;
  }
  const config::EnvLookup lookup = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };

  try {
    const config::Config c = config::load(lookup);
    FUZZ_CHECK(c.port >= 0 && c.port <= 65535);
    FUZZ_CHECK(c.max_connections >= 1);
    FUZZ_CHECK(c.bcrypt_cost >= 4 && c.bcrypt_cost <= 31);
    FUZZ_CHECK(!c.production || c.bcrypt_cost >= 12);
    FUZZ_CHECK(!c.secret_key.empty());
    FUZZ_CHECK(!c.production || (c.secret_key.size() >= 32 && !c.secret_key_is_dev_default &&
                                 !c.secret_key_is_known_placeholder));
    FUZZ_CHECK(!c.production || c.database.kind == config::DatabaseUrl::Kind::kPostgres);
    FUZZ_CHECK(c.default_membership_type == "free" || c.default_membership_type == "premium");
    FUZZ_CHECK(c.metrics_token.empty() || c.metrics_token.size() >= 16);
    FUZZ_CHECK(c.media_storage != config::MediaStorageKind::kS3 || !c.s3_bucket.empty());
    for (const auto& cidr : c.metrics_allow_cidrs) {
      FUZZ_CHECK(cidr.prefix >= 0 && cidr.prefix <= (cidr.v6 ? 128 : 32));
    }
    FUZZ_CHECK(c.effective_pool_size() > 0 && c.effective_worker_threads() > 0);
    FUZZ_CHECK(c.effective_io_threads() > 0 && c.effective_bcrypt_threads() > 0);
  } catch (const config::ConfigError& e) {
    FUZZ_CHECK(!e.problems().empty());
    for (const auto& p : e.problems()) FUZZ_CHECK(p.find(':') != std::string::npos);
  }

  // Every value is also tried as a METRICS_ALLOW_CIDRS item, against the next value as a peer.
  for (size_t i = 0; i < values.size(); ++i) {
    check_cidr(values[i], values[(i + 1) % values.size()]);
  }
  return 0;
}

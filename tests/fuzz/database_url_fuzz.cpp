// DATABASE_URL parsing and redaction (config/database_url.hpp): no crash, consistent results, and
// no password in `redacted` or in an error message.
//
// Input: the first byte picks the mode, the rest is its data.
//   even: the rest is the URL. libpq's own reading of an accepted URL is the oracle for where
//         its password is.
//   odd:  "scheme\nuser\npassword\nhost\nrest" is assembled into
//         "scheme://user:password@host rest", so the password is known even when libpq rejects
//         the URL, and checked against the error message too.
#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/database_url.hpp"
#include "fuzz_common.hpp"

namespace {

namespace config = carat::config;
namespace fz = carat::fuzz;

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Single-pass percent-decoding as libpq does it; bad escapes stay.
std::string decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

size_t count(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// The password libpq reads from a URI, if it accepts it.
std::optional<std::string> libpq_password(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) return std::nullopt;
  std::optional<std::string> pw;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) pw = o->val;
  }
  PQconninfoFree(opts);
  return pw;
}

void check_consistency(std::string_view url) {
  std::string error;
  const auto parsed = config::parse_database_url(url, error);
  const std::string redacted = config::redact_url(url);
  if (!parsed) {
    FUZZ_CHECK(!error.empty());
    return;
  }
  FUZZ_CHECK(error.empty());
  FUZZ_CHECK(parsed->redacted == redacted);
  if (parsed->kind == config::DatabaseUrl::Kind::kSqlite) {
    FUZZ_CHECK(!parsed->sqlite_path.empty());
    FUZZ_CHECK(parsed->sqlite_path.find('\0') == std::string::npos);
    FUZZ_CHECK(parsed->sqlite_path.find('?') == std::string::npos);
    FUZZ_CHECK(parsed->conninfo.empty());
    return;
  }
  FUZZ_CHECK(parsed->conninfo.rfind("postgresql://", 0) == 0);
  FUZZ_CHECK(parsed->conninfo.find('\0') == std::string::npos);
  // What we accept, libpq accepts; the password it would use is gone from the redacted form.
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(parsed->conninfo.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  FUZZ_CHECK(opts != nullptr);
  PQconninfoFree(opts);
  const auto pw = libpq_password(parsed->conninfo);
  if (pw && pw->size() >= 3 && pw->find('*') == std::string::npos) {
    FUZZ_CHECK(count(decoded(redacted), *pw) < count(decoded(url), *pw));
  }
}

// A password no message could contain by chance: long enough, with a character that neither
// Carat's nor libpq's message texts use, and no quote or '*' (messages quote URL parts in '' or
// "", so a password with a quote could straddle fixed text and a quoted part; "***" is the
// replacement).
bool distinctive(std::string_view pw) {
  if (pw.size() < 4) return false;
  if (pw.find_first_of("\"'*") != std::string_view::npos) return false;
  for (unsigned char c : pw) {
    if (c >= 0x80 || c < 0x20 || std::string_view("!#$&?^`{|}~").find(static_cast<char>(c)) !=
                                     std::string_view::npos) {
      return true;
    }
  }
  return false;
}

void check_structured(std::string_view in) {
  const std::string_view scheme = fz::take_until(in, '\n');
  const std::string_view user = fz::take_until(in, '\n');
  const std::string_view password = fz::take_until(in, '\n');
  const std::string_view host = fz::take_until(in, '\n');
  const std::string_view rest = in;
  const std::string prefix = std::string(scheme) + "://" + std::string(user) + ":";
  const std::string suffix = "@" + std::string(host) + std::string(rest);
  const std::string url = prefix + std::string(password) + suffix;
  check_consistency(url);

  // The URL has the shape the password position assumes.
  if (scheme.find_first_of(":/@?#") != std::string_view::npos) return;
  if (user.find_first_of(":/@?#") != std::string_view::npos) return;
  if (host.find_first_of("/@?#") != std::string_view::npos) return;
  if (!rest.empty() && rest[0] != '/' && rest[0] != '?' && rest[0] != ':') return;
  // After an '@' in the password, '/', '?' and '#' end the host part for every reader
  // ("u:p@s?s@h" is the password "p" followed by the host "s?s@h").
  if (const size_t at = password.find('@');
      at != std::string_view::npos && password.find_first_of("/?#", at) != std::string_view::npos) {
    return;
  }
  if (!distinctive(password)) return;
  // Nowhere else in the URL, nor in the messages' fixed text.
  if ((prefix + "\x01" + suffix).find(password) != std::string::npos) return;

  const std::string redacted = config::redact_url(url);
  FUZZ_CHECK(redacted.find(password) == std::string::npos);
  std::string error;
  if (auto parsed = config::parse_database_url(url, error)) {
    FUZZ_CHECK(parsed->redacted.find(password) == std::string::npos);
  } else {
    FUZZ_CHECK(error.find(password) == std::string::npos);
    const std::string plain = decoded(password);
    if (distinctive(plain) && (prefix + "\x01" + suffix).find(plain) == std::string::npos) {
      FUZZ_CHECK(error.find(plain) == std::string::npos);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = fz::as_view(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    check_consistency(rest);
  } else {
    check_structured(rest);
  }
  return 0;
}

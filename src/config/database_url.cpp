#include "config/database_url.hpp"

#include <libpq-fe.h>

#include <memory>

namespace carat::config {

namespace {

// The password of "scheme://user:password@host…", or empty.
std::string_view url_password(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const size_t auth_start = scheme_end + 3;
  const size_t path_start = url.find_first_of("/?#", auth_start);
  const std::string_view authority = url.substr(
      auth_start, (path_start == std::string_view::npos ? url.size() : path_start) - auth_start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  const size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return {};
  return authority.substr(colon + 1, at - colon - 1);
}

void replace_all(std::string& s, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size())) {
    s.replace(pos, what.size(), with);
  }
}

}  // namespace

std::string redact_url(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t auth_start = scheme_end + 3;
  const size_t path_start = url.find_first_of("/?#", auth_start);
  const std::string_view authority =
      url.substr(auth_start, (path_start == std::string_view::npos ? url.size() : path_start) -
                                 auth_start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, auth_start + colon + 1));
  out += "***";
  out += url.substr(auth_start + at);
  return out;
}

std::optional<DatabaseUrl> parse_database_url(std::string_view url, std::string& error) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    error = "expected sqlite:///path or postgresql://user:password@host:port/dbname";
    return std::nullopt;
  }
  std::string_view scheme = url.substr(0, scheme_end);
  // SQLAlchemy's "dialect+driver" form: the driver names a Python module and means nothing here.
  if (const size_t plus = scheme.find('+'); plus != std::string_view::npos) {
    scheme = scheme.substr(0, plus);
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  DatabaseUrl out;
  out.redacted = redact_url(url);

  if (scheme == "sqlite") {
    // sqlite:///relative.db, sqlite:////absolute.db; the authority part must be empty.
    if (rest.empty() || rest[0] != '/') {
      error = "sqlite URLs look like sqlite:///relative.db or sqlite:////absolute/path.db";
      return std::nullopt;
    }
    std::string_view path = rest.substr(1);
    if (const size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
    if (path.empty()) {
      error = "sqlite URL has no file path";
      return std::nullopt;
    }
    if (path.find('\0') != std::string_view::npos) {
      error = "sqlite path contains a NUL byte";
      return std::nullopt;
    }
    out.kind = DatabaseUrl::Kind::kSqlite;
    out.sqlite_path = std::string(path);
    return out;
  }

  if (scheme == "postgresql" || scheme == "postgres") {
    out.kind = DatabaseUrl::Kind::kPostgres;
    out.conninfo = "postgresql://" + std::string(rest);
    if (out.conninfo.find('\0') != std::string::npos) {
      error = "URL contains a NUL byte";
      return std::nullopt;
    }
    // Let libpq itself judge the URI, so what we accept is exactly what it can connect with.
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(out.conninfo.c_str(), &err);
    if (opts == nullptr) {
      std::string msg = err != nullptr ? err : "invalid connection URI";
      if (err != nullptr) PQfreemem(err);
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      // libpq quotes the offending part of the URI, which may include the password.
      replace_all(msg, url_password(url), "***");
      error = "libpq rejected the URL (" + msg + ")";
      return std::nullopt;
    }
    PQconninfoFree(opts);
    return out;
  }

  error = "unsupported scheme '" + std::string(url.substr(0, scheme_end)) +
          "' (use sqlite, postgresql, postgres or postgresql+<driver>)";
  return std::nullopt;
}

}  // namespace carat::config

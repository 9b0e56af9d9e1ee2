#include "config/database_url.hpp"

#include <libpq-fe.h>

#include <memory>
#include <vector>

#include "util/strings.hpp"

namespace carat::config {

namespace {

struct Span {
  size_t begin, end;   // [begin, end) of a secret in the URL
  bool inner = false;  // inside the previous span (a narrower reading of the same password)
};

// Lenient percent-decoding (a bad escape stays as it is), for comparing keys and secrets.
std::string percent_decoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && text::hex_value(s[i + 1]) >= 0 &&
        text::hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(text::hex_value(s[i + 1]) * 16 + text::hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The passwords of a URL, by the widest reading, so that neither parser's idea of the password
// reaches a log:
//   - in "scheme://user:password@host…" the user name holds no ':' or '/', and the password runs
//     to the last '@' before the host part ends at '/', '?' or '#'. SQLAlchemy lets the password
//     hold '/', libpq ends the authority only at '/' (so "u:p?ss@h" has the password "p?ss"), and
//     "u:p@ss@h" is "p@ss" to people and "p" to libpq (both are returned, the narrow one as
//     `inner`: libpq quotes its own reading in error messages);
//   - every "password=" parameter of the query string (libpq accepts the password there too,
//     with a percent-encoded key as well).
std::vector<Span> password_spans(std::string_view url) {
  std::vector<Span> spans;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return spans;
  const size_t start = scheme_end + 3;
  size_t query_from = start;
  const size_t first_at = url.find('@', start);
  const size_t colon = url.find_first_of(":/", start);
  if (first_at != std::string_view::npos && colon != std::string_view::npos && colon < first_at &&
      url[colon] == ':') {
    const size_t host_end = url.find_first_of("/?#", first_at);
    const size_t at = url.rfind('@', host_end);  // at or after first_at
    spans.push_back(Span{colon + 1, at});
    if (at != first_at) spans.push_back(Span{colon + 1, first_at, true});
    query_from = at + 1;
  }
  const size_t q = url.find('?', query_from);
  if (q == std::string_view::npos) return spans;
  size_t pos = q + 1;
  while (pos <= url.size()) {
    size_t amp = url.find('&', pos);
    if (amp == std::string_view::npos) amp = url.size();
    const std::string_view param = url.substr(pos, amp - pos);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && percent_decoded(param.substr(0, eq)) == "password") {
      spans.push_back(Span{pos + eq + 1, amp});
    }
    pos = amp + 1;
  }
  return spans;
}

void replace_all(std::string& s, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size())) {
    s.replace(pos, what.size(), with);
  }
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  auto spans = password_spans(url);
  // Right to left, so earlier offsets stay valid; an empty password is left as it is.
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    if (!it->inner && it->end > it->begin) out.replace(it->begin, it->end - it->begin, "***");
  }
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
      // libpq quotes the offending part of the URI, which may include a password (as written,
      // or decoded).
      for (const Span& sp : password_spans(url)) {
        const std::string_view raw = url.substr(sp.begin, sp.end - sp.begin);
        replace_all(msg, raw, "***");
        replace_all(msg, percent_decoded(raw), "***");
      }
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

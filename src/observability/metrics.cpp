#include "observability/metrics.hpp"

#include <cstdio>

namespace carat::metrics {

Registry& global() {
  static Registry registry;
  return registry;
}

namespace {

// The method label: HTTP's usual methods as themselves, anything a client made up as "OTHER"
// (20,000 invented methods once grew /metrics by 150 MiB).
std::string_view method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",     "HEAD",  "POST",  "PUT",
                                                "DELETE",  "PATCH", "OPTIONS"};
  for (auto known : kKnown) {
    if (method == known) return known;
  }
  return "OTHER";
}

std::string series_key(std::string_view method, std::string_view route, int status) {
  std::string key;
  key.reserve(method.size() + route.size() + 6);
  key.append(method).push_back('\x1f');
  key.append(route).push_back('\x1f');
  key.append(std::to_string(status));
  return key;
}

}  // namespace

void Registry::observe_request(std::string_view method, std::string_view route, int status,
                               double seconds) {
  std::string key = series_key(method_label(method), route, status);
  std::lock_guard lock(mu_);
  auto it = series_.find(key);
  if (it == series_.end() && series_.size() >= kMaxSeries) {
    it = series_.try_emplace(series_key("OTHER", "(overflow)", status)).first;
  } else if (it == series_.end()) {
    it = series_.try_emplace(std::move(key)).first;
  }
  Series& s = it->second;
  ++s.count;
  s.sum += seconds;
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  }
}

namespace {

void counter(std::string& out, const char* name, const char* help, int64_t value,
             const char* type = "counter") {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

// Label values are route patterns and methods; escape anyway, per the exposition format.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string Registry::render(const DbPoolSnapshot& pool) const {
  std::string out;
  out.reserve(4096);
  {
    std::lock_guard lock(mu_);
    out += "# HELP carat_http_requests_total HTTP requests by method, route and status.\n";
    out += "# TYPE carat_http_requests_total counter\n";
    std::string hist;
    hist += "# HELP carat_http_request_duration_seconds Request latency by method, route and status.\n";
    hist += "# TYPE carat_http_request_duration_seconds histogram\n";
    for (const auto& [key, s] : series_) {
      const size_t a = key.find('\x1f');
      const size_t b = key.find('\x1f', a + 1);
      const std::string labels = "method=\"" + label(key.substr(0, a)) + "\",route=\"" +
                                 label(key.substr(a + 1, b - a - 1)) + "\",status=\"" +
                                 key.substr(b + 1) + "\"";
      out += "carat_http_requests_total{" + labels + "} " + std::to_string(s.count) + "\n";
      for (size_t i = 0; i < kBucketCount; ++i) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", kBuckets[i]);
        hist += "carat_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
                std::to_string(s.buckets[i]) + "\n";
      }
      hist += "carat_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
              std::to_string(s.count) + "\n";
      char sum[64];
      std::snprintf(sum, sizeof sum, "%.6f", s.sum);
      hist += "carat_http_request_duration_seconds_sum{" + labels + "} " + sum + "\n";
      hist += "carat_http_request_duration_seconds_count{" + labels + "} " +
              std::to_string(s.count) + "\n";
    }
    out += hist;
  }
  counter(out, "carat_http_in_flight_requests", "Requests being processed.", in_flight.load(),
          "gauge");
  counter(out, "carat_http_open_connections", "Open client connections.",
          connections_open.load(), "gauge");
  counter(out, "carat_db_pool_size", "Configured database connections.", pool.size, "gauge");
  counter(out, "carat_db_pool_in_use", "Database connections checked out.", pool.in_use,
          "gauge");
  counter(out, "carat_db_pool_waits_total", "Checkouts that waited for a free connection.",
          db_pool_waits.load());
  counter(out, "carat_db_pool_timeouts_total", "Checkouts that gave up and answered 503.",
          db_pool_timeouts.load());
  counter(out, "carat_db_statements_total", "SQL statements executed.", db_statements.load());
  counter(out, "carat_db_errors_total", "SQL statements that failed with a database error.",
          db_errors.load());
  out += "# HELP carat_rate_limited_total Requests refused with 429, by limit.\n";
  out += "# TYPE carat_rate_limited_total counter\n";
  out += "carat_rate_limited_total{limit=\"comments\"} " +
         std::to_string(rate_limited_comments.load()) + "\n";
  out += "carat_rate_limited_total{limit=\"logins\"} " +
         std::to_string(rate_limited_logins.load()) + "\n";
  counter(out, "carat_overload_rejections_total",
          "Requests refused with 503 because the handler queue was full.",
          overload_rejections.load());
  counter(out, "carat_per_ip_connection_rejections_total",
          "Connections closed at accept because their address had MAX_CONNECTIONS_PER_IP open.",
          per_ip_connection_rejections.load());
  return out;
}

}  // namespace carat::metrics

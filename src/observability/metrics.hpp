// Process-wide counters and histograms, rendered in the Prometheus text format at /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace carat::metrics {

struct DbPoolSnapshot {
  int size = 0;
  int in_use = 0;
};

class Registry {
 public:
  std::atomic<int64_t> db_statements{0};
  std::atomic<int64_t> db_errors{0};
  std::atomic<int64_t> db_pool_waits{0};
  std::atomic<int64_t> db_pool_timeouts{0};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> connections_open{0};
  std::atomic<int64_t> rate_limited_comments{0};
  std::atomic<int64_t> rate_limited_logins{0};
  std::atomic<int64_t> overload_rejections{0};
  std::atomic<int64_t> per_ip_connection_rejections{0};

  // `route` is the route pattern ("/api/posts/{post_id}"), never the raw path, and a method
  // other than HTTP's usual ones is counted as "OTHER", so label cardinality stays bounded; past
  // kMaxSeries series, new combinations are counted under route "(overflow)".
  void observe_request(std::string_view method, std::string_view route, int status,
                       double seconds);
  std::string render(const DbPoolSnapshot& pool) const;

 static constexpr size_t kMaxSeries = 1000;

 private:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
  static constexpr size_t kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]);
  struct Series {
    int64_t count = 0;
    double sum = 0;
    int64_t buckets[kBucketCount] = {};
  };
  mutable std::mutex mu_;
  std::map<std::string, Series> series_;  // key: method \x1f route \x1f status
};

Registry& global();

}  // namespace carat::metrics

// The request series of /metrics stay bounded whatever clients send (issue 14 item 1).
#include <gtest/gtest.h>

#include <string>

#include "observability/metrics.hpp"

namespace carat::metrics {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(Metrics, MadeUpMethodsShareOneLabel) {
  Registry r;
  for (int i = 0; i < 500; ++i) r.observe_request("BREW" + std::to_string(i), "-", 405, 0.001);
  r.observe_request("GET", "/api/posts", 200, 0.001);
  const std::string page = r.render({});
  EXPECT_EQ(page.find("BREW"), std::string::npos);
  EXPECT_NE(page.find(R"(carat_http_requests_total{method="OTHER",route="-",status="405"} 500)"),
            std::string::npos);
  EXPECT_NE(page.find(R"(method="GET",route="/api/posts",status="200")"), std::string::npos);
}

TEST(Metrics, SeriesAreCappedAndTheRestIsCountedAsOverflow) {
  Registry r;
  for (int i = 0; i < 3000; ++i) {
    r.observe_request("GET", "/route" + std::to_string(i), 200, 0.001);
  }
  const std::string page = r.render({});
  EXPECT_EQ(count(page, "carat_http_requests_total{"), Registry::kMaxSeries + 1);
  EXPECT_NE(
      page.find(R"x(carat_http_requests_total{method="OTHER",route="(overflow)",status="200"} 2000)x"),
      std::string::npos);
}

}  // namespace
}  // namespace carat::metrics

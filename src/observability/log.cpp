#include "observability/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "util/json_writer.hpp"
#include "util/time.hpp"

namespace carat::log {

namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

// spdlog provides the locked, buffered stderr sink; we format the line ourselves as JSON.
spdlog::logger& logger() {
  static auto instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto l = std::make_shared<spdlog::logger>("carat", sink);
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *instance;
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void set_level(Level level) { g_level = static_cast<int>(level); }

void set_level(std::string_view name) {
  if (name == "debug") set_level(Level::kDebug);
  if (name == "info") set_level(Level::kInfo);
  if (name == "warn") set_level(Level::kWarn);
  if (name == "error") set_level(Level::kError);
}

bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  JsonWriter w;
  w.begin_object();
  w.field("ts", timeutil::format_api(timeutil::now_micros()));
  w.field("level", level_name(level));
  w.field("msg", msg);
  for (const auto& f : fields) {
    w.key(f.key);
    std::visit([&](const auto& v) { w.value(v); }, f.value);
  }
  w.end_object();
  logger().info(w.str());
}

}  // namespace carat::log

// JSON bodies of the service's own endpoints (api.md §2): root, liveness, readiness.
#pragma once

#include <string>
#include <string_view>

#include "util/json_writer.hpp"

namespace carat::dto {

inline constexpr std::string_view kLivenessJson = R"({"status":"ok"})";
inline constexpr std::string_view kReadyJson = R"({"status":"ok","db":"ok"})";
inline constexpr std::string_view kNotReadyJson = R"({"status":"error","db":"error"})";
inline constexpr std::string_view kAuthHealthJson = R"({"status":"ok","service":"authentication"})";

// {"message":"Carat API","version": version}
inline std::string service_info_json(std::string_view version) {
  JsonWriter w;
  w.begin_object().field("message", "Carat API").field("version", version).end_object();
  return w.take();
}

}  // namespace carat::dto

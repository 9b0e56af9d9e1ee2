// A small blocking HTTP client (libcurl) for the operational subcommands.
#pragma once

#include <map>
#include <string>

namespace carat::cli {

struct HttpResult {
  bool ok = false;       // a response was received
  std::string error;     // transport error when !ok
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

HttpResult http_call(const std::string& method, const std::string& url,
                     const std::map<std::string, std::string>& headers = {},
                     const std::string& body = {}, long timeout_ms = 5000);

}  // namespace carat::cli

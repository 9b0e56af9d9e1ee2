// Request and response as the handlers see them (no Beast types beyond http/server.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/unique_fd.hpp"

namespace carat::http {

struct Route;
class WebSocketHandler;

struct Request {
  std::string method;  // upper case as received
  std::string path;    // raw path, before '?'
  std::string query;   // raw query string, without '?'
  // Header names lower-cased; values as received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string client_ip;
  std::string request_id;
  bool is_head = false;

  // The authenticated caller, for the access log (0: anonymous).
  int64_t user_id = 0;

  // Filled by the router.
  const Route* route = nullptr;
  std::vector<std::string> path_params;  // percent-decoded, in the order of route->param_names

  std::optional<std::string_view> header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return std::string_view(v);
    }
    return std::nullopt;
  }
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // For HEAD answers of routes that stream nothing: the Content-Length the GET would have had.
  std::optional<uint64_t> head_content_length;
  // Set (with status 101) to accept a WebSocket upgrade: the server completes the handshake and
  // hands the socket to this handler (http/websocket.hpp). A request that is not a WebSocket
  // handshake is answered 426 instead.
  std::shared_ptr<WebSocketHandler> upgrade;
  // Set to send an open file (from its start, `file_size` bytes) as the body instead of `body`:
  // the server streams it in bounded chunks.
  std::shared_ptr<UniqueFd> file;
  uint64_t file_size = 0;

  static Response json(std::string body, int status = 200) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  void set_header(std::string name, std::string value) {
    for (auto& [k, v] : headers) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
  bool has_header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return true;
    }
    return false;
  }
};

}  // namespace carat::http

// The HTTP/1.1 server (Boost.Beast on Asio): connections, timeouts, size limits, keep-alive,
// handing requests to the pipeline, and graceful shutdown. It knows nothing about the API.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/message.hpp"
#include "http/router.hpp"
#include "http/websocket.hpp"

namespace carat {
class Executor;
}

namespace carat::http {

// What the server asks of the application, in the order of api.md §1.5.2.
class Pipeline {
 public:
  virtual ~Pipeline() = default;

  struct Admission {
    std::optional<Response> response;  // answered right away (preflight, 404, 405, 413)
    size_t body_limit = kDefaultBodyLimit;
    Execution execution = Execution::kWorker;
  };
  // Called once the header is read: CORS preflight, routing, the Content-Length limit.
  virtual Admission admit(Request& req, std::optional<uint64_t> content_length) = 0;
  // Runs the route's handler (on a worker thread when execution is kWorker); never throws.
  virtual Response handle(Request& req) = 0;
  // An answer the transport itself produces (413 while reading a chunked body, 400, 431, 503).
  virtual Response transport_error(Request& req, int status, std::string detail) = 0;
  // Adds the headers every response carries, records metrics and writes the access log.
  virtual void finish(const Request& req, Response& res, std::chrono::nanoseconds elapsed) = 0;
};

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8000;
  int io_threads = 1;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds write_timeout{30};
  size_t header_limit = 16 * 1024;
  int max_connections = 10000;
  // Open connections from one client address (0: no cap); trusted proxies are not counted.
  int max_connections_per_ip = 256;
  bool trust_forwarded_for = false;
  // With trust_forwarded_for: whether a peer address is a proxy whose X-Forwarded-For is
  // believed (unset: every peer).
  std::function<bool(std::string_view)> trusted_proxy;
  WebSocketLimits websocket;
};

class Server {
 public:
  Server(ServerOptions options, Pipeline& pipeline, Executor& workers);
  ~Server();

  // Binds and listens; throws std::runtime_error with the reason when it cannot.
  void listen();
  // The bound port (useful with port 0).
  int port() const;
  // Serves until stop(); blocks the calling thread (which also runs I/O).
  void run();
  // Graceful stop: close the listener, finish in-flight requests (answered with
  // Connection: close), close idle keep-alive connections, then return from run() once every
  // connection is gone or `grace` has passed. Thread-safe; callable from a signal thread.
  void stop(std::chrono::seconds grace);

  struct Impl;  // public so the connection class in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace carat::http

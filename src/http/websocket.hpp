// WebSocket connections as the application sees them (no Beast types beyond http/server.cpp).
// A handler answers an upgrade request with a Response whose `upgrade` is set; the server then
// completes the handshake (Boost.Beast's websocket stream) and drives the handler.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace carat::http {

// One open socket. Thread-safe: any thread may send or close.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text frame. False when the socket is closed or its queue is over the bound (a
  // consumer too slow to keep up): the socket is then closed with 1013 ("try again later") and
  // the client catches up from the REST history when it reconnects.
  virtual bool send(std::string text) = 0;
  // Sends a close frame with `code` and `reason`, then closes.
  virtual void close(uint16_t code, std::string reason) = 0;
};

// The application's side of one socket. on_open, on_message and on_close run on the socket's
// I/O strand, one at a time: they must not block (hand database work to an executor).
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual void on_open(std::shared_ptr<WebSocketPeer> peer) = 0;
  virtual void on_message(std::string text) = 0;
  // Once, when the socket is gone (closed by either side, a timeout, the server stopping).
  virtual void on_close() = 0;
};

// Bounds of every socket.
struct WebSocketLimits {
  size_t max_message_bytes = 64 * 1024;      // a larger frame closes the socket (1009)
  size_t max_queued_bytes = 1024 * 1024;     // unsent frames of a slow consumer (then 1013)
};

}  // namespace carat::http

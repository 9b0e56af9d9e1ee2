#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <list>
#include <unordered_map>
#include <mutex>
#include <thread>
#include <vector>

#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "util/executor.hpp"
#include "http/websocket.hpp"
#include "util/strings.hpp"

namespace carat::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// After answering a request whose body was not read (413, 404, a preflight with a body), the
// rest of that body is read and dropped for at most this long, so the client can finish sending
// and read the answer instead of seeing a reset ("lingering close").
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 16 * 1024 * 1024;
// The drain ends before the grace period once no request has been in flight, and none has
// arrived, for this long (at least this long after the stop): clients that keep sending (a load
// balancer, wrk) have had their Connection: close answers by then, and idle keep-alive
// connections (a browser's) do not hold the exit for the whole grace period.
constexpr auto kDrainQuiet = std::chrono::seconds(3);
// How long a WebSocket peer has to answer our close frame.
constexpr auto kCloseHandshakeTimeout = std::chrono::seconds(1);

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The right-most address of X-Forwarded-For: the one the trusted proxy (App Runner, the ALB)
// appended; anything left of it is client-supplied.
std::string rightmost_forwarded(std::string_view xff) {
  const size_t comma = xff.rfind(',');
  std::string_view last = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
  return std::string(text::trim(last));
}

}  // namespace

// A connection the server can ask to stop (an HTTP session or an open WebSocket).
class Stoppable {
 public:
  virtual ~Stoppable() = default;
  // Thread-safe.
  virtual void post_stop() = 0;
};

class Session;

// One open connection counted against its client address; released when the last owner (the
// HTTP session, then the WebSocket it may become) ends.
class PeerSlot {
 public:
  PeerSlot(Server::Impl& server, std::string ip) : server_(server), ip_(std::move(ip)) {}
  ~PeerSlot();
  PeerSlot(const PeerSlot&) = delete;
  PeerSlot& operator=(const PeerSlot&) = delete;

 private:
  Server::Impl& server_;
  std::string ip_;
};

struct Server::Impl {
  Impl(ServerOptions o, Pipeline& p, Executor& w)
      : options(std::move(o)), pipeline(p), workers(w), ioc(std::max(1, options.io_threads)),
        acceptor(net::make_strand(ioc)) {}

  void do_accept();
  void register_session(const std::shared_ptr<Stoppable>& s);
  // A slot for one more connection from `socket`'s address: null when that address already has
  // max_connections_per_ip open (issue 14 item 10: one client held all 10,000). A trusted proxy's
  // connections carry many clients and are not counted; nor is anything when the cap is 0.
  std::shared_ptr<PeerSlot> claim_peer(const tcp::socket& socket);
  void release_peer(const std::string& ip);

  ServerOptions options;
  Pipeline& pipeline;
  Executor& workers;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::atomic<bool> draining{false};
  std::atomic<int> sessions{0};
  std::mutex registry_mu;
  std::list<std::weak_ptr<Stoppable>> registry;
  uint64_t registrations = 0;
  std::mutex peers_mu;
  std::unordered_map<std::string, int> peers;
  // Requests being read or handled, and when one last started or ended (the drain's quiet
  // period).
  std::atomic<int> busy{0};
  std::atomic<int64_t> last_activity_ns{0};
  void touch() {
    last_activity_ns = std::chrono::steady_clock::now().time_since_epoch().count();
  }
};

PeerSlot::~PeerSlot() { server_.release_peer(ip_); }

std::shared_ptr<PeerSlot> Server::Impl::claim_peer(const tcp::socket& socket) {
  beast::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec || options.max_connections_per_ip <= 0) return std::make_shared<PeerSlot>(*this, "");
  std::string ip = ep.address().to_string();
  if (ip.rfind("::ffff:", 0) == 0) ip = ip.substr(7);
  if (options.trust_forwarded_for && options.trusted_proxy && options.trusted_proxy(ip)) {
    return std::make_shared<PeerSlot>(*this, "");
  }
  std::lock_guard lock(peers_mu);
  int& open = peers[ip];
  if (open >= options.max_connections_per_ip) return nullptr;
  ++open;
  return std::make_shared<PeerSlot>(*this, std::move(ip));
}

void Server::Impl::release_peer(const std::string& ip) {
  if (ip.empty()) return;
  std::lock_guard lock(peers_mu);
  auto it = peers.find(ip);
  if (it != peers.end() && --it->second <= 0) peers.erase(it);
}

// An accepted WebSocket (the handshake was a request that the application answered 101 with a
// handler): one read at a time, one write at a time from a bounded queue, close on stop.
class WsSession : public Stoppable,
                  public WebSocketPeer,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream&& stream, Server::Impl& server,
            std::shared_ptr<WebSocketHandler> handler, std::shared_ptr<PeerSlot> peer)
      : ws_(std::move(stream)), server_(server), handler_(std::move(handler)),
        peer_(std::move(peer)) {
    ++server_.sessions;
    ++metrics::global().connections_open;
  }

  ~WsSession() override {
    --metrics::global().connections_open;
    --server_.sessions;
  }

  void start(bhttp::request<bhttp::string_body> req) {
    upgrade_request_ = std::move(req);
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timeouts
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = server_.options.header_timeout;
    timeouts.idle_timeout = server_.options.idle_timeout;  // a ping at half of it keeps it open
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(server_.options.websocket.max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(bhttp::field::server, "carat"); }));
    ws_.async_accept(upgrade_request_, [self = shared_from_this()](beast::error_code ec) {
      self->on_accept(ec);
    });
  }

  bool send(std::string text) override {
    if (closed_.load()) return false;
    const size_t size = text.size();
    if (queued_bytes_.fetch_add(size) + size > server_.options.websocket.max_queued_bytes) {
      queued_bytes_ -= size;
      close(1013, "too slow: reconnect and catch up");
      return false;
    }
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->enqueue(std::move(text));
    });
    return true;
  }

  void close(uint16_t code, std::string reason) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
      self->begin_close(code, reason);
    });
  }

  void post_stop() override { close(websocket::close_code::going_away, "server stopping"); }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return finish();
    open_ = true;
    handler_->on_open(shared_from_this());
    read();
  }

  void read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish();
    if (!ws_.got_text()) {
      read_buffer_.consume(read_buffer_.size());
      begin_close(websocket::close_code::unknown_data, "text frames only");
      read();  // until the peer's close frame (or the timeout)
      return;
    }
    std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    if (!closing_) handler_->on_message(std::move(text));
    read();
  }

  void enqueue(std::string text) {
    if (closing_ || closed_.load()) {
      queued_bytes_ -= text.size();
      return;
    }
    queue_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(beast::error_code ec) {
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
    writing_ = false;
    if (ec) return finish();
    if (pending_close_) {
      auto [code, reason] = *pending_close_;
      pending_close_.reset();
      closing_ = false;
      begin_close(code, reason);
      return;
    }
    if (!queue_.empty() && !closing_) write_next();
  }

  // A close frame, after the write in progress (Beast allows a close beside a read, not beside
  // a write).
  void begin_close(uint16_t code, const std::string& reason) {
    if (closing_ || closed_.load()) return;
    closing_ = true;
    if (!open_) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    if (writing_) {
      pending_close_ = std::make_pair(code, reason);
      return;
    }
    for (const auto& frame : queue_) queued_bytes_ -= frame.size();
    queue_.clear();
    // A peer that does not answer the close frame (a stalled client) is dropped after this,
    // so a stopping server is not held for the whole grace period.
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = kCloseHandshakeTimeout;
    timeouts.idle_timeout = server_.options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                    [self = shared_from_this()](beast::error_code) {
                      // The pending read ends with `closed` (or the timeout): finish() there.
                    });
  }

  void finish() {
    if (closed_.exchange(true)) return;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
    handler_->on_close();
  }

  websocket::stream<beast::tcp_stream> ws_;
  Server::Impl& server_;
  std::shared_ptr<WebSocketHandler> handler_;
  std::shared_ptr<PeerSlot> peer_;  // this connection's count against its address
  bhttp::request<bhttp::string_body> upgrade_request_;
  beast::flat_buffer read_buffer_;
  std::deque<std::string> queue_;
  std::atomic<size_t> queued_bytes_{0};
  std::atomic<bool> closed_{false};
  std::optional<std::pair<uint16_t, std::string>> pending_close_;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
};

class Session : public Stoppable, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server, std::shared_ptr<PeerSlot> peer)
      : stream_(std::move(socket)), server_(server), peer_(std::move(peer)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    peer_ip_ = ec ? "unknown" : ep.address().to_string();
    if (peer_ip_.rfind("::ffff:", 0) == 0) peer_ip_ = peer_ip_.substr(7);
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() override {
    --metrics::global().connections_open;
    --server_.sessions;
  }

  void start() {
    ++metrics::global().connections_open;
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Thread-safe: runs on_server_stop on this connection's strand.
  void post_stop() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->on_server_stop(); });
  }

 private:
  // From now on every answer says Connection: close and the connection ends after it. An idle
  // keep-alive connection is still read (issue 14 item 13): a request its client sent as the stop
  // began is answered instead of lost with the connection (wrk -c16 lost 1-2 per SIGTERM). What
  // is still open when the grace period ends is closed by Server::stop.
  void on_server_stop() { stopping_ = true; }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.header_limit));
    // No limit while the header is read: the route's limit applies once routing has decided it
    // (a Content-Length over it is answered 413 by the pipeline, not as a parse error).
    parser_->body_limit(boost::none);
    stream_.expires_after(first_ ? server_.options.header_timeout : server_.options.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    first_ = false;
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        start_request_fallback();
        respond_transport_error(431, "Request header fields too large");
      } else if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
                 ec == net::error::operation_aborted || ec == net::error::connection_reset ||
                 ec == net::error::eof) {
        close();
      } else {
        start_request_fallback();
        respond_transport_error(400, "Bad Request");
      }
      return;
    }
    started_ = std::chrono::steady_clock::now();
    ++metrics::global().in_flight;
    ++server_.busy;
    server_.touch();
    in_flight_ = true;
    build_request();
    if (!framing_is_chunked_or_length()) {
      // RFC 9112 §6.3: a Transfer-Encoding whose final coding is not chunked leaves the body's
      // length unknown; answering it and reading on would let the body pose as the next request.
      respond_transport_error(400, "Bad Request");
      return;
    }

    std::optional<uint64_t> content_length;
    if (auto cl = parser_->content_length()) content_length = *cl;
    const bool has_body = parser_->chunked() || (content_length && *content_length > 0);
    Pipeline::Admission admission = server_.pipeline.admit(req_, content_length);
    if (admission.response) {
      if (has_body) {
        close_after_ = true;  // the unread body would be parsed as a request
        unread_body_ = true;
      }
      write(std::move(*admission.response));
      return;
    }
    execution_ = admission.execution;
    parser_->body_limit(admission.body_limit);
    if (parser_->is_done()) {
      dispatch();
      return;
    }
    const auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      auto cont = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      stream_.expires_after(server_.options.write_timeout);
      net::async_write(stream_, net::buffer(*cont),
                       [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                         if (wec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(server_.options.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->on_body(ec);
                      });
  }

  void on_body(beast::error_code ec) {
    if (ec) {
      close_after_ = true;
      if (ec == bhttp::error::body_limit) {
        unread_body_ = true;
        respond_transport_error(413, "Request body too large");
      } else if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
                 ec == net::error::eof || ec == net::error::connection_reset ||
                 ec == net::error::operation_aborted) {
        finish_in_flight();
        close();
      } else {
        respond_transport_error(400, "Bad Request");
      }
      return;
    }
    req_.body = std::move(parser_->get().body());
    dispatch();
  }

  void dispatch() {
    stream_.expires_never();
    if (execution_ == Execution::kInline) {
      write(server_.pipeline.handle(req_));
      return;
    }
    auto self = shared_from_this();
    const bool queued = server_.workers.try_post([self] {
      Response res = self->server_.pipeline.handle(self->req_);
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
    if (!queued) {
      ++metrics::global().overload_rejections;
      respond_transport_error(503, "Service Unavailable");
    }
  }

  void respond_transport_error(int status, std::string detail) {
    if (status >= 400 && status != 503) close_after_ = true;
    write(server_.pipeline.transport_error(req_, status, std::move(detail)));
  }

  void write(Response res) {
    const auto elapsed = std::chrono::steady_clock::now() - started_;
    if (res.upgrade) {
      if (!websocket::is_upgrade(parser_->get())) {
        res = server_.pipeline.transport_error(req_, 426, "Upgrade Required: a WebSocket handshake");
        res.set_header("Upgrade", "websocket");
      } else if (stopping_ || server_.draining.load()) {
        res = server_.pipeline.transport_error(req_, 503, "Service Unavailable");
      } else {
        upgrade(std::move(res), elapsed);
        return;
      }
    }
    server_.pipeline.finish(req_, res, elapsed);

    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(11);
    msg->result(static_cast<unsigned>(res.status));
    msg->set(bhttp::field::content_type, res.content_type);
    for (auto& [k, v] : res.headers) msg->insert(k, v);
    const bool keep_alive = request_keep_alive_ && !close_after_ && !stopping_ &&
                            !server_.draining.load();
    msg->keep_alive(keep_alive);
    if (res.file && !req_.is_head) {
      write_file(*msg, *res.file, keep_alive);
      return;
    }
    if (req_.is_head) {
      const uint64_t len = res.head_content_length ? *res.head_content_length : res.body.size();
      msg->content_length(len);
    } else {
      msg->body() = std::move(res.body);
      msg->prepare_payload();
    }
    finish_in_flight();
    stream_.expires_after(server_.options.write_timeout);
    if (req_.is_head) {
      // The serializer would send nothing after the header anyway; write the header only.
      auto sr = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*msg);
      bhttp::async_write_header(stream_, *sr,
                                [self = shared_from_this(), msg, sr, keep_alive](
                                    beast::error_code ec, size_t) {
                                  self->on_write(ec, keep_alive);
                                });
      return;
    }
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg, keep_alive](beast::error_code ec, size_t) {
                         self->on_write(ec, keep_alive);
                       });
  }

  // Sends an open file as the body: Beast's file_body reads it in small chunks as the socket
  // takes them, so a slow reader of a 10 MiB image costs a few KiB, not 10 MiB.
  void write_file(const bhttp::response<bhttp::string_body>& head, UniqueFd& fd, bool keep_alive) {
    auto msg = std::make_shared<bhttp::response<bhttp::file_body>>(head.result(), head.version());
    for (const auto& field : head) msg->insert(field.name_string(), field.value());
    msg->keep_alive(keep_alive);
    beast::file file;
    file.native_handle(fd.release());
    beast::error_code ec;
    msg->body().reset(std::move(file), ec);
    finish_in_flight();
    if (ec) {
      log::error("cannot send a file", {{"error", ec.message()}});
      close();
      return;
    }
    msg->prepare_payload();
    stream_.expires_after(server_.options.write_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg, keep_alive](beast::error_code wec, size_t) {
                         self->on_write(wec, keep_alive);
                       });
  }

  // Hands the connection to a WebSocket session, which answers the handshake itself.
  void upgrade(Response res, std::chrono::nanoseconds elapsed) {
    server_.pipeline.finish(req_, res, elapsed);  // the access log line (101)
    finish_in_flight();
    auto ws = std::make_shared<WsSession>(std::move(stream_), server_, std::move(res.upgrade),
                                          std::move(peer_));
    server_.register_session(ws);
    ws->start(parser_->release());
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    if (!ec && !keep_alive && unread_body_) {
      linger();
      return;
    }
    if (ec || !keep_alive) {
      close();
      return;
    }
    req_ = Request{};
    read_header();
  }

  // Half-closes, then reads and drops what the client still sends (bounded), then closes.
  void linger() {
    finish_in_flight();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    linger_buffer_.resize(64 * 1024);
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(
        net::buffer(linger_buffer_), [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->lingered_ += n;
          if (ec || self->lingered_ > kLingerBytes) return self->close();
          self->drain();
        });
  }

  void finish_in_flight() {
    if (in_flight_) {
      in_flight_ = false;
      --metrics::global().in_flight;
      --server_.busy;
      server_.touch();
    }
  }

  void close() {
    finish_in_flight();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  // False when the request carries Transfer-Encoding other than exactly "chunked" (Beast already
  // refuses chunked beside Content-Length).
  bool framing_is_chunked_or_length() const {
    const auto& h = parser_->get();
    if (h.count(bhttp::field::transfer_encoding) == 0) return true;
    if (h.count(bhttp::field::transfer_encoding) > 1) return false;
    return beast::iequals(text::trim(h[bhttp::field::transfer_encoding]), "chunked");
  }

  // Fills req_ from the parsed header.
  void build_request() {
    auto& h = parser_->get();
    req_ = Request{};
    req_.method = std::string(h.method_string());
    req_.is_head = h.method() == bhttp::verb::head;
    const std::string_view target = h.target();
    const size_t q = target.find('?');
    req_.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req_.query = std::string(target.substr(q + 1));
    req_.headers.reserve(16);
    for (const auto& field : h) {
      req_.headers.emplace_back(text::to_lower_ascii(field.name_string()),
                                std::string(field.value()));
    }
    request_keep_alive_ = h.keep_alive();
    const auto rid = req_.header("x-request-id");
    req_.request_id = rid && valid_request_id(*rid) ? std::string(*rid) : text::random_hex(16);
    req_.client_ip = peer_ip_;
    const auto& trusted = server_.options.trusted_proxy;
    if (server_.options.trust_forwarded_for && (!trusted || trusted(peer_ip_))) {
      if (auto xff = req_.header("x-forwarded-for")) {
        std::string ip = rightmost_forwarded(*xff);
        if (!ip.empty()) req_.client_ip = std::move(ip);
      }
    }
  }

  // For errors found before a request could be parsed: a minimal request for logging.
  void start_request_fallback() {
    started_ = std::chrono::steady_clock::now();
    req_ = Request{};
    req_.method = "-";
    req_.request_id = text::random_hex(16);
    req_.client_ip = peer_ip_;
    request_keep_alive_ = false;
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request req_;
  std::string peer_ip_;
  std::chrono::steady_clock::time_point started_{};
  Execution execution_ = Execution::kWorker;
  bool first_ = true;
  bool stopping_ = false;
  bool close_after_ = false;
  bool request_keep_alive_ = true;
  std::shared_ptr<PeerSlot> peer_;  // handed to the WebSocket session on an upgrade
  bool in_flight_ = false;
  bool unread_body_ = false;
  std::vector<char> linger_buffer_;
  size_t lingered_ = 0;
};

void Server::Impl::register_session(const std::shared_ptr<Stoppable>& s) {
  std::lock_guard lock(registry_mu);
  // Drop entries of finished sessions now and then, so the list stays near the live set.
  if (++registrations % 256 == 0) registry.remove_if([](const auto& w) { return w.expired(); });
  registry.push_back(s);
}

void Server::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      // EMFILE and friends: back off briefly instead of spinning.
      log::warn("accept failed", {{"error", ec.message()}});
      auto timer = std::make_shared<net::steady_timer>(acceptor.get_executor());
      timer->expires_after(std::chrono::milliseconds(50));
      timer->async_wait([this, timer](beast::error_code) {
        if (acceptor.is_open()) do_accept();
      });
      return;
    }
    if (draining.load()) return;
    std::shared_ptr<PeerSlot> peer;
    if (sessions.load() < options.max_connections) peer = claim_peer(socket);
    if (!peer) {
      if (sessions.load() < options.max_connections) ++metrics::global().per_ip_connection_rejections;
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      ++sessions;
      auto session = std::make_shared<Session>(std::move(socket), *this, std::move(peer));
      register_session(session);
      session->start();
    }
    do_accept();
  });
}

Server::Server(ServerOptions options, Pipeline& pipeline, Executor& workers)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, workers)) {}

Server::~Server() = default;

void Server::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("HOST '" + impl_->options.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  }
}

int Server::port() const { return impl_->acceptor.local_endpoint().port(); }


void Server::run() {
  impl_->do_accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl_->options.io_threads); ++i) {
    threads.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop(std::chrono::seconds grace) {
  if (impl_->draining.exchange(true)) return;
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  {
    std::lock_guard lock(impl_->registry_mu);
    for (auto& weak : impl_->registry) {
      if (auto s = weak.lock()) s->post_stop();
    }
  }
  // Poll until every connection is gone, or the server has been quiet for kDrainQuiet (idle
  // keep-alive connections are read until then: a request sent as the stop began is answered),
  // or the grace period is over; then end run(), which closes what is left.
  impl_->touch();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto timer = std::make_shared<net::steady_timer>(impl_->ioc);
  auto check = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = check;  // no cycle: pending handlers own it
  *check = [this, deadline, timer, weak] {
    const auto now = std::chrono::steady_clock::now();
    const bool quiet =
        impl_->busy.load() == 0 &&
        now.time_since_epoch().count() - impl_->last_activity_ns.load() >=
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(kDrainQuiet).count();
    if (impl_->sessions.load() > 0 && now < deadline && !quiet) {
      timer->expires_after(std::chrono::milliseconds(20));
      timer->async_wait([self = weak.lock()](beast::error_code) {
        if (self) (*self)();
      });
      return;
    }
    if (impl_->sessions.load() > 0 && !quiet) {
      log::warn("shutdown grace period over, closing remaining connections",
                {{"connections", impl_->sessions.load()}});
    }
    impl_->ioc.stop();
  };
  net::post(impl_->ioc, [check] { (*check)(); });
}

}  // namespace carat::http

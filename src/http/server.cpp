#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "observability/log.hpp"
#include "observability/metrics.hpp"
#include "util/executor.hpp"
#include "util/strings.hpp"

namespace carat::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// After answering a request whose body was not read (413, 404, a preflight with a body), the
// rest of that body is read and dropped for at most this long, so the client can finish sending
// and read the answer instead of seeing a reset ("lingering close").
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 16 * 1024 * 1024;
// After a stop, an idle keep-alive connection gets this long to deliver a request it may
// already have sent before it is closed.
constexpr auto kIdleCloseGrace = std::chrono::milliseconds(300);

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

class Session;

struct Server::Impl {
  Impl(ServerOptions o, Pipeline& p, Executor& w)
      : options(std::move(o)), pipeline(p), workers(w), ioc(std::max(1, options.io_threads)),
        acceptor(net::make_strand(ioc)) {}

  void do_accept();
  void register_session(const std::shared_ptr<Session>& s);

  ServerOptions options;
  Pipeline& pipeline;
  Executor& workers;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::atomic<bool> draining{false};
  std::atomic<int> sessions{0};
  std::mutex registry_mu;
  std::list<std::weak_ptr<Session>> registry;
  uint64_t registrations = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server), idle_timer_(stream_.get_executor()) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    peer_ip_ = ec ? "unknown" : ep.address().to_string();
    if (peer_ip_.rfind("::ffff:", 0) == 0) peer_ip_ = peer_ip_.substr(7);
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    --metrics::global().connections_open;
    --server_.sessions;
  }

  void start() {
    ++metrics::global().connections_open;
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Thread-safe: runs on_server_stop on this connection's strand.
  void post_stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->on_server_stop(); });
  }

 private:
  void on_server_stop() {
    stopping_ = true;
    if (!idle_) return;  // a request is being read or handled: it completes, then we close
    idle_timer_.expires_after(kIdleCloseGrace);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->idle_) self->close();
    });
  }

  void read_header() {
    if (stopping_ && !first_) {
      close();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.header_limit));
    // No limit while the header is read: the route's limit applies once routing has decided it
    // (a Content-Length over it is answered 413 by the pipeline, not as a parse error).
    parser_->body_limit(boost::none);
    idle_ = true;
    stream_.expires_after(first_ ? server_.options.header_timeout : server_.options.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
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
    in_flight_ = true;
    build_request();

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
    server_.pipeline.finish(req_, res, elapsed);

    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(11);
    msg->result(static_cast<unsigned>(res.status));
    msg->set(bhttp::field::content_type, res.content_type);
    for (auto& [k, v] : res.headers) msg->insert(k, v);
    const bool keep_alive = request_keep_alive_ && !close_after_ && !stopping_ &&
                            !server_.draining.load();
    msg->keep_alive(keep_alive);
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
    }
  }

  void close() {
    finish_in_flight();
    idle_timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
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
    if (server_.options.trust_forwarded_for) {
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
  net::steady_timer idle_timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request req_;
  std::string peer_ip_;
  std::chrono::steady_clock::time_point started_{};
  Execution execution_ = Execution::kWorker;
  bool first_ = true;
  bool idle_ = false;
  bool stopping_ = false;
  bool close_after_ = false;
  bool request_keep_alive_ = true;
  bool in_flight_ = false;
  bool unread_body_ = false;
  std::vector<char> linger_buffer_;
  size_t lingered_ = 0;
};

void Server::Impl::register_session(const std::shared_ptr<Session>& s) {
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
    if (sessions.load() >= options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      ++sessions;
      auto session = std::make_shared<Session>(std::move(socket), *this);
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
  // Poll until every connection is gone (or the grace period is over), then end run().
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto timer = std::make_shared<net::steady_timer>(impl_->ioc);
  auto check = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = check;  // no cycle: pending handlers own it
  *check = [this, deadline, timer, weak] {
    if (impl_->sessions.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer->expires_after(std::chrono::milliseconds(20));
      timer->async_wait([self = weak.lock()](beast::error_code) {
        if (self) (*self)();
      });
      return;
    }
    if (impl_->sessions.load() > 0) {
      log::warn("shutdown grace period over, closing remaining connections",
                {{"connections", impl_->sessions.load()}});
    }
    impl_->ioc.stop();
  };
  net::post(impl_->ioc, [check] { (*check)(); });
}

}  // namespace carat::http

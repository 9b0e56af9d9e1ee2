#include "live/chat_hub.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "dto/chat.hpp"
#include "errors/errors.hpp"
#include "observability/log.hpp"
#include "util/strings.hpp"

namespace carat::live {

namespace {
// The longest message a socket may send (the REST route's limit).
constexpr size_t kMaxMessageLength = 10000;
}  // namespace

// One open socket: who, which chat, and the id of the last message it was sent.
class ChatHub::Socket final : public http::WebSocketHandler,
                              public std::enable_shared_from_this<Socket> {
 public:
  Socket(ChatHub& hub, domain::User user, int64_t chat_id, int64_t cursor)
      : hub(hub), user(std::move(user)), chat_id(chat_id), cursor(cursor) {}
  ~Socket() override {
    // A handler never opened (the handshake was refused) still gives its place back.
    if (!released.exchange(true)) hub.release(user.id);
  }

  void on_open(std::shared_ptr<http::WebSocketPeer> p) override {
    {
      std::lock_guard lock(mu);
      peer = p;
    }
    hub.attach(shared_from_this());
  }
  void on_message(std::string text) override { hub.send_from(shared_from_this(), std::move(text)); }
  void on_close() override {
    hub.detach(this);
    if (!released.exchange(true)) hub.release(user.id);
  }

  bool send(std::string text) {
    std::shared_ptr<http::WebSocketPeer> p;
    {
      std::lock_guard lock(mu);
      p = peer.lock();
    }
    return p && p->send(std::move(text));
  }

  ChatHub& hub;
  const domain::User user;
  const int64_t chat_id;
  std::atomic<int64_t> cursor;  // written by the (single) delivery thread
  std::atomic<bool> released{false};
  std::mutex mu;
  std::weak_ptr<http::WebSocketPeer> peer;
};

ChatHub::ChatHub(db::Pool& pool, Executor& delivery, Executor& work, bool through_database,
                 ChatHubOptions options)
    : pool_(pool), delivery_(delivery), work_(work), through_database_(through_database),
      options_(options) {}

ChatHub::~ChatHub() = default;

void ChatHub::stored(db::Connection& c, int64_t chat_id) {
  if (through_database_) domain::announce_chat(c, chat_id);
}

void ChatHub::committed(int64_t chat_id) {
  if (!through_database_) schedule(chat_id);
}

void ChatHub::notified(const std::string& payload) {
  int64_t chat_id = 0;
  const auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), chat_id);
  if (ec != std::errc() || end != payload.data() + payload.size()) {
    log::warn("ignoring a chat notification", {{"payload", payload.substr(0, 40)}});
    return;
  }
  schedule(chat_id);
}

void ChatHub::catch_up() {
  std::vector<int64_t> chats;
  {
    std::lock_guard lock(mu_);
    for (const auto& [chat_id, sockets] : chats_) chats.push_back(chat_id);
  }
  for (int64_t chat_id : chats) schedule(chat_id);
}

std::shared_ptr<http::WebSocketHandler> ChatHub::open(db::Connection& c,
                                                      const domain::User& user, int64_t chat_id,
                                                      std::optional<int64_t> after_id) {
  {
    std::lock_guard lock(mu_);
    auto& n = sockets_per_user_[user.id];
    if (n >= options_.max_sockets_per_user) {
      throw errors::too_many_requests("Too many open chat connections", 5);
    }
    ++n;
  }
  try {
    const int64_t cursor = after_id ? *after_id : domain::last_message_id(c, chat_id);
    return std::make_shared<Socket>(*this, user, chat_id, cursor);
  } catch (...) {
    release(user.id);
    throw;
  }
}

size_t ChatHub::open_sockets() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [chat_id, sockets] : chats_) n += sockets.size();
  return n;
}

void ChatHub::attach(const std::shared_ptr<Socket>& socket) {
  {
    std::lock_guard lock(mu_);
    chats_[socket->chat_id].push_back(socket);
  }
  schedule(socket->chat_id);  // whatever was stored since open()
}

void ChatHub::detach(const Socket* socket) {
  std::lock_guard lock(mu_);
  auto it = chats_.find(socket->chat_id);
  if (it == chats_.end()) return;
  auto& sockets = it->second;
  sockets.erase(std::remove_if(sockets.begin(), sockets.end(),
                               [&](const auto& s) { return s.get() == socket; }),
                sockets.end());
  if (sockets.empty()) chats_.erase(it);
}

void ChatHub::release(int64_t user_id) {
  std::lock_guard lock(mu_);
  auto it = sockets_per_user_.find(user_id);
  if (it != sockets_per_user_.end() && --it->second == 0) sockets_per_user_.erase(it);
}

// At most one delivery per chat waits in the queue; one that starts takes the chat off the
// list first, so a notification arriving during it schedules another run.
void ChatHub::schedule(int64_t chat_id) {
  {
    std::lock_guard lock(mu_);
    if (!chats_.contains(chat_id)) return;  // no socket of this chat here
    if (!scheduled_.insert(chat_id).second) return;
  }
  if (!delivery_.try_post([this, chat_id] { deliver(chat_id); })) {
    std::lock_guard lock(mu_);
    scheduled_.erase(chat_id);
    log::warn("chat delivery queue full", {{"chat_id", chat_id}});
  }
}

void ChatHub::deliver(int64_t chat_id) {
  std::vector<std::shared_ptr<Socket>> sockets;
  {
    std::lock_guard lock(mu_);
    scheduled_.erase(chat_id);
    auto it = chats_.find(chat_id);
    if (it == chats_.end()) return;
    sockets = it->second;
  }
  int64_t from = std::numeric_limits<int64_t>::max();
  for (const auto& s : sockets) from = std::min(from, s->cursor.load());
  try {
    auto lease = pool_.acquire(options_.pool_wait);
    for (;;) {
      const auto rows = domain::messages_after(*lease, chat_id, from, options_.batch);
      if (rows.empty()) break;
      std::vector<std::string> frames;
      frames.reserve(rows.size());
      for (const auto& row : rows) frames.push_back(dto::message_json(row));
      std::unordered_map<int64_t, std::vector<int64_t>> read_by;
      for (const auto& s : sockets) {
        for (size_t i = 0; i < rows.size(); ++i) {
          if (rows[i].id <= s->cursor.load()) continue;
          if (!s->send(frames[i])) break;  // closed, or too slow (closed with 1013)
          s->cursor = rows[i].id;
          if (rows[i].sender_id != s->user.id) read_by[s->user.id].push_back(rows[i].id);
        }
      }
      for (auto& [reader, ids] : read_by) domain::mark_delivered(*lease, chat_id, reader, ids);
      from = rows.back().id;
      if (static_cast<int64_t>(rows.size()) < options_.batch) break;
    }
  } catch (const std::exception& e) {
    // The next notification (or the client's REST poll) delivers what this one could not.
    log::warn("chat delivery failed", {{"chat_id", chat_id}, {"error", e.what()}});
  }
}

// A frame from a client: {"body": "..."} is stored as a message (upstream's socket protocol);
// an empty body is ignored as upstream ignores it; anything else is answered {"detail": ...}.
void ChatHub::send_from(const std::shared_ptr<Socket>& socket, std::string text) {
  const auto frame = nlohmann::json::parse(text, nullptr, false);
  if (frame.is_discarded() || !frame.is_object()) {
    socket->send(dto::socket_error_json("Expected a JSON object such as {\"body\": \"...\"}"));
    return;
  }
  const auto it = frame.find("body");
  if (it == frame.end() || !it->is_string()) {
    socket->send(dto::socket_error_json("body must be a string"));
    return;
  }
  std::string body(text::trim(it->get_ref<const std::string&>()));
  if (body.empty()) return;
  if (text::code_points(body) > kMaxMessageLength) {
    socket->send(dto::socket_error_json("body is longer than 10000 characters"));
    return;
  }
  const bool queued = work_.try_post([this, socket, body = std::move(body)] {
    try {
      auto lease = pool_.acquire(options_.pool_wait);
      domain::NewMessage message;
      message.body = body;
      domain::send_message(*lease, *this, socket->user, socket->chat_id, message);
    } catch (const errors::ApiError& e) {
      socket->send(dto::socket_error_json(e.what()));
    } catch (const std::exception& e) {
      log::warn("chat socket message not stored", {{"error", e.what()}});
      socket->send(dto::socket_error_json("Service Unavailable"));
    }
  });
  if (!queued) socket->send(dto::socket_error_json("Service Unavailable"));
}

}  // namespace carat::live

// Live chat: the open WebSockets of this process, per chat, and the delivery of every stored
// message to them. A message is announced when it is stored (domain::ChatEvents): on PostgreSQL
// by a NOTIFY inside the storing transaction, which every replica hears through its one
// listening session (db::PgListener) once the transaction commits; on SQLite (one process) in
// process after the commit. A delivery reads the chat's messages after the lowest position of
// its sockets (one query per chat, not per socket or per message) and sends each socket what it
// has not had, so a missed or coalesced notification loses nothing: the next one, or the
// catch-up after the listener reconnects, sends it. What a recipient's open socket received is
// marked read (read_at), so the unread counters match what was delivered.
#pragma once

#include <cstdint>
#include <memory>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "db/database.hpp"
#include "domain/chat.hpp"
#include "domain/users.hpp"
#include "http/websocket.hpp"
#include "util/executor.hpp"

namespace carat::live {

struct ChatHubOptions {
  size_t max_sockets_per_user = 8;  // one more is answered 429
  int64_t batch = 200;              // messages read per query of a delivery
  std::chrono::milliseconds pool_wait{2000};
};

class ChatHub final : public domain::ChatEvents {
 public:
  // `through_database`: PostgreSQL (NOTIFY reaches every replica, this one included); otherwise
  // deliveries start in process after the commit. Deliveries run on `delivery` (one thread, so
  // the deliveries of a chat never overlap), messages sent through a socket on `work` (the
  // handler threads); nothing waits for the database on an I/O thread.
  ChatHub(db::Pool& pool, Executor& delivery, Executor& work, bool through_database,
          ChatHubOptions options = {});
  ~ChatHub() override;

  void stored(db::Connection& c, int64_t chat_id) override;
  void committed(int64_t chat_id) override;

  // A notification's payload (a chat id), from the listening session.
  void notified(const std::string& payload);
  // Delivers to every chat with a socket here (after the listening session reconnected).
  void catch_up();

  // The handler of a new socket of `user` in `chat_id` (the caller checked access). It receives
  // the messages after `after_id` (nullopt: after the chat's last message now). 429 when the
  // member already has max_sockets_per_user sockets open here.
  std::shared_ptr<http::WebSocketHandler> open(db::Connection& c, const domain::User& user,
                                               int64_t chat_id, std::optional<int64_t> after_id);

  size_t open_sockets() const;

 private:
  class Socket;
  void attach(const std::shared_ptr<Socket>& socket);
  void detach(const Socket* socket);
  void release(int64_t user_id);
  void schedule(int64_t chat_id);
  void deliver(int64_t chat_id);
  void send_from(const std::shared_ptr<Socket>& socket, std::string text);

  db::Pool& pool_;
  Executor& delivery_;
  Executor& work_;
  const bool through_database_;
  const ChatHubOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<int64_t, std::vector<std::shared_ptr<Socket>>> chats_;
  std::unordered_map<int64_t, size_t> sockets_per_user_;
  std::unordered_set<int64_t> scheduled_;
};

}  // namespace carat::live

// The chat WebSocket (GET /ws/matching/chat, issue 12) on both databases, with a real WebSocket
// client (Boost.Beast): refusals before the upgrade, live delivery of messages stored through
// REST or through a socket, read_at and the unread counters, catch-up with after_id, the
// per-member socket cap; on PostgreSQL also delivery across two replicas of one database and
// after the listening session was killed.
#include <sys/socket.h>
#include <sys/time.h>

#include <fstream>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "api_fixture.hpp"
#include "db_access.hpp"

namespace carat::testing {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

// A blocking WebSocket client with a read timeout.
class WsClient {
 public:
  // Opens `target` on 127.0.0.1:port; status() is 101 when the upgrade succeeded, else the HTTP
  // status of the refusal (body in refusal()).
  // `receive_buffer`: the socket's SO_RCVBUF (0: the system's), small to play a slow reader.
  WsClient(int port, const std::string& target, int receive_buffer = 0) : ws_(ioc_) {
    tcp::resolver resolver(ioc_);
    ws_.next_layer().open(tcp::v4());
    if (receive_buffer > 0) {
      ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                   sizeof receive_buffer);
    }
    ws_.next_layer().connect(*resolver.resolve("127.0.0.1", std::to_string(port)).begin());
    timeval tv{5, 0};
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    websocket::response_type res;
    beast::error_code ec;
    ws_.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
    status_ = static_cast<int>(res.result_int());
    refusal_ = res.body();
  }
  ~WsClient() {
    beast::error_code ignored;
    if (status_ == 101) ws_.close(websocket::close_code::normal, ignored);
  }

  int status() const { return status_; }
  const std::string& refusal() const { return refusal_; }

  // The next text frame, or nullopt after the timeout (or when the socket closed).
  std::optional<Json> read() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) {
      closed_ = ec == websocket::error::closed;
      return std::nullopt;
    }
    return Json::parse(beast::buffers_to_string(buffer.data()));
  }
  // Frames until one whose "id" is `id` (messages of this chat arrive in id order).
  std::optional<Json> read_until_id(int64_t id) {
    while (auto frame = read()) {
      if (frame->contains("id") && (*frame)["id"] == id) return frame;
    }
    return std::nullopt;
  }
  void send(const std::string& text) { ws_.write(net::buffer(text)); }
  bool closed() const { return closed_; }
  // The close code the server sent (after read() saw the close).
  int close_code() const { return static_cast<int>(ws_.reason().code); }

 private:
  net::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  int status_ = 0;
  std::string refusal_;
  bool closed_ = false;
};

class ChatSocket : public Api {
 protected:
  // Two members with an accepted chat request; returns the chat id.
  int64_t chat_between(Client& c, const TestUser& a, const TestUser& b) {
    auto sent = c.post_json("/api/matching/chat_requests/" + qs(b.id), Json::object(), a.auth());
    if (sent.status != 201) throw std::runtime_error("request: " + sent.body);
    auto accepted = c.post("/api/matching/chat_requests/" +
                               qs(sent.json()["request_id"].get<int64_t>()) + "/accept",
                           "", "application/json", b.auth());
    if (accepted.status != 200) throw std::runtime_error("accept: " + accepted.body);
    return accepted.json()["chat_id"];
  }
  static std::string target(int64_t chat_id, const TestUser& u, const std::string& extra = "") {
    return "/ws/matching/chat?chat_id=" + qs(chat_id) + "&token=" + u.token + extra;
  }
  int64_t post(Client& c, int64_t chat, const TestUser& u, const std::string& body) {
    auto r = c.post_json("/api/matching/chats/" + qs(chat) + "/messages", {{"body", body}},
                         u.auth());
    if (r.status != 201) throw std::runtime_error("message: " + r.body);
    return r.json()["id"];
  }
  int64_t unread(Client& c, const TestUser& u, int64_t chat) {
    const Json chats = c.get("/api/matching/chats", u.auth()).json();
    for (const auto& item : chats["items"])
      if (item["chat_id"] == chat) return item["unread_count"];
    return -1;
  }
};

TEST_F(ChatSocket, RefusalsAreHttpAnswersBeforeTheUpgrade) {
  auto c = api();
  auto alice = make_user(c, "Alice");
  auto bob = make_user(c, "Bob");
  auto eve = make_user(c, "Eve");
  const int64_t chat = chat_between(c, alice, bob);
  const int port = server().port();

  EXPECT_EQ(WsClient(port, "/ws/matching/chat?chat_id=" + qs(chat)).status(), 401);
  EXPECT_EQ(WsClient(port, "/ws/matching/chat?chat_id=" + qs(chat) + "&token=forged").status(),
            401);
  EXPECT_EQ(WsClient(port, "/ws/matching/chat?token=" + alice.token).status(), 422);
  EXPECT_EQ(WsClient(port, target(chat, alice, "&after_id=x")).status(), 422);
  WsClient stranger(port, target(chat, eve));
  EXPECT_EQ(stranger.status(), 403);
  EXPECT_NE(stranger.refusal().find("forbidden"), std::string::npos) << stranger.refusal();
  EXPECT_EQ(WsClient(port, target(999999999, alice)).status(), 404);
  db().exec("UPDATE users SET membership_type = 'free' WHERE id = " + qs(eve.id));
  WsClient free_member(port, target(chat, eve));
  EXPECT_EQ(free_member.status(), 403);
  EXPECT_NE(free_member.refusal().find("premium_required"), std::string::npos);

  // A plain GET (no WebSocket handshake) is told to upgrade.
  auto plain = c.get(target(chat, alice));
  EXPECT_EQ(plain.status, 426);
  EXPECT_EQ(plain.header("Upgrade"), "websocket");
}

TEST_F(ChatSocket, MessagesArriveLiveAndCountAsReadForTheRecipient) {
  auto c = api();
  auto alice = make_user(c, "Alice");
  auto bob = make_user(c, "Bob");
  const int64_t chat = chat_between(c, alice, bob);
  const int64_t before = post(c, chat, alice, "before the socket");

  WsClient bob_socket(server().port(), target(chat, bob));
  ASSERT_EQ(bob_socket.status(), 101) << bob_socket.refusal();
  WsClient alice_socket(server().port(), target(chat, alice));
  ASSERT_EQ(alice_socket.status(), 101);

  const int64_t id = post(c, chat, alice, "こんにちは");
  auto frame = bob_socket.read();
  ASSERT_TRUE(frame) << "nothing arrived on bob's socket";
  EXPECT_EQ((*frame)["id"], id) << "only messages after the socket opened: " << frame->dump();
  EXPECT_EQ((*frame)["body"], "こんにちは");
  EXPECT_EQ((*frame)["sender_id"], alice.id);
  std::vector<std::string> keys;
  for (const auto& [k, v] : frame->items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"body", "chat_id", "created_at", "id", "image_url",
                                            "sender_id"}));
  ASSERT_TRUE(alice_socket.read_until_id(id)) << "the sender's own socket gets it too";

  // Delivered to bob's open chat: read (marked right after the frames are queued); the message
  // from before stays unread until fetched.
  const auto marked = [&] {
    return db().scalar("SELECT COUNT(*) FROM messages WHERE id = " + qs(id) +
                       " AND read_at IS NOT NULL") == 1;
  };
  for (int i = 0; i < 100 && !marked(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(marked());
  EXPECT_EQ(unread(c, bob, chat), 1);
  EXPECT_EQ(db().scalar("SELECT COUNT(*) FROM messages WHERE id = " + qs(before) +
                        " AND read_at IS NULL"),
            1);

  // A frame {"body"} is a message: stored, and sent to every socket of the chat.
  bob_socket.send(R"({"body":"  ソケットから  "})");
  auto echoed = alice_socket.read();
  ASSERT_TRUE(echoed);
  EXPECT_EQ((*echoed)["body"], "ソケットから");
  EXPECT_EQ((*echoed)["sender_id"], bob.id);
  ASSERT_TRUE(bob_socket.read_until_id((*echoed)["id"]));
  EXPECT_EQ(db().scalar("SELECT COUNT(*) FROM messages WHERE chat_id = " + qs(chat) +
                        " AND sender_id = " + qs(bob.id)),
            1);
  bob_socket.send(R"({"body":"   "})");  // ignored, as upstream ignores it
  bob_socket.send("not json");
  auto problem = bob_socket.read();
  ASSERT_TRUE(problem);
  EXPECT_TRUE(problem->contains("detail")) << problem->dump();
  bob_socket.send(R"({"body":5})");
  auto typed = bob_socket.read();
  ASSERT_TRUE(typed);
  EXPECT_EQ((*typed)["detail"], "body must be a string");
  EXPECT_EQ(db().scalar("SELECT COUNT(*) FROM messages WHERE chat_id = " + qs(chat)), 3);
}

TEST_F(ChatSocket, AReconnectingClientCatchesUpWithAfterId) {
  auto c = api();
  auto alice = make_user(c, "Alice");
  auto bob = make_user(c, "Bob");
  const int64_t chat = chat_between(c, alice, bob);
  const int64_t first = post(c, chat, alice, "one");
  const int64_t second = post(c, chat, alice, "two");
  const int64_t third = post(c, chat, alice, "three");
  WsClient socket(server().port(), target(chat, bob, "&after_id=" + qs(first)));
  ASSERT_EQ(socket.status(), 101);
  auto a = socket.read();
  auto b = socket.read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*a)["id"], second);
  EXPECT_EQ((*b)["id"], third);
}

TEST_F(ChatSocket, AMemberHasAtMostEightSockets) {
  auto c = api();
  auto alice = make_user(c, "Alice");
  auto bob = make_user(c, "Bob");
  const int64_t chat = chat_between(c, alice, bob);
  std::vector<std::unique_ptr<WsClient>> sockets;
  for (int i = 0; i < 8; ++i) {
    sockets.push_back(std::make_unique<WsClient>(server().port(), target(chat, alice)));
    ASSERT_EQ(sockets.back()->status(), 101) << i;
  }
  WsClient ninth(server().port(), target(chat, alice));
  EXPECT_EQ(ninth.status(), 429);
  EXPECT_EQ(WsClient(server().port(), target(chat, bob)).status(), 101) << "per member";
  sockets.pop_back();  // closed by the client: its place is free again
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    auto again = std::make_unique<WsClient>(server().port(), target(chat, alice));
    reopened = again->status() == 101;
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reopened);
}

TEST_F(ChatSocket, AReaderTooSlowIsClosedWith1013AndCatchesUpAfterwards) {
  auto c = api();
  auto alice = make_user(c, "Alice");
  auto bob = make_user(c, "Bob");
  const int64_t chat = chat_between(c, alice, bob);
  // Bob's socket is not read while megabytes of messages are sent: past the kernel's buffers
  // the server's queue for it (1 MiB) fills, and the server closes it rather than buffer more.
  WsClient slow(server().port(), target(chat, bob), 4096);
  ASSERT_EQ(slow.status(), 101);
  // Enough to fill the server's largest possible send buffer (tcp_wmem's maximum) and the
  // 1 MiB queue, with 2 MiB to spare.
  int64_t send_buffer_max = 4 * 1024 * 1024;
  if (std::ifstream wmem("/proc/sys/net/ipv4/tcp_wmem"); wmem) {
    int64_t low = 0, initial = 0;
    wmem >> low >> initial >> send_buffer_max;
  }
  const std::string big(9000, 'x');
  const int64_t messages = (send_buffer_max + 3 * 1024 * 1024) / 9000 + 1;
  int64_t last = 0;
  for (int64_t i = 0; i < messages; ++i) last = post(c, chat, alice, big + std::to_string(i));
  int64_t seen = 0;
  while (auto frame = slow.read()) seen = (*frame)["id"];
  ASSERT_TRUE(slow.closed()) << "the server kept the slow socket open";
  EXPECT_EQ(slow.close_code(), 1013);
  EXPECT_LT(seen, last);
  // The service is unaffected; the history comes from REST, and a socket reopened with
  // after_id continues from there.
  EXPECT_EQ(c.get("/healthz").status, 200);
  EXPECT_EQ(c.get("/api/matching/chats/" + qs(chat) + "/messages", bob.auth()).json()["items"]
                .size(),
            static_cast<size_t>(messages));
  WsClient again(server().port(), target(chat, bob, "&after_id=" + qs(last - 3)));
  ASSERT_EQ(again.status(), 101);
  EXPECT_TRUE(again.read_until_id(last)) << "nothing after after_id arrived";
}

TEST_F(ChatSocket, MessagesCrossReplicasAndSurviveAListenerRestart) {
  if (std::string(std::getenv("CARAT_TEST_DB") ? std::getenv("CARAT_TEST_DB") : "") !=
      "postgres") {
    GTEST_SKIP() << "one SQLite process delivers in process";
  }
  auto c = api();
  auto alice = make_user(c, "Alice");
  auto bob = make_user(c, "Bob");
  const int64_t chat = chat_between(c, alice, bob);
  // A second replica of the same database.
  CaratServer replica(Env{{"DATABASE_URL", server().database_url()}});
  WsClient on_replica(replica.port(), target(chat, bob));
  ASSERT_EQ(on_replica.status(), 101) << on_replica.refusal();
  const int64_t id = post(c, chat, alice, "across replicas");
  auto frame = on_replica.read_until_id(id);
  ASSERT_TRUE(frame) << "not delivered through the other replica";
  EXPECT_EQ((*frame)["body"], "across replicas");

  // The replica's listening session is killed: it reconnects and catches up, including what
  // was stored while it was away.
  db().exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
      "'carat-listener' AND pid <> pg_backend_pid()");
  const int64_t during = post(c, chat, alice, "while the listener was away");
  auto caught = on_replica.read_until_id(during);
  ASSERT_TRUE(caught) << "lost after the listener restart";
  const int64_t after = post(c, chat, alice, "after the restart");
  EXPECT_TRUE(on_replica.read_until_id(after));
  replica.stop();
}

}  // namespace
}  // namespace carat::testing

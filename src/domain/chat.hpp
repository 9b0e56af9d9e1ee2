// Chats (upstream 7750a50's /api/matching chats and chat requests): a chat request is sent,
// accepted (the pair's match and chat are created and the messages sent while it was pending
// move into the chat) or declined; matched members chat. Every stored chat message is announced
// through ChatEvents, which delivers it live (live/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/chat_repository.hpp"
#include "db/database.hpp"
#include "domain/users.hpp"

namespace carat::domain {

// Told about the messages stored in a chat.
class ChatEvents {
 public:
  virtual ~ChatEvents() = default;
  // Inside the transaction that stored them (PostgreSQL: a NOTIFY, which is sent at commit and
  // never for a transaction that rolls back).
  virtual void stored(db::Connection& c, int64_t chat_id) = 0;
  // After that transaction committed (the in-process delivery of a single SQLite process).
  virtual void committed(int64_t chat_id) = 0;
};

// Nobody listens (tools, tests of the rules alone).
class NoChatEvents final : public ChatEvents {
 public:
  void stored(db::Connection&, int64_t) override {}
  void committed(int64_t) override {}
};

// The caller's place in a chat: 404 "chat not found", 403 "forbidden" when they are not one of
// its match's members.
struct ChatAccess {
  int64_t chat_id = 0;
  int64_t other_user_id = 0;
};
ChatAccess chat_access(db::Connection& c, int64_t chat_id, int64_t user_id);

// The member's chats, most recently active first. A match without a chat (rows older than the
// accept rule) gets one.
std::vector<db::ChatListRow> my_chats(db::Connection& c, const User& user);

// The chat's messages, oldest first; the ones the other member sent are marked read.
std::vector<db::MessageRow> read_messages(db::Connection& c, const User& user, int64_t chat_id);

struct NewMessage {
  std::optional<std::string> body;       // trimmed, non-empty when present
  std::optional<std::string> image_url;  // one of the sender's uploads
};
// 400 "Body is required" when the message has neither text nor image; 400 "image_url must be
// an image you uploaded".
db::MessageRow send_message(db::Connection& c, ChatEvents& events, const User& user,
                            int64_t chat_id, const NewMessage& message);

// Messages delivered live to `reader` were read (the chat is open on their screen).
void mark_delivered(db::Connection& c, int64_t chat_id, int64_t reader,
                    const std::vector<int64_t>& message_ids);

// Announces new messages of the chat to every replica, inside the storing transaction
// (PostgreSQL NOTIFY on channel kChatChannel, delivered at commit, never on rollback).
inline constexpr const char* kChatChannel = "carat_chat";
void announce_chat(db::Connection& c, int64_t chat_id);

// Messages of a chat after `after_id`, at most `limit`, in id order (live delivery).
std::vector<db::MessageRow> messages_after(db::Connection& c, int64_t chat_id, int64_t after_id,
                                           int64_t limit);
int64_t last_message_id(db::Connection& c, int64_t chat_id);

// POST /ensure_chat/{id}: 400 "Cannot chat with yourself", 404 without an accepted request
// between the two or without their match; the chat is created when missing.
int64_t ensure_chat(db::Connection& c, const User& user, int64_t to_user_id);

// The answer of a request to someone who already chats with the sender (409).
struct AlreadyChatting {
  int64_t chat_id = 0;
};

struct SentRequest {
  int64_t request_id = 0;
  bool already_sent = false;  // a pending request from the sender to them existed
};
// 400 "Cannot send chat request to yourself", 404 "User not found", AlreadyChatting.
SentRequest send_chat_request(db::Connection& c, const User& user, int64_t to_user_id,
                              const std::optional<std::string>& initial_message);

std::vector<db::IncomingRequestRow> incoming_requests(db::Connection& c, const User& user);
std::vector<db::OutgoingRequestRow> outgoing_requests(db::Connection& c, const User& user);

struct AcceptedRequest {
  int64_t chat_id = 0;
  int64_t match_id = 0;
};
// 404 "Chat request not found", 403 "Not your request to accept", 400 "Request already <status>".
// Other pending requests between the two are declined.
AcceptedRequest accept_chat_request(db::Connection& c, ChatEvents& events, const User& user,
                                    int64_t request_id);
// 404, 403 "Not your request to decline", 400 "Request already <status>".
void decline_chat_request(db::Connection& c, const User& user, int64_t request_id);

// Messages the sender writes while the request is pending. 404 "Chat request not found", 403
// "Only sender can send pending messages", 400 "Request already accepted, use regular chat",
// 400 "Request was declined"; the content is trimmed and must not be empty (400).
db::RequestMessageRow send_pending_message(db::Connection& c, const User& user,
                                           int64_t request_id, const std::string& content);
// 404, 403 "Only sender can view pending messages".
std::vector<db::RequestMessageRow> pending_messages(db::Connection& c, const User& user,
                                                    int64_t request_id);

}  // namespace carat::domain

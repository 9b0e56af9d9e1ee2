// Chats (upstream 7750a50): matches' chats, their messages, chat requests and the messages sent
// while a request is pending. Queries and rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/json_params.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

// The two members of a chat's match (0 when the match is gone).
struct ChatMembersRow {
  int64_t chat_id = 0;
  int64_t user_a_id = 0;
  int64_t user_b_id = 0;
};

struct MessageRow {
  int64_t id = 0;
  int64_t chat_id = 0;
  int64_t sender_id = 0;
  std::optional<std::string> body;
  std::optional<std::string> image_url;
  std::optional<timeutil::Timestamp> created_at;
};

struct ChatListRow {
  int64_t chat_id = 0;
  int64_t with_user_id = 0;
  std::optional<std::string> with_display_name;
  std::optional<std::string> with_avatar_url;
  std::optional<std::string> last_message;
  std::optional<timeutil::Timestamp> last_message_at;
  int64_t unread_count = 0;
};

struct ChatRequestRow {
  int64_t id = 0;
  int64_t from_user_id = 0;
  int64_t to_user_id = 0;
  std::string status;
  std::optional<std::string> initial_message;
};

// The other member's card in the request lists.
struct RequestCardColumns {
  static constexpr bool kColumnGroup = true;
  std::optional<std::string> display_name;  // the profile's nickname, else the member's name
  std::optional<std::string> avatar_url;    // their first profile image
  std::optional<std::string> identity, prefecture, age_band;
};

struct IncomingRequestRow {
  int64_t request_id = 0;
  int64_t from_user_id = 0;
  RequestCardColumns card;
  std::optional<std::string> initial_message;
  std::optional<timeutil::Timestamp> created_at;
};

struct OutgoingRequestRow {
  int64_t request_id = 0;
  int64_t from_user_id = 0;
  int64_t to_user_id = 0;
  RequestCardColumns card;
  std::optional<std::string> initial_message;
  std::string status;
  std::optional<timeutil::Timestamp> created_at;
  std::optional<timeutil::Timestamp> responded_at;
};

struct RequestMessageRow {
  int64_t id = 0;
  int64_t chat_request_id = 0;
  int64_t from_user_id = 0;
  std::string content;
  std::optional<timeutil::Timestamp> created_at;
  bool migrated = false;
};

namespace chat_sql {

inline constexpr Select<ChatMembersRow> kMembers{
    "chat_members",
    "SELECT c.id, COALESCE(m.user_a_id, 0), COALESCE(m.user_b_id, 0) FROM chats c "
    "LEFT JOIN matches m ON m.id = c.match_id WHERE c.id = $1"};

// Serialises the writers of one chat until commit, so its message ids grow in commit order
// (live delivery reads "ids after the last delivered"). SQLite writers are serialised anyway.
inline constexpr Query kLockChat{"chat_lock", "SELECT 1 FROM chats WHERE id = $1 FOR UPDATE",
                                 "SELECT 1 FROM chats WHERE id = $1"};

inline constexpr Select<MessageRow> kMessages{
    "chat_messages",
    "SELECT id, chat_id, sender_id, body, image_url, created_at FROM messages WHERE chat_id = $1 "
    "ORDER BY created_at, id"};

// Messages of a chat after a known id, in id order (live delivery and catch-up).
inline constexpr Select<MessageRow> kMessagesAfter{
    "chat_messages_after",
    "SELECT id, chat_id, sender_id, body, image_url, created_at FROM messages "
    "WHERE chat_id = $1 AND id > $2 ORDER BY id LIMIT $3"};

inline constexpr Select<Value<int64_t>> kLastMessageId{
    "chat_last_message_id", "SELECT COALESCE(max(id), 0) FROM messages WHERE chat_id = $1"};

inline constexpr Select<MessageRow> kInsertMessage{
    "chat_message_insert",
    "INSERT INTO messages (chat_id, sender_id, body, image_url, created_at) "
    "VALUES ($1, $2, $3, $4, now()) "
    "RETURNING id, chat_id, sender_id, body, image_url, created_at"};

// The recipient has read everything the other member sent in the chat.
inline constexpr Query kMarkRead{
    "chat_mark_read",
    "UPDATE messages SET read_at = now() WHERE chat_id = $1 AND sender_id <> $2 "
    "AND read_at IS NULL"};

// Messages of chat $3 delivered live to `reader` ($2), a JSON array of ids ($1). The chat_id
// term keeps the plan on the chat's rows: without it PostgreSQL may walk the partial unread
// index of the whole table (measured: 52-79 ms at 20,000 unread messages, 0.65 ms with it).
inline constexpr Query kMarkDelivered{
    "chat_mark_delivered",
    "UPDATE messages SET read_at = now() WHERE chat_id = $3 AND id IN "
    "(SELECT json_array_elements_text($1::json)::int) AND sender_id <> $2 AND read_at IS NULL",
    "UPDATE messages SET read_at = now() WHERE chat_id = $3 AND id IN "
    "(SELECT value FROM json_each($1)) AND sender_id <> $2 AND read_at IS NULL"};

// Tells every replica listening on channel carat_chat (sent at commit, not before).
inline constexpr Query kNotify{"chat_notify", "SELECT pg_notify('carat_chat', $1)"};

// The member's chats, most recently active first, with the other member, the last message and
// how many of the other's messages are unread. One row per match (its first chat).
inline constexpr Select<ChatListRow> kChats{
    "chat_list",
    "SELECT c.id, o.other_id, u.display_name, (SELECT i.image_url FROM matching_profile_images i "
    "WHERE i.profile_id = o.other_id ORDER BY i.display_order, i.id LIMIT 1), lm.body, "
    "lm.created_at, (SELECT count(*) FROM messages um WHERE um.chat_id = c.id "
    "AND um.sender_id = o.other_id AND um.read_at IS NULL) "
    "FROM (SELECT id, CASE WHEN user_a_id = $1 THEN user_b_id ELSE user_a_id END AS other_id "
    "FROM matches WHERE user_a_id = $1 OR user_b_id = $1) o "
    "JOIN chats c ON c.id = (SELECT min(c2.id) FROM chats c2 WHERE c2.match_id = o.id) "
    "LEFT JOIN users u ON u.id = o.other_id "
    "LEFT JOIN LATERAL (SELECT body, created_at FROM messages WHERE chat_id = c.id "
    "ORDER BY created_at DESC, id DESC LIMIT 1) lm ON true "
    "ORDER BY COALESCE(lm.created_at, c.created_at) DESC, c.id DESC",
    "SELECT c.id, o.other_id, u.display_name, (SELECT i.image_url FROM matching_profile_images i "
    "WHERE i.profile_id = o.other_id ORDER BY i.display_order, i.id LIMIT 1), lm.body, "
    "lm.created_at, (SELECT count(*) FROM messages um WHERE um.chat_id = c.id "
    "AND um.sender_id = o.other_id AND um.read_at IS NULL) "
    "FROM (SELECT id, CASE WHEN user_a_id = $1 THEN user_b_id ELSE user_a_id END AS other_id "
    "FROM matches WHERE user_a_id = $1 OR user_b_id = $1) o "
    "JOIN chats c ON c.id = (SELECT min(c2.id) FROM chats c2 WHERE c2.match_id = o.id) "
    "LEFT JOIN users u ON u.id = o.other_id "
    "LEFT JOIN messages lm ON lm.id = (SELECT m2.id FROM messages m2 WHERE m2.chat_id = c.id "
    "ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1) "
    "ORDER BY COALESCE(lm.created_at, c.created_at) DESC, c.id DESC"};

// ---- matches and their chats ----

inline constexpr Select<Value<int64_t>> kMatchesWithoutChat{
    "chat_matches_without_chat",
    "SELECT m.id FROM matches m WHERE (m.user_a_id = $1 OR m.user_b_id = $1) "
    "AND NOT EXISTS (SELECT 1 FROM chats c WHERE c.match_id = m.id)"};

// The match of a pair ($1 < $2), locked until commit.
inline constexpr Select<Value<int64_t>> kLockMatch{
    "chat_match_lock",
    "SELECT id FROM matches WHERE user_a_id = $1 AND user_b_id = $2 FOR UPDATE",
    "SELECT id FROM matches WHERE user_a_id = $1 AND user_b_id = $2"};

inline constexpr Query kInsertMatch{
    "chat_match_insert",
    "INSERT INTO matches (user_a_id, user_b_id, created_at, active_flag) "
    "VALUES ($1, $2, now(), true) ON CONFLICT (user_a_id, user_b_id) DO NOTHING"};

inline constexpr Select<Value<std::optional<int64_t>>> kChatOfMatch{
    "chat_of_match", "SELECT min(id) FROM chats WHERE match_id = $1"};

inline constexpr Select<Value<int64_t>> kInsertChat{
    "chat_insert", "INSERT INTO chats (match_id, created_at) VALUES ($1, now()) RETURNING id"};

// ---- chat requests ----

inline constexpr Select<ChatRequestRow> kRequest{
    "chat_request",
    "SELECT id, from_user_id, to_user_id, status, initial_message FROM chat_requests "
    "WHERE id = $1"};
inline constexpr Select<ChatRequestRow> kLockRequest{
    "chat_request_lock",
    "SELECT id, from_user_id, to_user_id, status, initial_message FROM chat_requests "
    "WHERE id = $1 FOR UPDATE",
    "SELECT id, from_user_id, to_user_id, status, initial_message FROM chat_requests "
    "WHERE id = $1"};

inline constexpr Select<Value<int64_t>> kPendingRequest{
    "chat_request_pending",
    "SELECT id FROM chat_requests WHERE from_user_id = $1 AND to_user_id = $2 "
    "AND status = 'pending' ORDER BY id LIMIT 1"};

inline constexpr Query kAcceptedBetween{
    "chat_request_accepted_between",
    "SELECT 1 FROM chat_requests WHERE status = 'accepted' AND ((from_user_id = $1 AND "
    "to_user_id = $2) OR (from_user_id = $2 AND to_user_id = $1)) LIMIT 1"};

inline constexpr Select<Value<int64_t>> kInsertRequest{
    "chat_request_insert",
    "INSERT INTO chat_requests (from_user_id, to_user_id, status, initial_message, created_at) "
    "VALUES ($1, $2, 'pending', $3, now()) RETURNING id"};

inline constexpr Query kSetRequestStatus{
    "chat_request_set_status",
    "UPDATE chat_requests SET status = $2, responded_at = now() WHERE id = $1"};

// Other pending requests between the pair of request $1 ($2, $3), either direction.
inline constexpr Select<ChatRequestRow> kOtherPending{
    "chat_request_other_pending",
    "SELECT id, from_user_id, to_user_id, status, initial_message FROM chat_requests WHERE id <> $1 AND status = 'pending' AND "
    "((from_user_id = $2 AND to_user_id = $3) OR (from_user_id = $3 AND to_user_id = $2)) "
    "ORDER BY id"};

// A request's row that already has ($2, $3, $4) (at most one: the table's unique key) gives
// its messages to request $1 and goes, so that $1 can take that status.
inline constexpr Query kMoveMessagesOfSameStatus{
    "chat_request_move_messages",
    "UPDATE chat_request_messages SET chat_request_id = $1 WHERE chat_request_id IN "
    "(SELECT id FROM chat_requests WHERE from_user_id = $2 AND to_user_id = $3 AND status = $4 "
    "AND id <> $1)"};
inline constexpr Query kDeleteSameStatus{
    "chat_request_delete_same_status",
    "DELETE FROM chat_requests WHERE from_user_id = $2 AND to_user_id = $3 AND status = $4 "
    "AND id <> $1"};

inline constexpr Select<IncomingRequestRow> kIncoming{
    "chat_requests_incoming",
    "SELECT r.id, r.from_user_id, COALESCE(NULLIF(mp.nickname, ''), u.display_name), "
    "(SELECT i.image_url FROM matching_profile_images i WHERE i.profile_id = r.from_user_id "
    "ORDER BY i.display_order, i.id LIMIT 1), mp.identity, mp.prefecture, mp.age_band, "
    "r.initial_message, r.created_at FROM chat_requests r "
    "LEFT JOIN users u ON u.id = r.from_user_id "
    "LEFT JOIN matching_profiles mp ON mp.user_id = r.from_user_id "
    "WHERE r.to_user_id = $1 AND r.status = 'pending' ORDER BY r.id"};

inline constexpr Select<OutgoingRequestRow> kOutgoing{
    "chat_requests_outgoing",
    "SELECT r.id, r.from_user_id, r.to_user_id, COALESCE(NULLIF(mp.nickname, ''), "
    "u.display_name), (SELECT i.image_url FROM matching_profile_images i "
    "WHERE i.profile_id = r.to_user_id ORDER BY i.display_order, i.id LIMIT 1), mp.identity, "
    "mp.prefecture, mp.age_band, r.initial_message, r.status, r.created_at, r.responded_at "
    "FROM chat_requests r LEFT JOIN users u ON u.id = r.to_user_id "
    "LEFT JOIN matching_profiles mp ON mp.user_id = r.to_user_id "
    "WHERE r.from_user_id = $1 AND r.status = 'pending' ORDER BY r.created_at DESC, r.id DESC"};

// ---- messages of a pending request ----

inline constexpr Select<RequestMessageRow> kInsertRequestMessage{
    "chat_request_message_insert",
    "INSERT INTO chat_request_messages (chat_request_id, from_user_id, content, created_at) "
    "VALUES ($1, $2, $3, now()) "
    "RETURNING id, chat_request_id, from_user_id, content, created_at, migrated_at IS NOT NULL"};

inline constexpr Select<RequestMessageRow> kRequestMessages{
    "chat_request_messages",
    "SELECT id, chat_request_id, from_user_id, content, created_at, migrated_at IS NOT NULL "
    "FROM chat_request_messages WHERE chat_request_id = $1 ORDER BY created_at, id"};

// Copies the request's messages not yet moved into chat $2, keeping their times, unless the
// same message is already there; then marks them moved.
inline constexpr Query kMigrateMessages{
    "chat_request_migrate",
    "INSERT INTO messages (chat_id, sender_id, body, created_at) "
    "SELECT $2, rm.from_user_id, rm.content, rm.created_at FROM chat_request_messages rm "
    "WHERE rm.chat_request_id = $1 AND rm.migrated_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
    "messages m WHERE m.chat_id = $2 AND m.sender_id = rm.from_user_id AND m.body = rm.content "
    "AND m.created_at = rm.created_at) ORDER BY rm.created_at, rm.id"};
inline constexpr Query kMarkMigrated{
    "chat_request_mark_migrated",
    "UPDATE chat_request_messages SET migrated_at = now() WHERE chat_request_id = $1 "
    "AND migrated_at IS NULL"};

}  // namespace chat_sql

class ChatRepository {
 public:
  explicit ChatRepository(Connection& c) : c_(c) {}

  std::optional<ChatMembersRow> members(int64_t chat_id) {
    return fetch_one(c_, chat_sql::kMembers, {chat_id});
  }
  void lock_chat(int64_t chat_id) { c_.exec(chat_sql::kLockChat, {chat_id}); }
  std::vector<MessageRow> messages(int64_t chat_id) {
    return fetch_all(c_, chat_sql::kMessages, {chat_id});
  }
  std::vector<MessageRow> messages_after(int64_t chat_id, int64_t after_id, int64_t limit) {
    return fetch_all(c_, chat_sql::kMessagesAfter, {chat_id, after_id, limit});
  }
  int64_t last_message_id(int64_t chat_id) {
    return fetch_one(c_, chat_sql::kLastMessageId, {chat_id})->value;
  }
  MessageRow insert_message(int64_t chat_id, int64_t sender, const std::optional<std::string>& body,
                            const std::optional<std::string>& image_url) {
    return *fetch_one(c_, chat_sql::kInsertMessage, {chat_id, sender, body, image_url});
  }
  void mark_read(int64_t chat_id, int64_t reader) {
    c_.exec(chat_sql::kMarkRead, {chat_id, reader});
  }
  void mark_delivered(int64_t chat_id, const std::vector<int64_t>& ids, int64_t reader) {
    c_.exec(chat_sql::kMarkDelivered, {json_array(ids), reader, chat_id});
  }
  void notify(const std::string& payload) { c_.exec(chat_sql::kNotify, {payload}); }
  std::vector<ChatListRow> chats(int64_t user_id) {
    return fetch_all(c_, chat_sql::kChats, {user_id});
  }

  std::vector<int64_t> matches_without_chat(int64_t user_id) {
    std::vector<int64_t> ids;
    for (const auto& row : fetch_all(c_, chat_sql::kMatchesWithoutChat, {user_id})) {
      ids.push_back(row.value);
    }
    return ids;
  }
  // The pair's match ($1 < $2), locked; nullopt when they have none.
  std::optional<int64_t> lock_match(int64_t user_a, int64_t user_b) {
    auto row = fetch_one(c_, chat_sql::kLockMatch, {user_a, user_b});
    return row ? std::optional<int64_t>(row->value) : std::nullopt;
  }
  // The pair's match, created when missing (user_a < user_b), locked.
  int64_t ensure_match(int64_t user_a, int64_t user_b) {
    c_.exec(chat_sql::kInsertMatch, {user_a, user_b});
    return *lock_match(user_a, user_b);
  }
  std::optional<int64_t> chat_of_match(int64_t match_id) {
    return fetch_one(c_, chat_sql::kChatOfMatch, {match_id})->value;
  }
  int64_t insert_chat(int64_t match_id) {
    return fetch_one(c_, chat_sql::kInsertChat, {match_id})->value;
  }

  std::optional<ChatRequestRow> request(int64_t id) {
    return fetch_one(c_, chat_sql::kRequest, {id});
  }
  std::optional<ChatRequestRow> lock_request(int64_t id) {
    return fetch_one(c_, chat_sql::kLockRequest, {id});
  }
  std::optional<int64_t> pending_request(int64_t from, int64_t to) {
    auto row = fetch_one(c_, chat_sql::kPendingRequest, {from, to});
    return row ? std::optional<int64_t>(row->value) : std::nullopt;
  }
  bool accepted_between(int64_t a, int64_t b) {
    return exists(c_, chat_sql::kAcceptedBetween, {a, b});
  }
  int64_t insert_request(int64_t from, int64_t to, const std::optional<std::string>& message) {
    return fetch_one(c_, chat_sql::kInsertRequest, {from, to, message})->value;
  }
  // Gives request `r` a new status. The table allows one request per (from, to, status): an
  // older one with that status hands its messages to `r` and is removed first.
  void set_request_status(const ChatRequestRow& r, const std::string& status) {
    const Params same = {r.id, r.from_user_id, r.to_user_id, status};
    c_.exec(chat_sql::kMoveMessagesOfSameStatus, same);
    c_.exec(chat_sql::kDeleteSameStatus, same);
    c_.exec(chat_sql::kSetRequestStatus, {r.id, status});
  }
  std::vector<ChatRequestRow> other_pending(const ChatRequestRow& r) {
    return fetch_all(c_, chat_sql::kOtherPending, {r.id, r.from_user_id, r.to_user_id});
  }
  std::vector<IncomingRequestRow> incoming(int64_t user_id) {
    return fetch_all(c_, chat_sql::kIncoming, {user_id});
  }
  std::vector<OutgoingRequestRow> outgoing(int64_t user_id) {
    return fetch_all(c_, chat_sql::kOutgoing, {user_id});
  }

  RequestMessageRow insert_request_message(int64_t request_id, int64_t from,
                                           const std::string& content) {
    return *fetch_one(c_, chat_sql::kInsertRequestMessage, {request_id, from, content});
  }
  std::vector<RequestMessageRow> request_messages(int64_t request_id) {
    return fetch_all(c_, chat_sql::kRequestMessages, {request_id});
  }
  // Moves the request's pending messages into the chat.
  void migrate_messages(int64_t request_id, int64_t chat_id) {
    c_.exec(chat_sql::kMigrateMessages, {request_id, chat_id});
    c_.exec(chat_sql::kMarkMigrated, {request_id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db

#include "domain/chat.hpp"

#include <algorithm>
#include <utility>

#include "db/chat_repository.hpp"
#include "db/matching_repository.hpp"
#include "db/users_repository.hpp"
#include "errors/errors.hpp"
#include "util/strings.hpp"

namespace carat::domain {

namespace {

std::pair<int64_t, int64_t> ordered_pair(int64_t x, int64_t y) {
  return x < y ? std::pair(x, y) : std::pair(y, x);
}

// The request `request_id`, locked, checked to be addressed to `user` and still pending.
db::ChatRequestRow pending_request_for(db::ChatRepository& chats, const User& user,
                                       int64_t request_id, const char* not_yours) {
  auto request = chats.lock_request(request_id);
  if (!request) throw errors::not_found("Chat request not found");
  if (request->to_user_id != user.id) throw errors::forbidden(not_yours);
  if (request->status != "pending") {
    throw errors::bad_request("Request already " + request->status);
  }
  return *request;
}

// The request `request_id` as its sender sees it.
db::ChatRequestRow sent_request(db::ChatRepository& chats, const User& user, int64_t request_id,
                                const char* not_sender) {
  auto request = chats.request(request_id);
  if (!request) throw errors::not_found("Chat request not found");
  if (request->from_user_id != user.id) throw errors::forbidden(not_sender);
  return *request;
}

}  // namespace

ChatAccess chat_access(db::Connection& c, int64_t chat_id, int64_t user_id) {
  auto members = db::ChatRepository(c).members(chat_id);
  if (!members) throw errors::not_found("chat not found");
  if (members->user_a_id == user_id) return {chat_id, members->user_b_id};
  if (members->user_b_id == user_id) return {chat_id, members->user_a_id};
  throw errors::forbidden("forbidden");
}

std::vector<db::ChatListRow> my_chats(db::Connection& c, const User& user) {
  db::ChatRepository chats(c);
  if (!chats.matches_without_chat(user.id).empty()) {
    db::Transaction tx(c, true);
    for (int64_t match_id : chats.matches_without_chat(user.id)) chats.insert_chat(match_id);
    tx.commit();
  }
  return chats.chats(user.id);
}

std::vector<db::MessageRow> read_messages(db::Connection& c, const User& user, int64_t chat_id) {
  chat_access(c, chat_id, user.id);
  db::ChatRepository chats(c);
  db::Transaction tx(c, true);
  chats.mark_read(chat_id, user.id);
  auto messages = chats.messages(chat_id);
  tx.commit();
  return messages;
}

db::MessageRow send_message(db::Connection& c, ChatEvents& events, const User& user,
                            int64_t chat_id, const NewMessage& message) {
  chat_access(c, chat_id, user.id);
  if (!message.body && !message.image_url) throw errors::bad_request("Body is required");
  db::Transaction tx(c, true);
  if (message.image_url && !db::MatchingRepository(c).owns_media(user.id, *message.image_url)) {
    throw errors::bad_request("image_url must be an image you uploaded");
  }
  db::ChatRepository chats(c);
  chats.lock_chat(chat_id);
  auto row = chats.insert_message(chat_id, user.id, message.body, message.image_url);
  events.stored(c, chat_id);
  tx.commit();
  events.committed(chat_id);
  return row;
}

void mark_delivered(db::Connection& c, int64_t chat_id, int64_t reader,
                    const std::vector<int64_t>& message_ids) {
  if (!message_ids.empty()) db::ChatRepository(c).mark_delivered(chat_id, message_ids, reader);
}

void announce_chat(db::Connection& c, int64_t chat_id) {
  db::ChatRepository(c).notify(std::to_string(chat_id));
}

std::vector<db::MessageRow> messages_after(db::Connection& c, int64_t chat_id, int64_t after_id,
                                           int64_t limit) {
  return db::ChatRepository(c).messages_after(chat_id, after_id, limit);
}

int64_t last_message_id(db::Connection& c, int64_t chat_id) {
  return db::ChatRepository(c).last_message_id(chat_id);
}

int64_t ensure_chat(db::Connection& c, const User& user, int64_t to_user_id) {
  if (to_user_id == user.id) throw errors::bad_request("Cannot chat with yourself");
  db::ChatRepository chats(c);
  db::Transaction tx(c, true);
  if (!chats.accepted_between(user.id, to_user_id)) {
    throw errors::not_found(
        "No accepted chat request found. Please send a chat request first.");
  }
  const auto [a, b] = ordered_pair(user.id, to_user_id);
  const auto match_id = chats.lock_match(a, b);
  if (!match_id) throw errors::not_found("No match found");
  auto chat_id = chats.chat_of_match(*match_id);
  if (!chat_id) chat_id = chats.insert_chat(*match_id);
  tx.commit();
  return *chat_id;
}

SentRequest send_chat_request(db::Connection& c, const User& user, int64_t to_user_id,
                              const std::optional<std::string>& initial_message) {
  if (to_user_id == user.id) throw errors::bad_request("Cannot send chat request to yourself");
  db::ChatRepository chats(c);
  const auto attempt = [&]() -> SentRequest {
    db::Transaction tx(c, true);
    if (!db::UsersRepository(c).by_id(to_user_id)) throw errors::not_found("User not found");
    if (auto pending = chats.pending_request(user.id, to_user_id)) return {*pending, true};
    const auto [a, b] = ordered_pair(user.id, to_user_id);
    if (auto match_id = chats.lock_match(a, b)) {
      if (auto chat_id = chats.chat_of_match(*match_id)) throw AlreadyChatting{*chat_id};
    }
    const int64_t id = chats.insert_request(user.id, to_user_id, initial_message);
    tx.commit();
    return {id, false};
  };
  try {
    return attempt();
  } catch (const db::DbError& e) {
    // The same request sent twice at once: the table's (from, to, status) key let the other
    // one in, which the second attempt finds.
    if (e.kind() != db::DbError::Kind::kUniqueViolation) throw;
  }
  return attempt();
}

std::vector<db::IncomingRequestRow> incoming_requests(db::Connection& c, const User& user) {
  return db::ChatRepository(c).incoming(user.id);
}

std::vector<db::OutgoingRequestRow> outgoing_requests(db::Connection& c, const User& user) {
  return db::ChatRepository(c).outgoing(user.id);
}

AcceptedRequest accept_chat_request(db::Connection& c, ChatEvents& events, const User& user,
                                    int64_t request_id) {
  db::ChatRepository chats(c);
  db::Transaction tx(c, true);
  const auto request = pending_request_for(chats, user, request_id, "Not your request to accept");
  chats.set_request_status(request, "accepted");
  const auto [a, b] = ordered_pair(request.from_user_id, request.to_user_id);
  const int64_t match_id = chats.ensure_match(a, b);
  auto chat_id = chats.chat_of_match(match_id);
  if (!chat_id) chat_id = chats.insert_chat(match_id);
  for (const auto& other : chats.other_pending(request)) {
    chats.set_request_status(other, "declined");
  }
  chats.lock_chat(*chat_id);
  chats.migrate_messages(request.id, *chat_id);
  events.stored(c, *chat_id);
  tx.commit();
  events.committed(*chat_id);
  return {*chat_id, match_id};
}

void decline_chat_request(db::Connection& c, const User& user, int64_t request_id) {
  db::ChatRepository chats(c);
  db::Transaction tx(c, true);
  const auto request = pending_request_for(chats, user, request_id, "Not your request to decline");
  chats.set_request_status(request, "declined");
  tx.commit();
}

db::RequestMessageRow send_pending_message(db::Connection& c, const User& user,
                                           int64_t request_id, const std::string& content) {
  db::ChatRepository chats(c);
  db::Transaction tx(c, true);
  const auto request =
      sent_request(chats, user, request_id, "Only sender can send pending messages");
  if (request.status == "accepted") {
    throw errors::bad_request("Request already accepted, use regular chat");
  }
  if (request.status == "declined") throw errors::bad_request("Request was declined");
  const std::string_view text = text::trim(content);
  if (text.empty()) throw errors::bad_request("Content is required");
  auto row = chats.insert_request_message(request_id, user.id, std::string(text));
  tx.commit();
  return row;
}

std::vector<db::RequestMessageRow> pending_messages(db::Connection& c, const User& user,
                                                    int64_t request_id) {
  db::ChatRepository chats(c);
  sent_request(chats, user, request_id, "Only sender can view pending messages");
  return chats.request_messages(request_id);
}

}  // namespace carat::domain

// JSON shapes of /api/matching chats and chat requests (upstream 7750a50's keys, in its order),
// and of a message pushed over the chat WebSocket (the same object as the REST answer).
#pragma once

#include <string>
#include <vector>

#include "db/chat_repository.hpp"
#include "domain/chat.hpp"
#include "dto/json.hpp"
#include "dto/matching.hpp"

namespace carat::dto {

// {"id", "chat_id", "sender_id", "body", "image_url", "created_at"}
inline void write_message(JsonWriter& w, const db::MessageRow& m) {
  w.begin_object();
  w.field("id", m.id);
  w.field("chat_id", m.chat_id);
  w.field("sender_id", m.sender_id);
  w.field("body", m.body);
  w.field("image_url", m.image_url);
  w.field("created_at", m.created_at);
  w.end_object();
}

inline std::string message_json(const db::MessageRow& m) { return object_json(m, write_message); }

// A problem with a frame a client sent on its chat socket: {"detail": "..."}.
inline std::string socket_error_json(std::string_view detail) {
  JsonWriter w;
  w.begin_object().field("detail", detail).end_object();
  return w.take();
}

inline std::string messages_json(const std::vector<db::MessageRow>& messages) {
  return items_json(messages, write_message);
}

inline std::string chats_json(const std::vector<db::ChatListRow>& chats) {
  return items_json(chats, [](JsonWriter& w, const db::ChatListRow& c) {
    w.begin_object();
    w.field("chat_id", c.chat_id);
    w.field("with_user_id", c.with_user_id);
    w.field("with_display_name", name_or_user(c.with_display_name, c.with_user_id));
    w.field("with_avatar_url", c.with_avatar_url);
    w.field("last_message", c.last_message);
    w.field("last_message_at", c.last_message_at);
    w.field("unread_count", c.unread_count);
    w.end_object();
  });
}

// {"chat_id": ...}
inline std::string chat_id_json(int64_t chat_id) {
  JsonWriter w;
  w.begin_object().field("chat_id", chat_id).end_object();
  return w.take();
}

// POST /chat_requests/{to_user_id}
inline std::string sent_request_json(const domain::SentRequest& r) {
  JsonWriter w;
  w.begin_object()
      .field("request_id", r.request_id)
      .field("status", "pending")
      .field("message", r.already_sent ? "Request already sent" : "Chat request sent")
      .end_object();
  return w.take();
}

// The 409 of a request to someone the sender already chats with.
inline std::string already_chatting_json(const domain::AlreadyChatting& a) {
  JsonWriter w;
  w.begin_object().key("detail").begin_object();
  w.field("error", "already_chatting")
      .field("chat_id", a.chat_id)
      .field("message", "Chat already exists with this user");
  w.end_object().end_object();
  return w.take();
}

inline void write_card(JsonWriter& w, const char* name_key, const char* avatar_key,
                       int64_t user_id, const db::RequestCardColumns& card) {
  w.field(name_key, name_or_user(card.display_name, user_id));
  w.field(avatar_key, card.avatar_url);
  w.field("identity", card.identity);
  w.field("prefecture", card.prefecture);
  w.field("age_band", card.age_band);
}

inline std::string incoming_requests_json(const std::vector<db::IncomingRequestRow>& rows) {
  return items_json(rows, [](JsonWriter& w, const db::IncomingRequestRow& r) {
    w.begin_object();
    w.field("request_id", r.request_id);
    w.field("from_user_id", r.from_user_id);
    write_card(w, "from_display_name", "from_avatar_url", r.from_user_id, r.card);
    w.field("initial_message", r.initial_message);
    w.field("created_at", r.created_at);
    w.end_object();
  });
}

inline std::string outgoing_requests_json(const std::vector<db::OutgoingRequestRow>& rows) {
  return items_json(rows, [](JsonWriter& w, const db::OutgoingRequestRow& r) {
    w.begin_object();
    w.field("request_id", r.request_id);
    w.field("from_user_id", r.from_user_id);
    w.field("to_user_id", r.to_user_id);
    write_card(w, "to_display_name", "to_avatar_url", r.to_user_id, r.card);
    w.field("initial_message", r.initial_message);
    w.field("status", r.status);
    w.field("created_at", r.created_at);
    w.field("responded_at", r.responded_at);
    w.end_object();
  });
}

inline std::string accepted_json(const domain::AcceptedRequest& a) {
  JsonWriter w;
  w.begin_object()
      .field("status", "accepted")
      .field("chat_id", a.chat_id)
      .field("match_id", a.match_id)
      .end_object();
  return w.take();
}

// POST /chat_requests/{id}/messages
inline std::string pending_message_json(const db::RequestMessageRow& m) {
  JsonWriter w;
  w.begin_object()
      .field("id", m.id)
      .field("chat_request_id", m.chat_request_id)
      .field("from_user_id", m.from_user_id)
      .field("content", m.content)
      .field("created_at", m.created_at)
      .end_object();
  return w.take();
}

// GET /chat_requests/{id}/messages
inline std::string pending_messages_json(const std::vector<db::RequestMessageRow>& rows) {
  JsonWriter w;
  w.begin_object().key("messages").begin_array();
  for (const auto& m : rows) {
    w.begin_object()
        .field("id", m.id)
        .field("from_user_id", m.from_user_id)
        .field("content", m.content)
        .field("created_at", m.created_at)
        .field("migrated", m.migrated)
        .end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace carat::dto

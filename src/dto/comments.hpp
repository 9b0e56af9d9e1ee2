// JSON shapes of comments: CommentOut (api.md §1.14) and the web client's shapes (§5.7, §5.8).
#pragma once

#include <string>
#include <vector>

#include "db/comments_repository.hpp"
#include "dto/json.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

inline void write_comment_out(JsonWriter& w, const db::CommentRow& c) {
  w.begin_object();
  w.field("body", c.body);
  w.field("parent_id", c.parent_id);
  w.field("id", c.id);
  w.field("post_id", c.post_id);
  w.field("user_id", c.user_id);
  w.field("created_at", c.created_at);
  w.field("updated_at", c.updated_at);
  w.end_object();
}

inline void write_post_comment(JsonWriter& w, const db::PostCommentRow& c) {
  w.begin_object();
  w.field("id", c.id);
  w.field("body", c.body);
  w.field("created_at", c.created_at);
  w.key("user");
  if (c.author_id) {
    w.begin_object()
        .field("id", *c.author_id)
        .field("display_name", c.author_display_name.value_or(""))
        .end_object();
  } else {
    w.null();
  }
  w.end_object();
}

inline std::string comment_json(const db::CommentRow& c) {
  return object_json(c, write_comment_out);
}

inline std::string comments_json(const std::vector<db::CommentRow>& comments) {
  return array_json(comments, write_comment_out);
}

// [{id, body, created_at, user: {id, display_name} | null}] (api.md §5.7).
inline std::string post_comments_json(const std::vector<db::PostCommentRow>& comments) {
  return array_json(comments, write_post_comment);
}

// {id, author_name, body, created_at} (api.md §5.8).
inline std::string created_post_comment_json(const db::CommentRow& c,
                                             const std::string& author_name) {
  JsonWriter w;
  w.begin_object();
  w.field("id", c.id);
  w.field("author_name", author_name);
  w.field("body", c.body);
  w.field("created_at", c.created_at);
  w.end_object();
  return w.take();
}

}  // namespace carat::dto

// Request bodies: JSON parsing (dto::parse_json_body, as RequestContext::json_body does it), the
// request DTO rules of the handlers applied through dto::Validator, and the 422 rendering.
//
// The handlers' parse functions live in anonymous namespaces, so their field lists are repeated
// here (register, post + tourism_details, profile, comment, reaction, follow, notification,
// display name). A changed rule there does not need a change here unless a reader is added.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "domain/email.hpp"
#include "dto/validate.hpp"
#include "fuzz_common.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace {

using carat::dto::Json;
using carat::dto::Validator;
namespace fz = carat::fuzz;
namespace text = carat::text;

size_t depth_of(const Json& j) {
  // Iterative: the point of the depth limit is that nothing recursive sees deeper documents.
  size_t max_depth = 0;
  std::vector<std::pair<const Json*, size_t>> stack{{&j, 1}};
  while (!stack.empty()) {
    auto [v, d] = stack.back();
    stack.pop_back();
    if (!v->is_structured()) continue;
    max_depth = std::max(max_depth, d);
    for (const auto& child : *v) stack.emplace_back(&child, d + 1);
  }
  return max_depth;
}

// Every string of the document (keys and values) is valid UTF-8 after nlohmann's parser.
void check_strings(const Json& j, size_t budget = 64) {
  std::vector<const Json*> stack{&j};
  while (!stack.empty() && budget > 0) {
    const Json* v = stack.back();
    stack.pop_back();
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      FUZZ_CHECK(fz::utf8_ok(s));
      fz::check_text(s);
      --budget;
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        FUZZ_CHECK(fz::utf8_ok(it.key()));
        stack.push_back(&it.value());
      }
    } else if (v->is_array()) {
      for (const auto& child : *v) stack.push_back(&child);
    }
  }
}

void check_datetime_field(const carat::dto::Field<int64_t>& f) {
  if (!f.has_value()) return;
  // Accepted datetimes render and parse back to the same instant.
  const std::string api = carat::timeutil::format_api(f.value);
  std::string err;
  if (api.size() >= 4 && api[0] != '-' && api.find('T') == 10) {
    const auto back = carat::timeutil::parse_api_datetime(api, err);
    FUZZ_CHECK(back && *back == f.value);
  }
}

// POST/PUT /api/auth/register.
void register_body(const Json& body) {
  Validator v;
  auto email = v.str(body, "email", {.required = true, .trim = true, .max_len = 254});
  if (email.has_value()) {
    std::string reason;
    if (auto n = carat::domain::normalize_email(email.value, reason)) {
      FUZZ_CHECK(reason.empty());
      FUZZ_CHECK(std::count(n->begin(), n->end(), '@') == 1);
      for (char c : *n) FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
      std::string again_reason;
      const auto again = carat::domain::normalize_email(*n, again_reason);
      FUZZ_CHECK(again && *again == *n);  // idempotent
    } else {
      FUZZ_CHECK(!reason.empty());
      v.add("value_error", {std::string("body"), std::string("email")},
            "value is not a valid email address: " + reason,
            carat::dto::input_json(body.at("email")),
            "{\"reason\":" + carat::dto::json_quote(reason) + "}");
    }
  }
  auto password = v.str(body, "password",
                        {.required = true,
                         .min_len = 8,
                         .nul_message = "password must not contain NUL characters"});
  auto name =
      v.str(body, "display_name", {.required = true, .trim = true, .min_len = 1, .max_len = 100});
  if (password.has_value()) {
    FUZZ_CHECK(text::code_points(password.value) >= 8);
    FUZZ_CHECK(!text::contains_nul(password.value));
  }
  if (name.has_value()) {
    FUZZ_CHECK(text::trim(name.value) == name.value);
    const size_t n = text::code_points(name.value);
    FUZZ_CHECK(n >= 1 && n <= 100);
  }
  const bool ok = v.ok();
  const size_t items = fz::finish(v);
  FUZZ_CHECK(ok == (items == 0));
  if (ok) FUZZ_CHECK(email.has_value() && password.has_value() && name.has_value());
}

// POST /api/posts and PUT /api/posts/{id} (handlers/posts.cpp parse_post + parse_tourism).
void post_body(const Json& body, bool partial) {
  static const std::initializer_list<std::string_view> kVisibilities = {"public", "members",
                                                                         "followers", "private"};
  Validator v;
  auto b = v.str(body, "body", {.required = !partial});
  v.str(body, "title", {.nullable = true, .max_len = 200});
  auto vis = v.enumeration(body, "visibility", kVisibilities, false, false);
  v.str(body, "youtube_url", {.nullable = true, .max_len = 500});
  v.integer(body, "media_id", {.nullable = true});
  v.str(body, "category", {.nullable = true, .max_len = 50});
  v.str(body, "subcategory", {.nullable = true, .max_len = 100});
  v.enumeration(body, "post_type", {"post", "blog", "tourism"}, false, false);
  v.str(body, "slug", {.nullable = true, .max_len = 200});
  v.enumeration(body, "status", {"draft", "published"}, false, false);
  v.str(body, "og_image_url", {.nullable = true, .max_len = 500});
  v.str(body, "excerpt", {.nullable = true});
  auto ids = v.int_list(body, "media_ids", true);
  auto obj = v.object(body, "tourism_details", true);
  if (obj.has_value()) {
    FUZZ_CHECK(obj.value != nullptr && obj.value->is_object());
    const Json& o = *obj.value;
    v.set_prefix({std::string("body"), std::string("tourism_details")});
    v.str(o, "prefecture", {.nullable = true, .max_len = 50});
    check_datetime_field(v.datetime(o, "event_datetime"));
    v.str(o, "meet_place", {.nullable = true, .max_len = 200});
    v.str(o, "meet_address", {.nullable = true, .max_len = 500});
    v.str(o, "tour_content", {.nullable = true});
    auto fee = v.integer(o, "fee", {.nullable = true, .ge = -2147483648LL, .le = 2147483647LL});
    if (fee.has_value()) FUZZ_CHECK(fee.value >= -2147483648LL && fee.value <= 2147483647LL);
    v.str(o, "contact_phone", {.nullable = true, .max_len = 20});
    v.str(o, "contact_email", {.nullable = true, .max_len = 200});
    check_datetime_field(v.datetime(o, "deadline"));
    v.str(o, "attachment_pdf_url", {.nullable = true, .max_len = 500});
    v.set_prefix({std::string("body")});
  }
  if (b.has_value()) FUZZ_CHECK(!text::contains_nul(b.value));
  if (vis.has_value()) {
    FUZZ_CHECK(std::find(kVisibilities.begin(), kVisibilities.end(), vis.value) !=
               kVisibilities.end());
  }
  if (ids.present && !ids.null) {
    FUZZ_CHECK(body.at("media_ids").is_array() && ids.value.size() == body.at("media_ids").size());
  }
  fz::finish(v);
}

// PUT /api/profiles/me (handlers/profiles.cpp put_own), without the database lookups.
void profile_body(const Json& body) {
  Validator v;
  if (auto it = body.find("handle"); it != body.end()) {
    auto f = v.str(body, "handle", {.min_len = 1, .max_len = 50});
    if (f.has_value()) {
      const size_t n = text::code_points(f.value);
      FUZZ_CHECK(n >= 1 && n <= 50);
    }
  }
  for (auto [key, max_len] : {std::pair<const char*, size_t>{"bio", 0}, {"location", 100},
                              {"website", 255}, {"avatar_url", 500}, {"banner_url", 500}}) {
    auto f = v.str(body, key, {.nullable = true, .max_len = max_len});
    if (f.has_value() && max_len > 0) FUZZ_CHECK(text::code_points(f.value) <= max_len);
  }
  for (const char* key : {"orientation_id", "gender_id", "pronoun_id"}) {
    v.integer(body, key, {.nullable = true});
  }
  if (auto it = body.find("birthday"); it != body.end() && !it->is_null()) {
    if (!(it->is_string() && carat::timeutil::is_valid_date(it->get_ref<const std::string&>()))) {
      v.add("date_parsing", {std::string("body"), std::string("birthday")},
            "Input should be a valid date in the format YYYY-MM-DD",
            carat::dto::input_json(*it));
    }
  }
  for (const char* key : {"is_profile_public", "show_orientation", "show_gender", "show_pronoun",
                          "show_birthday", "show_location"}) {
    v.boolean(body, key, false, false);
  }
  fz::finish(v);
}

// POST /api/comments, POST /api/reactions, POST /api/follows, PUT /api/notifications/{id},
// PUT /api/users/me.
void small_bodies(const Json& body) {
  {
    Validator v;
    auto post_id = v.integer(body, "post_id", {.required = true});
    auto b = v.str(body, "body", {.required = true, .trim = true, .min_len = 1, .max_len = 1000});
    v.integer(body, "parent_id", {.nullable = true});
    if (b.has_value()) {
      const size_t n = text::code_points(b.value);
      FUZZ_CHECK(n >= 1 && n <= 1000);
    }
    (void)post_id;
    fz::finish(v);
  }
  {
    Validator v;
    auto tt = v.enumeration(body, "target_type", {"post", "comment", "review"}, true, false);
    v.integer(body, "target_id", {.required = true});
    auto rt = v.enumeration(body, "reaction_type", {"like", "love", "support", "respect"}, true,
                            false);
    if (tt.has_value()) FUZZ_CHECK(!tt.value.empty());
    if (rt.has_value()) FUZZ_CHECK(!rt.value.empty());
    fz::finish(v);
  }
  {
    Validator v;
    auto followee = v.integer(body, "followee_user_id", {.required = true});
    auto id = v.path_int("notification_id", followee.has_value()
                                                 ? std::to_string(followee.value)
                                                 : std::string("x"));
    if (followee.has_value()) FUZZ_CHECK(id && *id == followee.value);
    v.boolean(body, "is_read", true, false);
    fz::finish(v);
  }
  {
    Validator v;
    v.str(body, "display_name", {.trim = true, .min_len = 1, .max_len = 100});
    fz::finish(v);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw = fz::as_view(data, size);
  fz::check_text(raw);

  // A body sent with a non-JSON content type is echoed as a string (context.cpp).
  {
    Validator v;
    v.add("model_attributes_type", {std::string("body")},
          "Input should be a valid dictionary or object to extract fields from",
          carat::dto::json_quote(raw));
    fz::finish(v);
    fz::check_json_quote(raw);
  }

  Json body;
  try {
    body = carat::dto::parse_json_body(raw);
  } catch (const carat::errors::ValidationError& e) {
    // Malformed, too deep, or out of range: one json_invalid item with a byte offset.
    FUZZ_CHECK(e.items().size() == 1 && e.items()[0].type == "json_invalid");
    const auto& loc = e.items()[0].loc;
    FUZZ_CHECK(loc.size() == 2 && std::holds_alternative<int64_t>(loc[1]));
    const int64_t offset = std::get<int64_t>(loc[1]);
    FUZZ_CHECK(offset >= 0 && static_cast<size_t>(offset) <= size);
    fz::check_422(e.items());
    return 0;
  }
  FUZZ_CHECK(!body.is_discarded());
  FUZZ_CHECK(depth_of(body) <= carat::dto::kMaxJsonDepth);
  check_strings(body);

  // The input of a 422 item is the value re-serialized; it parses back to an equal value.
  const std::string echoed = carat::dto::input_json(body);
  const auto back = Json::parse(echoed, nullptr, false);
  FUZZ_CHECK(!back.is_discarded());
  FUZZ_CHECK(back == body);

  if (!body.is_object()) {
    // RequestContext::json_object: the whole body is not an object.
    Validator v;
    v.add("model_attributes_type", {std::string("body")},
          "Input should be a valid dictionary or object to extract fields from",
          carat::dto::input_json(body));
    FUZZ_CHECK(fz::finish(v) == 1);
    return 0;
  }
  register_body(body);
  post_body(body, false);
  post_body(body, true);
  profile_body(body);
  small_bodies(body);
  return 0;
}

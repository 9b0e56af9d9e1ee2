#include "dto/token_form.hpp"

#include <optional>

#include "dto/validate.hpp"
#include "http/form.hpp"
#include "util/strings.hpp"

namespace carat::dto {

TokenForm read_token_form(std::string_view content_type, std::string_view body) {
  std::vector<http::FormField> fields;
  if (http::media_type(content_type) == "application/x-www-form-urlencoded") {
    fields = http::parse_urlencoded(body);
  } else if (auto boundary = http::multipart_boundary(content_type)) {
    if (auto parts = http::parse_multipart(body, *boundary)) fields = std::move(*parts);
  }
  Validator v;
  auto field = [&](const char* name) -> std::optional<std::string> {
    const auto* f = http::find_last(fields, name);
    const Loc loc = {std::string("body"), std::string(name)};
    if (f == nullptr || f->value.empty()) {
      v.missing(loc, nullptr);
      return std::nullopt;
    }
    if (!text::is_valid_utf8(f->value)) {
      v.add("string_type", loc, "Input should be a valid string",
            json_quote(text::to_valid_utf8(f->value)));
      return std::nullopt;
    }
    if (text::contains_nul(f->value)) {
      v.value_error(loc, "must not contain NUL characters", Json(f->value));
      return std::nullopt;
    }
    return f->value;
  };
  auto username = field("username");
  auto password = field("password");
  if (const auto* g = http::find_last(fields, "grant_type"); g && g->value != "password") {
    v.add("string_pattern_mismatch", {std::string("body"), std::string("grant_type")},
          "String should match pattern '^password$'", json_quote(g->value),
          R"({"pattern":"^password$"})");
  }
  v.throw_if_errors();
  return TokenForm{std::move(*username), std::move(*password)};
}

}  // namespace carat::dto

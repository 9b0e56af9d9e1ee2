// multipart/form-data and urlencoded bodies (http/form.hpp) as POST /api/auth/token and
// POST /api/media/upload read them.
//
// Input: the Content-Type header value, a '\n', then the body.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dto/token_form.hpp"
#include "dto/validate.hpp"
#include "fuzz_common.hpp"
#include "http/form.hpp"
#include "util/strings.hpp"

namespace {

namespace fz = carat::fuzz;
namespace http = carat::http;
namespace text = carat::text;

bool plain_header_text(std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '\r' || c == '\n') return false;
  }
  return true;
}

// Parsed parts written out again with a fresh boundary parse back to the same parts.
void check_round_trip(const std::vector<http::FormField>& parts) {
  const std::string boundary = "FuzzRoundTrip7MA4YWxkTrZu0gW";
  const std::string marker = "\r\n--" + boundary;
  std::string body;
  for (const auto& p : parts) {
    if (!plain_header_text(p.name) || (p.filename && !plain_header_text(*p.filename))) return;
    if (p.content_type.find('\r') != std::string::npos ||
        p.content_type.find('\n') != std::string::npos) {
      return;
    }
    if (!p.content_type.empty() &&
        (p.content_type.front() == ' ' || p.content_type.front() == '\t' ||
         p.content_type.back() == ' ' || p.content_type.back() == '\t')) {
      return;
    }
    if (p.value.find(marker) != std::string::npos) return;
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (p.filename) body += "; filename=\"" + *p.filename + "\"";
    body += "\r\n";
    if (!p.content_type.empty()) body += "Content-Type: " + p.content_type + "\r\n";
    body += "\r\n" + p.value + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  const auto again = http::parse_multipart(body, boundary);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->size() == parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    FUZZ_CHECK((*again)[i].name == parts[i].name);
    FUZZ_CHECK((*again)[i].value == parts[i].value);
    FUZZ_CHECK((*again)[i].filename == parts[i].filename);
    FUZZ_CHECK((*again)[i].content_type == parts[i].content_type);
  }
}

// POST /api/auth/token (handlers/auth.cpp issue_token) up to the credential lookup: the same
// dto::read_token_form the handler calls.
void token_form(std::string_view content_type, std::string_view body) {
  try {
    const auto form = carat::dto::read_token_form(content_type, body);
    FUZZ_CHECK(!form.username.empty() && !form.password.empty());
    FUZZ_CHECK(fz::utf8_ok(form.username) && fz::utf8_ok(form.password));
    FUZZ_CHECK(!text::contains_nul(form.username) && !text::contains_nul(form.password));
    // The e-mail is trimmed and lower-cased for the throttle key.
    fz::check_text(form.username);
    const std::string email(text::trim(form.username));
    FUZZ_CHECK(text::to_lower_ascii(email).size() == email.size());
  } catch (const carat::errors::ValidationError& e) {
    FUZZ_CHECK(!e.items().empty());
    fz::check_422(e.items());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fz::as_view(data, size);
  const std::string_view content_type = fz::take_until(in, '\n');
  const std::string_view body = in;

  const std::string type = http::media_type(content_type);
  FUZZ_CHECK(type.find(';') == std::string::npos);
  FUZZ_CHECK(text::to_lower_ascii(type) == type);
  if (!type.empty()) {
    FUZZ_CHECK(type.front() != ' ' && type.front() != '\t');
    FUZZ_CHECK(type.back() != ' ' && type.back() != '\t');
  }

  std::vector<http::FormField> fields;
  const auto boundary = http::multipart_boundary(content_type);
  if (boundary) {
    FUZZ_CHECK(type == "multipart/form-data");
    FUZZ_CHECK(!boundary->empty() && boundary->size() <= 200);
  }
  // Without a usable header the parser still runs, with the header text as the boundary, so the
  // fuzzer can reach it from any input.
  const std::string b = boundary ? *boundary : std::string(content_type.substr(0, 70));
  if (!b.empty()) {
    if (auto parts = http::parse_multipart(body, b)) {
      for (const auto& p : *parts) {
        fz::check_text(p.value);  // form values are any bytes
        FUZZ_CHECK(body.find(p.value) != std::string_view::npos);
        FUZZ_CHECK(p.value.find("\r\n--" + b + "--") == std::string::npos);
        FUZZ_CHECK(p.value.find("\r\n--" + b + "\r\n") == std::string::npos);
      }
      check_round_trip(*parts);
      // POST /api/media/upload: the last part named "file" with a filename.
      if (const auto* file = http::find_last(*parts, "file"); file && file->filename) {
        fz::check_json_quote(*file->filename);
      }
      if (boundary) fields = std::move(*parts);
    }
  }

  const auto form = http::parse_urlencoded(body);
  size_t pairs = 0;
  for (size_t start = 0; start <= body.size();) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    if (end > start) ++pairs;
    start = end + 1;
  }
  FUZZ_CHECK(form.size() == pairs);
  for (const auto& f : form) {
    FUZZ_CHECK(!f.filename && f.content_type.empty());
    // Decoded, or kept as sent but made valid UTF-8: never invalid text for the database.
    FUZZ_CHECK(fz::utf8_ok(f.name) && fz::utf8_ok(f.value));
  }
  for (std::string_view rest = body; !rest.empty();) fz::check_text(fz::take_until(rest, '&'));
  token_form(content_type, body);
  return 0;
}

#include "http/form.hpp"

#include <boost/beast/core/string.hpp>

#include "util/strings.hpp"

namespace carat::http {

namespace {

std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Value of `key` in a header parameter list: `form-data; name="file"; filename="a.png"`.
std::optional<std::string> header_param(std::string_view header, std::string_view key) {
  size_t pos = header.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = header.substr(pos + 1);
    // Find the end of this parameter, honouring quotes.
    size_t end = 0;
    bool quoted = false;
    for (; end < rest.size(); ++end) {
      if (rest[end] == '"' && (end == 0 || rest[end - 1] != '\\')) quoted = !quoted;
      if (rest[end] == ';' && !quoted) break;
    }
    std::string_view param = trim_ascii(rest.substr(0, end));
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && boost::beast::iequals(trim_ascii(param.substr(0, eq)), key)) {
      std::string_view v = trim_ascii(param.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        std::string out;
        for (size_t i = 1; i + 1 < v.size(); ++i) {
          if (v[i] == '\\' && i + 2 < v.size()) ++i;
          out.push_back(v[i]);
        }
        return out;
      }
      return std::string(v);
    }
    pos = end < rest.size() ? pos + 1 + end : std::string_view::npos;
  }
  return std::nullopt;
}

}  // namespace

std::vector<FormField> parse_urlencoded(std::string_view body) {
  std::vector<FormField> out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string_view k = pair.substr(0, eq);
      const std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      // Undecodable text is kept as sent, made valid UTF-8 (it ends up in SQL parameters).
      auto dk = text::percent_decode(k, true);
      auto dv = text::percent_decode(v, true);
      out.push_back(FormField{dk ? *dk : text::to_valid_utf8(k), dv ? *dv : text::to_valid_utf8(v),
                              std::nullopt, {}});
    }
    start = end + 1;
  }
  return out;
}

const FormField* find_last(const std::vector<FormField>& fields, std::string_view name) {
  const FormField* found = nullptr;
  for (const auto& f : fields) {
    if (f.name == name) found = &f;
  }
  return found;
}

std::string media_type(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  return text::to_lower_ascii(trim_ascii(content_type.substr(0, semi)));
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  if (media_type(content_type) != "multipart/form-data") return std::nullopt;
  auto b = header_param(content_type, "boundary");
  if (!b || b->empty() || b->size() > 200) return std::nullopt;
  return b;
}

std::optional<std::vector<FormField>> parse_multipart(std::string_view body,
                                                      std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<FormField> out;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += delimiter.size();
  while (true) {
    // After a delimiter: "--" ends the body, otherwise CRLF and a part follow.
    if (body.substr(pos, 2) == "--") return out;
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return std::nullopt;
    FormField field;
    bool has_disposition = false;
    std::string_view headers = body.substr(pos, headers_end - pos);
    size_t line_start = 0;
    while (line_start <= headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      const std::string_view line = headers.substr(line_start, line_end - line_start);
      const size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string_view name = trim_ascii(line.substr(0, colon));
        const std::string_view value = trim_ascii(line.substr(colon + 1));
        if (boost::beast::iequals(name, "content-disposition")) {
          has_disposition = true;
          if (auto n = header_param(value, "name")) field.name = *n;
          field.filename = header_param(value, "filename");
        } else if (boost::beast::iequals(name, "content-type")) {
          field.content_type = std::string(value);
        }
      }
      line_start = line_end + 2;
    }
    if (!has_disposition) return std::nullopt;
    const size_t data_start = headers_end + 4;
    // The part ends at CRLF + delimiter followed by "--" or CRLF; a longer boundary-like
    // string inside the data does not end it.
    const std::string marker = "\r\n" + delimiter;
    size_t next = body.find(marker, data_start);
    while (next != std::string_view::npos) {
      const std::string_view after = body.substr(next + marker.size(), 2);
      if (after == "--" || after == "\r\n") break;
      next = body.find(marker, next + 1);
    }
    if (next == std::string_view::npos) return std::nullopt;
    field.value = std::string(body.substr(data_start, next - data_start));
    out.push_back(std::move(field));
    pos = next + 2 + delimiter.size();
  }
}

}  // namespace carat::http

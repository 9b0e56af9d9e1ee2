#include "auth/jwt.hpp"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace carat::auth {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string base64url_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i + 1 == data.size()) {
    const uint32_t v = p[i] << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (i + 2 == data.size()) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view data) {
  // python-jose accepts the segment with or without '=' padding.
  while (!data.empty() && data.back() == '=') data.remove_suffix(1);
  if (data.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(data.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : data) {
    const int v = decode_char(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string python_json_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto u_escape = [&](std::string& out, uint32_t v) {
    out += "\\u";
    out.push_back(kHex[(v >> 12) & 0xF]);
    out.push_back(kHex[(v >> 8) & 0xF]);
    out.push_back(kHex[(v >> 4) & 0xF]);
    out.push_back(kHex[v & 0xF]);
  };
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    const char32_t cp = text::next_code_point(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0x10000)) {
      if (cp == 0x7F) {
        out.push_back(static_cast<char>(cp));  // Python leaves DEL as is
      } else {
        u_escape(out, cp);
      }
    } else if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      u_escape(out, 0xD800 + (v >> 10));
      u_escape(out, 0xDC00 + (v & 0x3FF));
    } else {
      out.push_back(static_cast<char>(cp));
    }
  }
  out.push_back('"');
  return out;
}

std::string create_token(std::string_view subject, int64_t expires_at, std::string_view key) {
  static const std::string kHeader = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const std::string payload =
      "{\"sub\":" + python_json_string(subject) + ",\"exp\":" + std::to_string(expires_at) + "}";
  std::string signing_input = kHeader + "." + base64url_encode(payload);
  const std::string sig = crypto::hmac_sha256(key, signing_input);
  return signing_input + "." + base64url_encode(sig);
}

std::optional<std::string> verify_token(std::string_view token, std::string_view key,
                                        int64_t now) {
  const size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  const size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto header_raw = base64url_decode(token.substr(0, d1));
  const auto payload_raw = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  const auto sig = base64url_decode(token.substr(d2 + 1));
  if (!header_raw || !payload_raw || !sig) return std::nullopt;

  const auto header = nlohmann::json::parse(*header_raw, nullptr, false);
  if (!header.is_object()) return std::nullopt;
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256") {
    return std::nullopt;
  }
  const std::string expected = crypto::hmac_sha256(key, token.substr(0, d2));
  if (sig->size() != expected.size() ||
      CRYPTO_memcmp(sig->data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }

  const auto payload = nlohmann::json::parse(*payload_raw, nullptr, false);
  if (!payload.is_object()) return std::nullopt;
  const auto exp = payload.find("exp");
  if (exp == payload.end() || !exp->is_number() || exp->get<double>() < static_cast<double>(now)) {
    return std::nullopt;
  }
  if (const auto nbf = payload.find("nbf"); nbf != payload.end()) {
    if (!nbf->is_number() || nbf->get<double>() > static_cast<double>(now)) return std::nullopt;
  }
  const auto sub = payload.find("sub");
  if (sub == payload.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return sub->get<std::string>();
}

}  // namespace carat::auth

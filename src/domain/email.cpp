#include "domain/email.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "util/strings.hpp"

namespace carat::domain {

namespace {

bool is_atext(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != std::string_view::npos;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view email, std::string& reason) {
  for (char c : email) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      reason = "Only ASCII characters are allowed in an email address.";
      return std::nullopt;
    }
  }
  const size_t at = email.find('@');
  if (at == std::string_view::npos) {
    reason = "An email address must have an @-sign.";
    return std::nullopt;
  }
  if (email.find('@', at + 1) != std::string_view::npos) {
    reason = "An email address must have exactly one @-sign.";
    return std::nullopt;
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty()) {
    reason = "There must be something before the @-sign.";
    return std::nullopt;
  }
  if (local.size() > 64) {
    reason = "The email address is too long before the @-sign.";
    return std::nullopt;
  }
  for (char c : local) {
    if (c != '.' && !is_atext(c)) {
      reason = std::string("The email address contains invalid characters before the @-sign: '") +
               c + "'.";
      return std::nullopt;
    }
  }
  if (local.front() == '.') {
    reason = "An email address cannot start with a period.";
    return std::nullopt;
  }
  if (local.back() == '.') {
    reason = "An email address cannot have a period immediately before the @-sign.";
    return std::nullopt;
  }
  if (local.find("..") != std::string_view::npos) {
    reason = "An email address cannot have two periods in a row.";
    return std::nullopt;
  }
  if (domain.empty()) {
    reason = "There must be something after the @-sign.";
    return std::nullopt;
  }
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    const size_t dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot == std::string_view::npos ? domain.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels.size() < 2) {
    reason = "The part after the @-sign is not valid. It should have a period.";
    return std::nullopt;
  }
  for (const auto& label : labels) {
    if (label.empty()) {
      reason = "An email address cannot have two periods in a row or a period at the ends of the domain.";
      return std::nullopt;
    }
    if (label.size() > 63) {
      reason = "The email address is too long after the @-sign.";
      return std::nullopt;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        reason = std::string("The part after the @-sign contains invalid characters: '") + c + "'.";
        return std::nullopt;
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      reason = "The part after the @-sign cannot start or end with a hyphen.";
      return std::nullopt;
    }
  }
  const std::string tld = text::to_lower_ascii(labels.back());
  if (std::all_of(tld.begin(), tld.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    reason = "The part after the @-sign is not valid. It is not within a valid top-level domain.";
    return std::nullopt;
  }
  static constexpr std::string_view kSpecialUse[] = {"arpa", "invalid", "local", "localhost",
                                                     "onion", "test"};
  for (auto s : kSpecialUse) {
    if (tld == s) {
      reason = "The part after the @-sign is a special-use or reserved name that cannot be used "
               "with email.";
      return std::nullopt;
    }
  }
  return std::string(local) + "@" + text::to_lower_ascii(domain);
}

}  // namespace carat::domain

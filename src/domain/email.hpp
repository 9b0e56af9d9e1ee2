// E-mail syntax of api.md §3.1: deliberately stricter than the legacy email-validator, so every
// stored address stays valid for the legacy service.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carat::domain {

// The normalized address (domain lower-cased, local part as typed), or nullopt with `reason`.
std::optional<std::string> normalize_email(std::string_view email, std::string& reason);

}  // namespace carat::domain

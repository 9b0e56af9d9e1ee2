// Small text helpers shared by validation, routing and storage.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carat::text {

// Number of Unicode code points (the unit of every length limit in the contract). Assumes valid
// UTF-8; a stray continuation byte is not counted.
size_t code_points(std::string_view s);

// Strips leading and trailing whitespace as Python's str.strip() does, including the
// ideographic space U+3000 that Japanese keyboards type.
std::string_view trim(std::string_view s);

std::string to_lower_ascii(std::string_view s);
// Value of a hex digit, -1 for any other character.
int hex_value(char c);

bool contains_nul(std::string_view s);

// Percent-decodes a URL path segment or form value. `plus_as_space` for form encoding.
// Returns nullopt for a malformed escape or a result that is not valid UTF-8.
std::optional<std::string> percent_decode(std::string_view s, bool plus_as_space);

bool is_valid_utf8(std::string_view s);
// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid there.
size_t utf8_sequence_length(std::string_view s, size_t i);

// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, every other byte
// becomes %XX (upper-case hex, as AWS SigV4 requires); `keep_slash` leaves '/' (URL paths).
std::string percent_encode(std::string_view s, bool keep_slash = false);

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD, so client text that
// reaches the database is always valid (PostgreSQL rejects invalid sequences).
std::string to_valid_utf8(std::string_view s);

// A lowercase random UUIDv4 ("3f2b...-...").
std::string random_uuid4();

// `n` random bytes as lowercase hex.
std::string random_hex(size_t n);

// True for Unicode letters, digits and '_' (the characters that continue a hashtag).
bool is_word_char(char32_t c);
// Whitespace as Python's str.isspace() defines it (the legacy service's `\s`), U+3000 included.
bool is_space(char32_t c);
// Simple lower-case mapping of one code point (C.UTF-8 locale; unchanged when unknown).
char32_t to_lower(char32_t c);
// Appends the UTF-8 encoding of code point `c`.
void append_utf8(std::string& out, char32_t c);

// True when `body` contains "#tag" followed by the end of the text or by a character that is not
// a word character (api.md §5.1: "#art" matches "#art、" but not "#artist"). Case-sensitive.
bool has_hashtag(std::string_view body, std::string_view tag);

// Decodes the UTF-8 code point at s[i] (valid UTF-8 assumed) and advances i past it.
char32_t next_code_point(std::string_view s, size_t& i);

// Parses an optional-sign decimal integer that fits in 64 bits; the whole text must match.
std::optional<int64_t> parse_int64(std::string_view s);

}  // namespace carat::text

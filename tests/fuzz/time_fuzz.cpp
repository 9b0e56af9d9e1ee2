// Timestamps (util/time.hpp): the database text forms and the API datetime input, with their
// format/parse round trips.
//
// Input: the first two bytes choose a default offset for parse_db, the rest is the text. Its
// first eight bytes are also used as an instant.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_common.hpp"
#include "util/time.hpp"

namespace {

namespace fz = carat::fuzz;
namespace tu = carat::timeutil;

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;
// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the instants with a four-digit year.
constexpr int64_t kFirst = -62'167'219'200'000'000LL;
constexpr int64_t kLast = 253'402'300'799'999'999LL;

bool four_digit_year(int64_t t) { return t >= kFirst && t <= kLast; }

// Every accepted instant prints in the three forms and parses back from each.
void check_instant(int64_t t) {
  const std::string api = tu::format_api(t);
  const std::string sqlite = tu::format_sqlite(t);
  const std::string pg = tu::format_pg(t);
  if (!four_digit_year(t)) return;
  FUZZ_CHECK(api.size() == 20 || api.size() == 27);
  FUZZ_CHECK(api[10] == 'T' && api.back() == 'Z');
  FUZZ_CHECK(sqlite.size() == 26 && pg.size() == 29);
  FUZZ_CHECK(sqlite < tu::format_sqlite(t + 1) || t == kLast);  // sorts as text
  FUZZ_CHECK(tu::parse_db(sqlite) == t);
  FUZZ_CHECK(tu::parse_db(pg) == t);
  FUZZ_CHECK(tu::parse_db(api) == t);
  std::string err;
  FUZZ_CHECK(tu::parse_api_datetime(api, err) == t);
  FUZZ_CHECK(tu::db_to_api(sqlite) == api);
  FUZZ_CHECK(tu::is_valid_date(api.substr(0, 10)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Offsets a session may have: within ±23:59:59.
  const int offset = (static_cast<int>(data[0]) << 8 | data[1]) % 86'400 * (data[0] & 0x80 ? -1 : 1);
  const std::string_view text = fz::as_view(data + 2, size - 2);

  if (const auto t = tu::parse_db(text, offset)) {
    FUZZ_CHECK(*t >= kFirst - kMicrosPerDay && *t <= kLast + kMicrosPerDay);
    FUZZ_CHECK(tu::db_to_api(text, offset) == tu::format_api(*t));
    check_instant(*t);
  } else {
    FUZZ_CHECK(tu::db_to_api(text, offset) == text);  // shown as stored
  }

  std::string err;
  if (const auto t = tu::parse_api_datetime(text, err)) {
    FUZZ_CHECK(*t >= kFirst - kMicrosPerDay && *t <= kLast + kMicrosPerDay);
    check_instant(*t);
    // The database form accepts everything the API form does (but the lower-case 't').
    FUZZ_CHECK(tu::parse_db(text) == t || text.find('t') != std::string::npos);
  } else {
    FUZZ_CHECK(!err.empty());
    fz::check_json_quote(err);
  }

  if (tu::is_valid_date(text)) {
    FUZZ_CHECK(text.size() == 10);
    FUZZ_CHECK(tu::parse_api_datetime(text, err).has_value());
  }

  if (text.size() >= 8) {
    int64_t raw;
    std::memcpy(&raw, text.data(), sizeof raw);
    // Instants the service can hold: years 0000..9999 and a day either side.
    const uint64_t span = static_cast<uint64_t>(kLast - kFirst) + 2 * kMicrosPerDay;
    const int64_t t = kFirst - kMicrosPerDay + static_cast<int64_t>(static_cast<uint64_t>(raw) % span);
    check_instant(t);
  }
  return 0;
}

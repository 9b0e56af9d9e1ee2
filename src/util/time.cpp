#include "util/time.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>

namespace carat::timeutil {

namespace {

using namespace std::chrono;

constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kMicrosPerDay = 86'400 * kMicrosPerSecond;

struct Civil {
  int year, month, day, hour, minute, second, micros;
};

Civil to_civil(Micros t) {
  Micros days = t / kMicrosPerDay;
  Micros rem = t % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  const auto secs = rem / kMicrosPerSecond;
  return Civil{static_cast<int>(ymd.year()),
               static_cast<int>(static_cast<unsigned>(ymd.month())),
               static_cast<int>(static_cast<unsigned>(ymd.day())),
               static_cast<int>(secs / 3600),
               static_cast<int>(secs / 60 % 60),
               static_cast<int>(secs % 60),
               static_cast<int>(rem % kMicrosPerSecond)};
}

std::optional<Micros> from_civil(int y, int mo, int d, int h, int mi, int s, int us) {
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const Micros days = sys_days{ymd}.time_since_epoch().count();
  return days * kMicrosPerDay + ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + us;
}

// A tiny cursor over the text being parsed.
struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool digits(size_t n, int& out) {
    if (i + n > s.size()) return false;
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    out = v;
    i += n;
    return true;
  }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
};

// Parses a fraction after the '.', up to `max_digits` digits, into microseconds.
bool parse_fraction(Cursor& c, size_t max_digits, int& micros) {
  size_t n = 0;
  Micros v = 0;
  while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
    if (n < 6) v = v * 10 + (c.peek() - '0');
    ++n;
    ++c.i;
  }
  if (n == 0 || n > max_digits) return false;
  for (size_t k = n; k < 6; ++k) v *= 10;
  micros = static_cast<int>(v);
  return true;
}

// Parses "Z" or "±HH[:MM[:SS]]" (or "±HHMM"); returns seconds east of UTC.
bool parse_offset(Cursor& c, int& offset, bool allow_seconds) {
  if (c.eat('Z') || c.eat('z')) {
    offset = 0;
    return true;
  }
  const char sign = c.peek();
  if (sign != '+' && sign != '-') return false;
  ++c.i;
  int hh = 0, mm = 0, ss = 0;
  if (!c.digits(2, hh)) return false;
  if (c.eat(':')) {
    if (!c.digits(2, mm)) return false;
    if (allow_seconds && c.eat(':') && !c.digits(2, ss)) return false;
  } else if (!c.done()) {
    if (!c.digits(2, mm)) return false;
  }
  if (hh > 23 || mm > 59 || ss > 59) return false;
  offset = (hh * 3600 + mm * 60 + ss) * (sign == '-' ? -1 : 1);
  return true;
}

std::string format_civil(const Civil& c, char sep, bool always_fraction, const char* suffix) {
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", c.year, c.month, c.day,
                        sep, c.hour, c.minute, c.second);
  std::string out(buf, static_cast<size_t>(n));
  if (always_fraction || c.micros != 0) {
    n = std::snprintf(buf, sizeof buf, ".%06d", c.micros);
    out.append(buf, static_cast<size_t>(n));
  }
  out.append(suffix);
  return out;
}

}  // namespace

Micros now_micros() {
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t now_seconds() { return duration_cast<seconds>(system_clock::now().time_since_epoch()).count(); }

std::string format_api(Micros t) { return format_civil(to_civil(t), 'T', false, "Z"); }
std::string format_sqlite(Micros t) { return format_civil(to_civil(t), ' ', true, ""); }
std::string format_pg(Micros t) { return format_civil(to_civil(t), ' ', true, "+00"); }

std::optional<Micros> parse_db(std::string_view text, int default_offset_seconds) {
  Cursor c{text};
  int y, mo, d, h = 0, mi = 0, s = 0, us = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) {
    return std::nullopt;
  }
  if (!c.done()) {
    if (!c.eat(' ') && !c.eat('T')) return std::nullopt;
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) return std::nullopt;
    if (c.eat(':') && !c.digits(2, s)) return std::nullopt;
    if (c.eat('.') && !parse_fraction(c, 9, us)) return std::nullopt;
  }
  int offset = default_offset_seconds;
  if (!c.done() && !parse_offset(c, offset, true)) return std::nullopt;
  if (!c.done()) return std::nullopt;
  auto t = from_civil(y, mo, d, h, mi, s, us);
  if (!t) return std::nullopt;
  return *t - static_cast<Micros>(offset) * kMicrosPerSecond;
}

namespace {
std::atomic<int> g_naive_offset{0};
}  // namespace

void set_naive_offset_seconds(int seconds) { g_naive_offset = seconds; }
int naive_offset_seconds() { return g_naive_offset.load(std::memory_order_relaxed); }

std::string db_to_api(std::string_view text) { return db_to_api(text, naive_offset_seconds()); }

std::string db_to_api(std::string_view text, int default_offset_seconds) {
  if (auto t = parse_db(text, default_offset_seconds)) return format_api(*t);
  return std::string(text);
}

std::optional<Micros> parse_api_datetime(std::string_view text, std::string& error) {
  Cursor c{text};
  int y, mo, d, h = 0, mi = 0, s = 0, us = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) {
    error = text.size() < 10 ? "input is too short" : "invalid date separator, expected `-`";
    return std::nullopt;
  }
  if (!c.done()) {
    if (!c.eat('T') && !c.eat('t') && !c.eat(' ')) {
      error = "invalid character in date/time separator";
      return std::nullopt;
    }
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) {
      error = "invalid character in time";
      return std::nullopt;
    }
    if (c.eat(':')) {
      if (!c.digits(2, s)) {
        error = "invalid character in time";
        return std::nullopt;
      }
      if (c.eat('.') && !parse_fraction(c, 6, us)) {
        error = "second fraction value is invalid";
        return std::nullopt;
      }
    }
    int offset = 0;
    if (!c.done() && !parse_offset(c, offset, false)) {
      error = "invalid timezone sign";
      return std::nullopt;
    }
    if (!c.done()) {
      error = "unexpected extra characters at the end of the input";
      return std::nullopt;
    }
    auto t = from_civil(y, mo, d, h, mi, s, us);
    if (!t) {
      error = "input is out of range";
      return std::nullopt;
    }
    return *t - static_cast<Micros>(offset) * kMicrosPerSecond;
  }
  auto t = from_civil(y, mo, d, 0, 0, 0, 0);
  if (!t) error = "input is out of range";
  return t;
}

bool is_valid_date(std::string_view text) {
  Cursor c{text};
  int y, mo, d;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) {
    return false;
  }
  return c.done() && from_civil(y, mo, d, 0, 0, 0, 0).has_value();
}

}  // namespace carat::timeutil

// carat_bench_seed: the data and SQL side of the benchmark harness (bench/run.sh).
//
//   carat_bench_seed seed [--users N] [--posts N] [--media N] [--reactions N] [--comments N]
//                         [--follows-per-user N] [--notifications N]
//       Fills a freshly migrated PostgreSQL database (DATABASE_URL) through the service's own
//       DB layer, in batches inside transactions, with a progress bar on stderr; then
//       VACUUM ANALYZE and CHECKPOINT. The bench user BENCH_EMAIL / BENCH_PASSWORD (env) is
//       user 1. Deterministic: the same options give the same data.
//   carat_bench_seed --print-post-ids N
//       N ids of published public posts, comma-separated (for the wrk scripts).
//   carat_bench_seed --print-pgbench-script anonymous|member|popular
//       The SQL statements GET /api/posts executes for that scenario, taken from the code
//       (db::users_sql::kByEmail, db::posts_sql::list), with pgbench variables in place of
//       the bound parameters, as a pgbench custom script.
//   carat_bench_seed --print-pgbench-defines anonymous|member|popular
//       The -D name=value arguments that script needs (string parameters: pgbench's \set only
//       knows numbers), one per line.
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "auth/password.hpp"
#include "config/config.hpp"
#include "config/database_url.hpp"
#include "db/factory.hpp"
#include "db/postgres/pg_connection.hpp"
#include "db/posts_repository.hpp"
#include "db/users_repository.hpp"
#include "seed_sql.hpp"

namespace {

using namespace carat;
namespace bs = db::bench_seed;

// ---------------------------------------------------------------------------------------------
// Options and environment

struct SeedOptions {
  int users = 1000;
  int posts = 20000;
  int media = 5000;
  int reactions = 100000;  // 90 % on posts, 10 % on comments
  int comments = 50000;    // 80 % top level, 20 % replies
  int follows_per_user = 10;
  int notifications = 2000;
};

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string bench_email() { return env_or("BENCH_EMAIL", "bench@example.com"); }
std::string bench_password() { return env_or("BENCH_PASSWORD", "bench-password-123"); }

std::unique_ptr<db::Connection> connect() {
  const char* url_text = std::getenv("DATABASE_URL");
  if (url_text == nullptr || *url_text == '\0') throw std::runtime_error("DATABASE_URL is not set");
  std::string error;
  auto url = config::parse_database_url(url_text, error);
  if (!url) throw std::runtime_error("DATABASE_URL: " + error);
  if (url->kind != config::DatabaseUrl::Kind::kPostgres) {
    throw std::runtime_error("the benchmark data set needs PostgreSQL");
  }
  config::Config cfg;
  cfg.database = *url;
  cfg.db_statement_timeout = std::chrono::milliseconds(0);  // bulk statements run for seconds
  auto connector = db::make_connector(*url, cfg);
  return connector->connect();
}

// ---------------------------------------------------------------------------------------------
// Progress bar on stderr (redrawn in place on a terminal, a line per quarter otherwise)

class Progress {
 public:
  Progress(std::string label, int64_t total)
      : label_(std::move(label)), total_(total > 0 ? total : 1), tty_(isatty(2) != 0),
        start_(std::chrono::steady_clock::now()) {
    draw(0);
  }
  void update(int64_t done) { draw(done); }
  void finish(int64_t done) { draw(done, true); }

 private:
  void draw(int64_t done, bool final = false) {
    // Off a terminal (bench/run.sh's log) one line per step, when it is done.
    if (!tty_ && !final) return;
    const int pct = static_cast<int>(std::min<int64_t>(100, done * 100 / total_));
    constexpr int kWidth = 30;
    const int filled = pct * kWidth / 100;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    char line[200];
    std::snprintf(line, sizeof line, "  %-26s [%s%s] %3d%% %8lld/%-8lld %6.1fs", label_.c_str(),
                  std::string(static_cast<size_t>(filled), '#').c_str(),
                  std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), pct,
                  static_cast<long long>(done), static_cast<long long>(total_), secs);
    if (tty_) {
      std::fprintf(stderr, "\r%s%s", line, final ? "\n" : "");
    } else {
      std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
  }

  std::string label_;
  int64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
};

// ---------------------------------------------------------------------------------------------
// Seeding

struct Range {
  int64_t first = 0;
  int64_t count = 0;
};

Range range_of(db::Connection& c, const db::Query& q) {
  auto rs = c.exec(q);
  if (rs.empty() || rs.is_null(0, 0)) throw std::runtime_error(std::string(q.name) + ": empty");
  return {rs.i64(0, 0), rs.i64(0, 1)};
}

// Rows g = 1..total in batches of `batch`, one transaction per batch.
void batched(db::Connection& c, const std::string& label, int64_t total, int64_t batch,
             const std::function<void(int64_t first, int64_t last)>& insert) {
  Progress bar(label, total);
  for (int64_t first = 1; first <= total; first += batch) {
    const int64_t last = std::min(total, first + batch - 1);
    db::Transaction tx(c, true);
    insert(first, last);
    tx.commit();
    bar.update(last);
  }
  bar.finish(total);
}

// Repeats a statement that inserts up to $1 rows and skips duplicates until `total` rows are in.
void until_count(db::Connection& c, const std::string& label, int64_t total, int64_t batch,
                 const std::function<int64_t(int64_t want)>& insert) {
  Progress bar(label, total);
  int64_t done = 0;
  int rounds = 0;
  while (done < total) {
    if (++rounds > 1000) throw std::runtime_error(label + ": cannot reach the requested count");
    db::Transaction tx(c, true);
    done += insert(std::min(batch, total - done));
    tx.commit();
    bar.update(done);
  }
  bar.finish(done);
}

int seed(const SeedOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  auto conn = connect();
  auto& c = *conn;
  if (c.exec(bs::kUserCount).i64(0, 0) != 0) {
    std::cerr << "carat_bench_seed: the database already has users; seed a freshly migrated one\n";
    return 1;
  }
  c.exec(bs::kSetSeed, {0.4242});

  // bcrypt at the service's cost: the bench user's own hash and four shared ones.
  {
    Progress bar("bcrypt hashes", 5);
    const std::string own = auth::hash_password(bench_password(), auth::kBcryptCost);
    bar.update(1);
    std::vector<std::string> shared;
    for (int i = 0; i < 4; ++i) {
      shared.push_back(auth::hash_password("bench-shared-" + std::to_string(i), auth::kBcryptCost));
      bar.update(2 + i);
    }
    bar.finish(5);

    Progress users("users + profiles", o.users);
    db::Transaction tx(c, true);
    c.exec(db::users_sql::kInsert,
           {bench_email(), own, std::string("Bench Member"), std::string("premium"), true, nullptr});
    for (int64_t first = 2; first <= o.users; first += 500) {
      const int64_t last = std::min<int64_t>(o.users, first + 499);
      c.exec(bs::kInsertUsers, {first, last, shared[0], shared[1], shared[2], shared[3]});
      users.update(last);
    }
    c.exec(bs::kInsertProfiles);
    tx.commit();
    users.finish(o.users);
  }
  const Range users = range_of(c, bs::kUserRange);

  batched(c, "media_assets", o.media, 2500, [&](int64_t first, int64_t last) {
    c.exec(bs::kInsertMedia, {first, last, users.first, users.count});
  });
  const Range media = range_of(c, bs::kMediaRange);

  batched(c, "posts", o.posts, 2000, [&](int64_t first, int64_t last) {
    c.exec(bs::kInsertPosts, {first, last, users.first, users.count, media.first, media.count});
  });
  const Range posts = range_of(c, bs::kPostRange);
  {
    Progress bar("tourism + post_media", 2);
    db::Transaction tx(c, true);
    c.exec(bs::kInsertTourism);
    bar.update(1);
    c.exec(bs::kInsertPostMedia, {media.first, media.count});
    tx.commit();
    bar.finish(2);
  }

  const int64_t replies = o.comments / 5;
  until_count(c, "comments", o.comments - replies, 10000, [&](int64_t want) {
    return c.exec(bs::kInsertComments, {want, users.first, users.count, posts.first, posts.count})
        .affected();
  });
  const Range top = range_of(c, bs::kCommentRange);
  until_count(c, "replies", replies, 10000, [&](int64_t want) {
    return c.exec(bs::kInsertReplies, {want, users.first, users.count, top.first, top.count})
        .affected();
  });
  const Range comments = range_of(c, bs::kCommentRange);

  const int64_t on_comments = o.reactions / 10;
  until_count(c, "reactions on posts", o.reactions - on_comments, 15000, [&](int64_t want) {
    return c.exec(bs::kInsertPostReactions,
                  {want, users.first, users.count, posts.first, posts.count})
        .affected();
  });
  until_count(c, "reactions on comments", on_comments, 10000, [&](int64_t want) {
    return c.exec(bs::kInsertCommentReactions,
                  {want, users.first, users.count, comments.first, comments.count})
        .affected();
  });

  {
    Progress bar("follows + notifications", 2);
    db::Transaction tx(c, true);
    c.exec(bs::kInsertFollows, {users.first, users.count, o.follows_per_user});
    bar.update(1);
    c.exec(bs::kInsertNotifications, {o.notifications, users.first, users.count, posts.first,
                                      posts.count});
    tx.commit();
    bar.finish(2);
  }

  {
    // What a deployment's autovacuum would have done long ago; then flush the seed's dirty
    // pages so no checkpoint of seeding writes lands inside a measured run.
    Progress bar("VACUUM ANALYZE, CHECKPOINT", 2);
    c.exec_script("VACUUM ANALYZE");
    bar.update(1);
    c.exec_script("CHECKPOINT");
    bar.finish(2);
  }

  auto n = c.exec(bs::kCounts);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "seeded in %.1f s: %lld users, %lld profiles, %lld posts (%lld tourism), %lld "
               "media assets, %lld post_media, %lld reactions, %lld comments, %lld follows, %lld "
               "notifications\n",
               secs, (long long)n.i64(0, 0), (long long)n.i64(0, 1), (long long)n.i64(0, 2),
               (long long)n.i64(0, 3), (long long)n.i64(0, 4), (long long)n.i64(0, 5),
               (long long)n.i64(0, 6), (long long)n.i64(0, 7), (long long)n.i64(0, 8),
               (long long)n.i64(0, 9));
  // Machine-readable counts on stdout for the report.
  std::printf(
      "{\"users\":%lld,\"profiles\":%lld,\"posts\":%lld,\"posts_tourism\":%lld,"
      "\"media_assets\":%lld,\"post_media\":%lld,\"reactions\":%lld,\"comments\":%lld,"
      "\"follows\":%lld,\"notifications\":%lld,\"seconds\":%.1f}\n",
      (long long)n.i64(0, 0), (long long)n.i64(0, 1), (long long)n.i64(0, 2),
      (long long)n.i64(0, 3), (long long)n.i64(0, 4), (long long)n.i64(0, 5),
      (long long)n.i64(0, 6), (long long)n.i64(0, 7), (long long)n.i64(0, 8),
      (long long)n.i64(0, 9), secs);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// pgbench scripts derived from the service's SQL

// Rewrites $n placeholders for pgbench. pgbench turns every `:name` into a new parameter
// numbered in order of appearance, so a parameter used several times would become several
// parameters. Instead the first use of $n becomes `:name` and later uses refer to the number
// pgbench gives that first use: the prepared statement has exactly the service's parameters.
std::string to_pgbench(std::string_view sql, const std::vector<std::string>& names) {
  std::map<int, int> renumber;  // service $n -> pgbench $m
  std::string out;
  int next = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char ch = sql[i];
    if (quote != 0) {
      out.push_back(ch);
      if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
      out.push_back(ch);
      continue;
    }
    if (ch == ':') {
      // pgbench would read `:word` as a variable; `::` (casts) is left alone by pgbench.
      size_t j = i;
      while (j < sql.size() && sql[j] == ':') ++j;
      if (j - i == 1 && j < sql.size() &&
          (std::isalnum(static_cast<unsigned char>(sql[j])) != 0 || sql[j] == '_')) {
        throw std::runtime_error("SQL contains ':" + std::string(1, sql[j]) +
                                 "...' which pgbench would read as a variable");
      }
      out.append(sql.substr(i, j - i));
      i = j - 1;
      continue;
    }
    if (ch == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) ++j;
      const int n = std::stoi(std::string(sql.substr(i + 1, j - i - 1)));
      if (n < 1 || static_cast<size_t>(n) > names.size()) {
        throw std::runtime_error("placeholder $" + std::to_string(n) + " has no pgbench name");
      }
      auto it = renumber.find(n);
      if (it == renumber.end()) {
        renumber[n] = ++next;
        out += ":" + names[static_cast<size_t>(n - 1)];
      } else {
        out += "$" + std::to_string(it->second);
      }
      i = j - 1;
      continue;
    }
    out.push_back(ch);
  }
  if (renumber.size() != names.size()) {
    throw std::runtime_error("the statement does not use every parameter");
  }
  return out;
}

struct Scenario {
  bool member = false;
  db::posts_sql::ListShape shape;
  std::string category;
};

std::optional<Scenario> scenario(const std::string& name) {
  Scenario s;
  if (name == "anonymous") return s;
  if (name == "member") {
    s.member = true;
    return s;
  }
  if (name == "popular") {  // GET /api/posts?category=art&sort=popular, anonymous
    s.shape.sort = db::posts_sql::Sort::kPopular;
    s.shape.category = true;
    s.category = "art";
    s.shape.category_indexed = db::posts_sql::hashtag_indexed(db::Dialect::kPostgres, s.category);
    return s;
  }
  return std::nullopt;
}

int64_t bench_user_id() {
  auto conn = connect();
  auto rs = conn->exec(db::users_sql::kByEmail, {bench_email()});
  if (rs.empty()) throw std::runtime_error("bench user " + bench_email() + " not found");
  return rs.i64(0, 0);
}

int print_pgbench_script(const std::string& name) {
  auto s = scenario(name);
  if (!s) {
    std::cerr << "unknown scenario '" << name << "' (anonymous, member, popular)\n";
    return 2;
  }
  const auto d = db::Dialect::kPostgres;
  std::ostringstream out;
  out << "-- GET /api/posts, scenario " << name << ": the statements of the service, generated by"
      << " carat_bench_seed\n-- from db::users_sql::kByEmail and db::posts_sql::list.\n";
  // Same values as the wrk scenario: the caller (0 = anonymous), limit 20, page 1.
  out << "\\set caller " << (s->member ? bench_user_id() : 0) << "\n";
  out << "\\set limit 20\n\\set offset 0\n";
  if (s->member) {
    // 1. The bearer token's user (RequestContext::optional_user).
    out << to_pgbench(db::users_sql::kByEmail.pg, {"email"}) << ";\n";
  }
  // 2. The page (domain::list_posts_json).
  std::vector<std::string> names = {"caller", "limit", "offset"};
  if (s->shape.category) {
    names.emplace_back("category");
    if (!s->shape.category_indexed) names.emplace_back("matcher");
  }
  if (s->shape.visibility) names.emplace_back("visibility");
  if (s->shape.since) names.emplace_back("since");
  out << to_pgbench(db::posts_sql::list(d, s->shape).pg, names) << ";\n";
  std::cout << out.str();
  return 0;
}

int print_pgbench_defines(const std::string& name) {
  auto s = scenario(name);
  if (!s) {
    std::cerr << "unknown scenario '" << name << "' (anonymous, member, popular)\n";
    return 2;
  }
  if (s->member) std::cout << "-Demail=" << bench_email() << "\n";
  if (s->shape.category) {
    std::cout << "-Dcategory=" << s->category << "\n";
    if (!s->shape.category_indexed) {
      std::cout << "-Dmatcher="
                << db::posts_sql::hashtag_matcher(db::Dialect::kPostgres, s->category) << "\n";
    }
  }
  return 0;
}

int print_post_ids(int count) {
  auto conn = connect();
  auto rs = conn->exec(bs::kPublicPostIds, {count});
  for (size_t r = 0; r < rs.rows(); ++r) std::cout << (r ? "," : "") << rs.i64(r, 0);
  std::cout << "\n";
  return rs.rows() > 0 ? 0 : 1;
}

void usage(std::ostream& os) {
  os << "usage: carat_bench_seed seed [--users N] [--posts N] [--media N] [--reactions N]\n"
        "                             [--comments N] [--follows-per-user N] [--notifications N]\n"
        "       carat_bench_seed --print-post-ids N\n"
        "       carat_bench_seed --print-pgbench-script anonymous|member|popular\n"
        "       carat_bench_seed --print-pgbench-defines anonymous|member|popular\n"
        "       carat_bench_seed --print-session-options   (PGOPTIONS of the service's sessions)\n"
        "DATABASE_URL: the PostgreSQL database; BENCH_EMAIL, BENCH_PASSWORD: the bench user.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "-h" || args[0] == "--help") {
      usage(args.empty() ? std::cerr : std::cout);
      return args.empty() ? 2 : 0;
    }
    if (args.size() == 2 && args[0] == "--print-pgbench-script") return print_pgbench_script(args[1]);
    if (args.size() == 2 && args[0] == "--print-pgbench-defines") {
      return print_pgbench_defines(args[1]);
    }
    if (args.size() == 2 && args[0] == "--print-post-ids") return print_post_ids(std::stoi(args[1]));
    if (args.size() == 1 && args[0] == "--print-session-options") {
      // The service's default statement timeout (DB_STATEMENT_TIMEOUT_MS) and session settings.
      db::PgSettings settings;
      settings.statement_timeout_ms =
          static_cast<int>(config::Config{}.db_statement_timeout.count());
      std::cout << db::pg_session_options(settings) << "\n";
      return 0;
    }
    if (args[0] == "seed") {
      SeedOptions o;
      const std::map<std::string, int*> flags = {
          {"--users", &o.users},       {"--posts", &o.posts},
          {"--media", &o.media},       {"--reactions", &o.reactions},
          {"--comments", &o.comments}, {"--follows-per-user", &o.follows_per_user},
          {"--notifications", &o.notifications}};
      for (size_t i = 1; i < args.size(); i += 2) {
        auto it = flags.find(args[i]);
        if (it == flags.end() || i + 1 >= args.size()) {
          usage(std::cerr);
          return 2;
        }
        *it->second = std::stoi(args[i + 1]);
        if (*it->second < 1) throw std::runtime_error(args[i] + " must be at least 1");
      }
      if (o.users < 2 || o.posts < 2 || o.comments < 5 || o.reactions < 10) {
        throw std::runtime_error("data set too small");
      }
      return seed(o);
    }
    usage(std::cerr);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "\ncarat_bench_seed: " << e.what() << "\n";
    return 1;
  }
}

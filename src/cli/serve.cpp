// `carat serve`: migrate, then serve until SIGTERM/SIGINT, then drain and exit 0.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <iostream>
#include <thread>

#include "app/app.hpp"
#include "app/billing_sweeper.hpp"
#include "app/pipeline.hpp"
#include "app/routes.hpp"
#include "auth/password.hpp"
#include "cli/commands.hpp"
#include "cli/startup.hpp"
#include "db/factory.hpp"
#include "http/server.hpp"
#include "media/local_storage.hpp"
#include "media/s3_storage.hpp"
#include "observability/log.hpp"

namespace carat::cli {

namespace {

// Slowloris-style floods and real traffic both need file descriptors: use the hard limit.
void raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

std::unique_ptr<media::Storage> make_storage(const config::Config& cfg) {
  if (cfg.media_storage == config::MediaStorageKind::kS3) {
    media::S3Settings s;
    s.bucket = cfg.s3_bucket;
    s.region = cfg.aws_region;
    s.prefix = cfg.s3_prefix;
    s.endpoint = cfg.s3_endpoint;
    s.url_ttl_seconds = cfg.media_url_ttl_seconds;
    return media::make_s3_storage(s);
  }
  return media::make_local_storage(cfg.media_dir);
}

}  // namespace

int serve() {
  // Block the stop signals in every thread; one thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto cfg = load_config();
  if (!cfg) return 2;
  raise_fd_limit();
  if (cfg->secret_key_is_dev_default) {
    log::warn("SECRET_KEY is not set: using the development default (refused in production)");
  } else if (cfg->secret_key_is_known_placeholder) {
    log::warn("SECRET_KEY is a publicly known placeholder: rotate it");
  }
  std::unique_ptr<db::Connection> first_connection;
  if (!prepare_database(*cfg, false, &first_connection)) return 1;

  std::unique_ptr<media::Storage> storage;
  try {
    storage = make_storage(*cfg);
  } catch (const std::exception& e) {
    log::error("media storage unusable", {{"error", e.what()}});
    std::cerr << "carat: media storage unusable: " << e.what() << "\n";
    return 1;
  }

  db::Pool pool(db::make_connector(cfg->database, *cfg), cfg->effective_pool_size());
  if (first_connection) pool.adopt(std::move(first_connection));
  Executor workers("carat-handler", cfg->effective_worker_threads(), 4096);
  // nice 19: under a login storm bcrypt gets the cycles nothing else wants, so the latency of
  // every other request (health checks included) stays where it was.
  Executor hasher("carat-bcrypt", cfg->effective_bcrypt_threads(),
                  static_cast<size_t>(cfg->effective_bcrypt_queue_limit()),
                  /*nice_increment=*/19);
  const auto throttle = domain::make_login_throttle(
      cfg->database.kind == config::DatabaseUrl::Kind::kPostgres ? db::Dialect::kPostgres
                                                                 : db::Dialect::kSqlite,
      cfg->login_max_failures_per_email, cfg->login_max_failures_per_ip);
  // Live chat: one delivery thread; on PostgreSQL one listening session outside the pool tells
  // this replica about the messages stored through any replica.
  Executor delivery("carat-live", 1, 65536);
  live::ChatHub chat_hub(pool, delivery, workers,
                         cfg->database.kind == config::DatabaseUrl::Kind::kPostgres);
  auto listener = db::make_listener(
      cfg->database, domain::kChatChannel,
      [&chat_hub](const std::string& payload) { chat_hub.notified(payload); },
      [&chat_hub] { chat_hub.catch_up(); });
  App app{*cfg, pool, hasher, *throttle, *storage, chat_hub, service_version()};
  // Real billing when STRIPE_SECRET_KEY is set (issue 13).
  std::unique_ptr<billing::StripeApi> stripe;
  std::unique_ptr<app::BillingSweeper> billing_sweeper;
  if (cfg->stripe.enabled()) {
    stripe = billing::make_stripe_client({.api_base = cfg->stripe.api_base,
                                          .secret_key = cfg->stripe.secret_key,
                                          .timeout = cfg->stripe.timeout,
                                          .max_concurrent_calls = cfg->stripe.max_concurrent_calls,
                                          .user_agent = "carat/" + app.version});
    app.stripe = stripe.get();
    billing_sweeper = std::make_unique<app::BillingSweeper>(pool, cfg->stripe);
  }

  const http::Router router = app::build_router(app);
  ApiPipeline pipeline(app, router);
  http::ServerOptions opts;
  opts.host = cfg->host;
  opts.port = cfg->port;
  opts.io_threads = cfg->effective_io_threads();
  opts.header_timeout = cfg->header_timeout;
  opts.body_timeout = cfg->body_timeout;
  opts.idle_timeout = cfg->idle_timeout;
  opts.max_connections = cfg->max_connections;
  opts.max_connections_per_ip = cfg->max_connections_per_ip;
  opts.trust_forwarded_for = cfg->trust_forwarded_for;
  opts.trusted_proxy = [proxies = cfg->trusted_proxies](std::string_view peer) {
    const std::string address(peer);
    for (const auto& cidr : proxies) {
      if (config::cidr_contains(cidr, address)) return true;
    }
    return false;
  };
  http::Server server(opts, pipeline, workers);
  try {
    server.listen();
  } catch (const std::exception& e) {
    log::error("cannot listen", {{"error", e.what()}});
    std::cerr << "carat: " << e.what() << "\n";
    return 1;
  }

  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    app.draining = true;
    server.stop(cfg->shutdown_grace);
  });

  log::info("listening", {{"host", cfg->host},
                          {"port", server.port()},
                          {"version", app.version},
                          {"app_env", cfg->app_env},
                          {"database", cfg->database.redacted},
                          {"io_threads", cfg->effective_io_threads()},
                          {"handler_threads", cfg->effective_worker_threads()},
                          {"db_pool_size", cfg->effective_pool_size()},
                          {"billing", cfg->stripe.enabled() ? "stripe" : "test-url"}});
  server.run();

  // run() returns after the drain; wake the signal thread if the stop came from elsewhere.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  if (listener) listener->stop();
  if (billing_sweeper) billing_sweeper->stop();
  workers.shutdown();
  delivery.shutdown();
  hasher.shutdown();
  pool.close();
  log::info("stopped");
  return 0;
}

}  // namespace carat::cli

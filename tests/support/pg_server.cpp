#include "pg_server.hpp"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "process.hpp"

namespace carat::testing {

namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";

bool is_root() { return geteuid() == 0; }

void chown_to_postgres(const std::string& path) {
  passwd* pw = getpwnam("postgres");
  if (pw == nullptr) throw std::runtime_error("running as root needs a `postgres` user");
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    throw std::runtime_error("chown " + path + " failed");
  }
}

}  // namespace

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::vector<std::string> TempPostgres::as_owner(std::vector<std::string> argv) const {
  if (!is_root()) return argv;
  std::vector<std::string> out = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

TempPostgres::TempPostgres() {
  dir_ = make_temp_dir("carat-pg");
  data_ = dir_ + "/data";
  sock_ = dir_;
  if (is_root()) {
    chown_to_postgres(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
  }
  auto init = run_command(as_owner({kBin + "initdb", "-D", data_, "-U", "postgres",
                                    "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
                                    "--no-sync"}),
                          {}, std::chrono::seconds(120));
  if (init.code != 0) throw std::runtime_error("initdb failed:\n" + init.output);
  port_ = free_port();
  start();
}

TempPostgres::~TempPostgres() {
  try {
    stop();
  } catch (...) {
  }
  remove_tree(dir_);
}

void TempPostgres::start() {
  const std::string opts = "-p " + std::to_string(port_) + " -k " + sock_ +
                           " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                           " -c full_page_writes=off -c max_connections=200";
  auto r = run_command(as_owner({kBin + "pg_ctl", "-D", data_, "-o", opts, "-l",
                                 dir_ + "/server.log", "-w", "-t", "60", "start"}),
                       {}, std::chrono::seconds(90));
  if (r.code != 0) {
    throw std::runtime_error("pg_ctl start failed:\n" + r.output + read_file(dir_ + "/server.log"));
  }
  running_ = true;
}

void TempPostgres::stop() {
  if (!running_) return;
  run_command(as_owner({kBin + "pg_ctl", "-D", data_, "-m", "fast", "-w", "stop"}), {},
              std::chrono::seconds(60));
  running_ = false;
}

std::string TempPostgres::url(const std::string& db) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string TempPostgres::create_database(const std::string& name) {
  psql("postgres", "CREATE DATABASE \"" + name + "\"");
  return url(name);
}

std::string TempPostgres::psql(const std::string& db, const std::string& sql) const {
  auto r = run_command({"/usr/bin/psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", url(db), "-c",
                        sql});
  if (r.code != 0) throw std::runtime_error("psql failed: " + r.output);
  return r.output;
}

}  // namespace carat::testing

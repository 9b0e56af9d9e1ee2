// Child processes for black-box tests: spawn with an environment, capture output, stop.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace carat::testing {

class Process {
 public:
  // Starts `argv` with the current environment plus `env` (an empty value removes a variable).
  // stdout and stderr go to `log_path`.
  Process(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
          std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, wait, then SIGKILL.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::string log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string log_path_;
};

// Runs a command to completion; returns its exit code and output.
struct RunResult {
  int code = -1;
  std::string output;
};
RunResult run_command(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

// execve needs a path: `program` looked up on PATH as a shell would ("" when it is not there).
std::string find_on_path(const std::string& program);

std::string make_temp_dir(const std::string& prefix);
void remove_tree(const std::string& path);
std::string read_file(const std::string& path);
std::string random_suffix();

}  // namespace carat::testing

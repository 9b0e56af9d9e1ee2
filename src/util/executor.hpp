// A fixed pool of threads with a bounded queue. Two of them run in the service: the request
// handlers (blocking database work) and the password hasher (bcrypt, CPU-bound), so a burst of
// logins can only ever occupy the hasher's threads, never the handlers or the I/O threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace carat {

class Executor {
 public:
  // `nice_increment` > 0 lowers the threads' scheduling priority (Linux per-thread nice), so
  // CPU-heavy work yields to latency-sensitive request handling.
  Executor(std::string name, int threads, size_t queue_limit, int nice_increment = 0);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`; false when the queue is full or the executor is stopping.
  bool try_post(std::function<void()> task);

  // Runs `fn` on the pool and waits for its result; rethrows its exception. Throws
  // QueueFull when the queue is full.
  struct QueueFull : std::runtime_error {
    QueueFull() : std::runtime_error("executor queue full") {}
  };
  template <typename F>
  auto run(F&& fn) -> decltype(fn()) {
    using R = decltype(fn());
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(fn));
    auto fut = task->get_future();
    if (!try_post([task] { (*task)(); })) throw QueueFull();
    return fut.get();
  }

  // Stops taking work, finishes what is queued, joins the threads.
  void shutdown();

 private:
  void loop(int nice_increment);

  std::string name_;
  size_t queue_limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace carat

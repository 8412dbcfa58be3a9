#include "parallel_verify.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace cohours {

void parallel_for(std::size_t count, const std::function<void(std::size_t)>& check) {
  // Below this a thread start costs more than the signatures it would check.
  constexpr std::size_t kMinPerThread = 32;
  std::size_t threads = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  threads = std::min(threads, count / kMinPerThread);
  if (threads <= 1) {
    for (std::size_t i = 0; i < count; ++i) check(i);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(threads - 1);
  auto run = [&](std::size_t worker) {
    for (std::size_t i = worker; i < count; i += threads) check(i);
  };
  for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(run, t);
  run(0);
  for (auto& worker : workers) worker.join();
}

}  // namespace cohours

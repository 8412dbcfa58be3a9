#include "parallel_verify.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace cohours {

namespace {

// One call of parallel_for: its items are handed out one at a time (an
// item is a signature check, ~40 µs, so the atomic is noise).
struct Job {
  const std::function<void(std::size_t)>* check = nullptr;
  std::size_t count = 0;
  std::atomic<std::size_t> next{0};
  std::size_t finished = 0;  // items done, under mu
  int helpers = 0;           // pool threads inside run(), under mu
  std::exception_ptr failure;
  std::mutex mu;
  std::condition_variable all_done;

  // Runs items until none are left; returns how many it ran.
  void run() {
    std::size_t ran = 0;
    std::exception_ptr failed;
    for (std::size_t i = next++; i < count; i = next++, ++ran) {
      try {
        (*check)(i);
      } catch (...) {
        if (!failed) failed = std::current_exception();
      }
    }
    std::lock_guard lock(mu);
    finished += ran;
    if (failed && !failure) failure = failed;
    if (finished == count) all_done.notify_all();
  }
};

// Threads started once for the whole process, one fewer than the cores (the
// caller of parallel_for is the last one): starting threads on every call
// cost more than the checks on small batches.
class VerifyPool {
 public:
  VerifyPool() {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    // A thread that cannot be started leaves the pool smaller, not the
    // process dead: the caller runs what no pool thread takes.
    try {
      for (unsigned i = 1; i < cores; ++i) threads_.emplace_back([this] { work(); });
    } catch (const std::system_error&) {
    }
  }
  ~VerifyPool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  std::size_t size() const { return threads_.size(); }

  void run(Job& job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(&job);
    }
    wake_.notify_all();
    job.run();
    {
      // No pool thread may take the job once the caller stops waiting.
      std::lock_guard lock(mu_);
      jobs_.erase(std::find(jobs_.begin(), jobs_.end(), &job));
    }
    std::unique_lock lock(job.mu);
    job.all_done.wait(lock, [&] { return job.finished == job.count && job.helpers == 0; });
  }

 private:
  void work() {
    for (;;) {
      Job* job = nullptr;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        // The oldest job with items left; drained ones wait for their caller
        // to take them off the queue.
        for (Job* queued : jobs_)
          if (queued->next.load() < queued->count) {
            job = queued;
            break;
          }
        if (!job) {
          wake_.wait(lock, [&] { return stopping_ || has_work(); });
          continue;
        }
        std::lock_guard job_lock(job->mu);
        ++job->helpers;
      }
      job->run();
      std::lock_guard job_lock(job->mu);
      --job->helpers;
      job->all_done.notify_all();
    }
  }
  bool has_work() const {
    for (Job* queued : jobs_)
      if (queued->next.load() < queued->count) return true;
    return false;
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job*> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

VerifyPool& pool() {
  static VerifyPool instance;
  return instance;
}

}  // namespace

void parallel_for(std::size_t count, const std::function<void(std::size_t)>& check) {
  if (count < 2 || pool().size() == 0) {
    for (std::size_t i = 0; i < count; ++i) check(i);
    return;
  }
  Job job;
  job.check = &check;
  job.count = count;
  pool().run(job);
  if (job.failure) std::rethrow_exception(job.failure);
}

}  // namespace cohours

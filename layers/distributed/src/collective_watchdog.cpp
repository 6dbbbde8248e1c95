#include "collective_watchdog.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace rnnkit::distributed::detail {

CollectiveWatchdog::Watch::Watch(CollectiveWatchdog* watchdog, const char* operation)
    : watchdog_(watchdog) {
  if (watchdog_) watchdog_->start(operation);
}

CollectiveWatchdog::Watch::~Watch() {
  if (watchdog_) watchdog_->finish();
}

CollectiveWatchdog::CollectiveWatchdog(std::chrono::milliseconds timeout, int rank, int size)
    : timeout_(timeout), rank_(rank), size_(size), thread_([this] { run(); }) {}

CollectiveWatchdog::~CollectiveWatchdog() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void CollectiveWatchdog::start(const char* operation) {
  {
    const std::lock_guard lock(mutex_);
    operation_ = operation;
    deadline_ = Clock::now() + timeout_;
  }
  wake_.notify_one();
}

void CollectiveWatchdog::finish() {
  const std::lock_guard lock(mutex_);
  operation_ = nullptr;
}

void CollectiveWatchdog::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!operation_) {
      wake_.wait(lock);
      continue;
    }
    wake_.wait_until(lock, deadline_);
    if (stopping_ || !operation_ || Clock::now() < deadline_) continue;
    const std::string message = fmt::format(
        "rnnkit::distributed: rank {} of {}: {} did not complete within {:g} s; another rank has "
        "probably died or hangs. Exiting so that the MPI launcher ends the job.\n",
        rank_, size_, operation_, std::chrono::duration<double>(timeout_).count());
    std::fputs(message.c_str(), stderr);
    std::fflush(stderr);
    // No unwinding and no MPI_Finalize: the main thread is still blocked inside MPI.
    std::_Exit(EXIT_FAILURE);
  }
}

}  // namespace rnnkit::distributed::detail

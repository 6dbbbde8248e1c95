#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace rnnkit::distributed::detail {

/// Ends the process when a collective operation outlasts its time: a rank that died or hangs
/// would otherwise leave the others waiting in MPI forever. It waits on a thread of its own that
/// makes no MPI call (MPI runs MPI_THREAD_FUNNELED); when the time is up it prints the rank and
/// the operation to stderr and exits with status 1, and the MPI launcher then ends the job.
class CollectiveWatchdog {
 public:
  /// Watches the operation named at construction until destroyed.
  class Watch {
   public:
    Watch(CollectiveWatchdog* watchdog, const char* operation);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

   private:
    CollectiveWatchdog* watchdog_;
  };

  /// `timeout` > 0; `rank` and `size` name this process in the message.
  CollectiveWatchdog(std::chrono::milliseconds timeout, int rank, int size);
  ~CollectiveWatchdog();
  CollectiveWatchdog(const CollectiveWatchdog&) = delete;
  CollectiveWatchdog& operator=(const CollectiveWatchdog&) = delete;

 private:
  using Clock = std::chrono::steady_clock;
  void start(const char* operation);
  void finish();
  void run();

  const std::chrono::milliseconds timeout_;
  const int rank_;
  const int size_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const char* operation_ = nullptr;  ///< the operation being watched; null between operations
  Clock::time_point deadline_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rnnkit::distributed::detail

#pragma once

#include <mpi.h>
#include <rnnkit/models/distribution.h>

#include <chrono>
#include <memory>
#include <span>

namespace rnnkit::distributed {

namespace detail {
class CollectiveWatchdog;
}

/// MpiDistribution arguments.
struct MpiDistributionOptions {
  /// The processes that train together. rnnkit talks on a duplicate of it, so its messages
  /// never mix with the program's own.
  MPI_Comm communicator = MPI_COMM_WORLD;
  /// How long one collective operation may wait for the other ranks. A rank that died or hangs
  /// leaves the others waiting in their next one: when the time is up, this process prints which
  /// operation timed out and exits with status 1, and the MPI launcher ends the job. Zero waits
  /// forever.
  std::chrono::milliseconds collective_timeout = std::chrono::minutes(30);
};

/// Data-parallel training over MPI: the models::Distribution to hand to
/// Sequential::set_distribution() when the program runs as `mpirun -np N program`, one rank per
/// process of the communicator. Starts MPI (MPI_Init_thread, MPI_THREAD_FUNNELED) unless the
/// program already did, and then finalizes it when destroyed; the one that started MPI must
/// outlive any other. Use it from the thread that created it. A failed MPI call throws
/// std::runtime_error naming the call, the rank and MPI's message (errors return instead of
/// aborting the job on this communicator).
class MpiDistribution final : public models::Distribution {
 public:
  /// std::invalid_argument for a negative collective_timeout; std::logic_error when MPI was
  /// already finalized.
  explicit MpiDistribution(MpiDistributionOptions options = {});
  ~MpiDistribution() override;
  MpiDistribution(const MpiDistribution&) = delete;
  MpiDistribution& operator=(const MpiDistribution&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  /// MPI_Bcast from rank 0.
  void broadcast(std::span<std::byte> bytes) override;
  /// MPI_Allreduce with MPI_SUM, in place.
  void all_reduce_sum(std::span<float> values) override;
  void all_reduce_sum(std::span<double> values) override;
  /// Waits until every rank gets here (MPI_Barrier), e.g. before reading a file rank 0 wrote.
  void barrier();

 private:
  /// Throws std::runtime_error unless `code` is MPI_SUCCESS.
  void check(int code, const char* call) const;

  bool owns_mpi_ = false;
  int rank_ = 0;
  int size_ = 1;
  MPI_Comm communicator_ = MPI_COMM_NULL;
  std::unique_ptr<detail::CollectiveWatchdog> watchdog_;
};

}  // namespace rnnkit::distributed

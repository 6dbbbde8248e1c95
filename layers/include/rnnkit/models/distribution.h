#pragma once

#include <cstddef>
#include <span>

namespace rnnkit::models {

/// The processes a model trains on together, data-parallel (what Keras's
/// MultiWorkerMirroredStrategy is to a Keras model), seen through the few collective operations
/// Sequential needs. Every rank holds the same model and the same data; Sequential splits each
/// global batch across the ranks and sums their gradients. rnnkit::distributed::MpiDistribution
/// implements it over MPI; the core library never depends on a transport.
///
/// Every operation is collective: each rank must call it, in the same order, with buffers of the
/// same length. An implementation reports a failed operation by throwing.
class Distribution {
 public:
  virtual ~Distribution() = default;

  /// This process's index, 0 to size() - 1. Rank 0 is the chief: it alone prints progress and
  /// runs the callbacks that write files.
  virtual int rank() const = 0;
  /// How many processes train together.
  virtual int size() const = 0;
  /// Overwrites `bytes` on every rank with rank 0's.
  virtual void broadcast(std::span<std::byte> bytes) = 0;
  /// Replaces `values` on every rank by their element-wise sum over the ranks.
  virtual void all_reduce_sum(std::span<float> values) = 0;
  virtual void all_reduce_sum(std::span<double> values) = 0;
};

}  // namespace rnnkit::models

#pragma once

// What Sequential needs to train data-parallel over a Distribution: how a batch is split, the
// start-up checks and broadcasts, and the buffers of the per-step all-reduces.

#include <rnnkit/callbacks/callback.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/models/distribution.h>
#include <rnnkit/models/sequential.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rnnkit::models::detail {

/// What set_distribution() keeps: the distribution and the all-reduce buffers, reused from step
/// to step.
struct DataParallel {
  std::shared_ptr<Distribution> distribution;
  /// Whether the start-up check and weight broadcast ran since set_distribution().
  bool synchronized = false;
  std::vector<double> statistics;
  std::vector<float> f32_gradients;
  std::vector<double> f64_gradients;
};

/// Rows [begin, end) of a batch.
struct Shard {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};

/// This rank's rows of a batch of `count` samples. As TensorFlow rebatches a global batch for
/// its replicas, the first count % size ranks take one sample more than the others (and some
/// take none when count < size). The whole batch without a distribution.
Shard shard(std::int64_t count, const Distribution* distribution);

/// This rank's rows of a batch's x, y and mask (those tensors themselves without a distribution).
struct BatchPart {
  Tensor x;
  Tensor y;
  Tensor mask;
};
BatchPart batch_part(const Tensor& x, const Tensor& y, const Tensor& mask,
                     const Distribution* distribution);

/// Whether this process is the chief: rank 0, or the only process.
bool is_chief(const Distribution* distribution);

/// The callbacks this rank runs: every one on the chief; elsewhere those that are not
/// chief_worker_only().
std::vector<callbacks::AnyCallback> callbacks_for_rank(
    const std::vector<callbacks::AnyCallback>& callbacks, const Distribution* distribution);

/// "name: [4, 10, 1] float32 #<checksum of the values>", or "name: none" when undefined: one
/// line of a setup every rank must share.
std::string describe(std::string_view name, const Tensor& tensor);

/// The arguments of fit() every rank must pass alike, one per line (the data by checksum).
std::string fit_arguments(const Tensor& x, const Tensor& y, const FitOptions& options,
                          std::int64_t train_samples, const ValidationData& validation);
/// Likewise for evaluate().
std::string evaluate_arguments(const Tensor& x, const Tensor& y, const EvaluateOptions& options);
/// Likewise for train_on_batch() and test_on_batch().
std::string batch_arguments(const Tensor& x, const Tensor& y, const Tensor& mask);

/// Throws std::invalid_argument on every rank unless every rank's `setup` (lines of text) equals
/// rank 0's, naming the ranks that differ and, on those ranks, the first line that does.
void require_same_setup(Distribution& distribution, std::string_view who, const std::string& setup);

/// Overwrites every variable's value with rank 0's, in one broadcast.
void broadcast_values(Distribution& distribution, const std::vector<Variable>& variables);

/// Overwrites `order` with rank 0's.
void broadcast_order(Distribution& distribution, std::vector<std::int64_t>& order);

/// Whether `flag` is set on any rank.
bool on_any_rank(Distribution& distribution, bool flag);

/// Sums the variables' gradients over the ranks: one all-reduce per dtype, over one contiguous
/// buffer. A variable gets a gradient (zeros where this rank had none) when any rank has one, so
/// the optimizer updates the same variables everywhere.
void all_reduce_gradients(DataParallel& parallel, const std::vector<Variable>& variables);

}  // namespace rnnkit::models::detail

#pragma once

#include <rnnkit/framework/random.h>
#include <rnnkit/framework/tensor.h>

#include <vector>

namespace rnnkit::layers {

/// The cached dropout masks of one rate, as Keras's DropoutRNNCellMixin keeps them (spec §1.4):
/// made on the first get() after a reset, then returned unchanged until the next reset, so every
/// timestep of a layer call shares them.
class DropoutMaskCache {
 public:
  /// `rate` in [0, 1); 0 means no mask at all.
  explicit DropoutMaskCache(double rate = 0.0) : rate_(rate) {}

  double rate() const { return rate_; }
  /// The cached masks, or `count` new ones of `shape` and `dtype` when there are none: inverted
  /// dropout (each element 0 with probability rate, else 1/(1-rate)) drawn from `generator` when
  /// `training`, ones otherwise. Empty when the rate is 0 (Keras's None).
  const std::vector<Tensor>& get(const Shape& shape, DType dtype, bool training, int count,
                                 Generator& generator);
  /// True when the cached masks are the inference ones (all ones: multiplying is a no-op).
  bool is_identity() const { return identity_; }
  /// Forgets the cached masks.
  void reset();

 private:
  double rate_ = 0.0;
  std::vector<Tensor> masks_;
  bool identity_ = false;
};

}  // namespace rnnkit::layers

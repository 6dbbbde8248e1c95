#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rnnkit::layers {

/// Keras Concatenate arguments (axis), then the base-layer keywords.
struct ConcatenateOptions {
  std::int64_t axis = -1;  ///< counted with the batch axis; negative from the end
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Concatenate: joins two or more tensors of one rank along `axis`; every other size must
/// match. Its mask (Keras Concatenate.compute_mask): none when no input has one; otherwise each
/// mask of rank below its input's gains a last axis of 1, an absent one counts as all true, they
/// are joined along `axis`, and a position is kept when it is kept in all of the last axis.
/// No weights.
class Concatenate : public Layer {
 public:
  explicit Concatenate(ConcatenateOptions options = {});

  std::string class_name() const override { return "Concatenate"; }
  /// Keras get_config(): name, trainable, dtype, axis.
  Config get_config() const override;
  /// The inverse of get_config(); an unknown key throws std::invalid_argument.
  static Concatenate from_config(const Config& config);

  std::int64_t axis() const { return options_.axis; }

  /// `inputs` joined along axis(); std::invalid_argument for fewer than two, a non-float
  /// tensor, an axis outside the rank, or sizes that differ off the axis (naming the shapes).
  Tensor operator()(const std::vector<Tensor>& inputs);
  CallOutput forward_inputs(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                            bool training) override;

 private:
  ConcatenateOptions options_;
};

}  // namespace rnnkit::layers

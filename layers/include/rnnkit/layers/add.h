#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>

#include <string>
#include <vector>

namespace rnnkit::layers {

/// Keras Add arguments: the base-layer keywords.
struct AddOptions {
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Add: the element-wise sum of two or more tensors of one shape (trailing sizes of 1
/// broadcast, as Keras's merge layers allow), in the layer's dtype. Its mask is the logical and
/// of the inputs' masks that are defined, none when none is (Keras _Merge.compute_mask). No
/// weights.
class Add : public Layer {
 public:
  explicit Add(AddOptions options = {});

  std::string class_name() const override { return "Add"; }
  /// Keras get_config(): name, trainable, dtype.
  Config get_config() const override;
  /// The inverse of get_config(); an unknown key throws std::invalid_argument.
  static Add from_config(const Config& config);

  /// The sum of `inputs`; std::invalid_argument for fewer than two, a non-float tensor, or
  /// shapes that do not broadcast (naming them).
  Tensor operator()(const std::vector<Tensor>& inputs);
  CallOutput forward_inputs(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                            bool training) override;
};

}  // namespace rnnkit::layers

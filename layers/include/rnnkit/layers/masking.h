#pragma once

#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>

#include <string>

namespace rnnkit::layers {

/// Keras Masking arguments, then the base-layer keywords.
struct MaskingOptions {
  double mask_value = 0.0;
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Masking (spec §11): on inputs [B, T, F] a timestep is masked when all its features
/// equal mask_value. The output is the input with masked timesteps zeroed (in the layer's
/// dtype); forward() hands on the mask [B, T] = any(inputs != mask_value) over the last axis, in
/// place of any incoming mask. Any rank >= 2 works the same way, the mask covering all axes but
/// the last. No weights.
class Masking : public Layer {
 public:
  explicit Masking(MaskingOptions options = {});

  std::string class_name() const override { return "Masking"; }
  /// Keras get_config(): name, trainable, dtype, mask_value.
  Config get_config() const override;
  /// The inverse of get_config(); an unknown key throws std::invalid_argument.
  static Masking from_config(const Config& config);

  double mask_value() const { return options_.mask_value; }

  /// The inputs with masked timesteps zeroed; the gradient flows through the kept ones.
  Tensor operator()(const Tensor& inputs);
  /// Keras compute_mask(inputs): the boolean mask [B, T] (all axes but the last) that forward()
  /// hands on, true where a timestep is kept; for a layer called by hand, e.g.
  /// `rnn(masking(x), {.mask = masking.compute_mask(x)})`. Checks `inputs` as a call does.
  Tensor compute_mask(const Tensor& inputs) const;
  /// The output, and the mask it computed (an incoming mask is replaced).
  LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;

 private:
  /// `inputs` in the layer's dtype; std::invalid_argument unless a float tensor of rank >= 2.
  Tensor checked_inputs(const Tensor& inputs) const;
  /// The boolean mask over all axes but the last of checked inputs `x`.
  Tensor mask_of(const Tensor& x) const;
  /// The output; `mask` receives mask_of(inputs).
  Tensor call(const Tensor& inputs, Tensor& mask);

  MaskingOptions options_;
};

}  // namespace rnnkit::layers

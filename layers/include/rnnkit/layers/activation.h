#pragma once

#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>

#include <string>

namespace rnnkit::layers {

/// Keras Activation arguments, then the base-layer keywords.
struct ActivationOptions {
  rnnkit::Activation activation = "linear";
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Activation (keras/layers/core/activation.py): applies `activation` element-wise; any
/// rank; the incoming mask passes through. No weights.
class Activation : public Layer {
 public:
  explicit Activation(ActivationOptions options);
  /// Activation("relu", {...}) reads like Keras's Activation("relu").
  Activation(rnnkit::Activation activation, ActivationOptions options = {});

  std::string class_name() const override { return "Activation"; }
  /// Keras get_config(): name, trainable, dtype, activation.
  Config get_config() const override;
  /// The inverse of get_config(); "activation" is required, an unknown key throws
  /// std::invalid_argument.
  static Activation from_config(const Config& config);

  const rnnkit::Activation& activation() const { return options_.activation; }

  Tensor operator()(const Tensor& inputs);
  /// The output, and the incoming mask passed on unchanged.
  LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;

 private:
  ActivationOptions options_;
};

}  // namespace rnnkit::layers

#pragma once

#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/initializers/initializer.h>
#include <rnnkit/layers/layer.h>

#include <cstdint>
#include <string>

namespace rnnkit::layers {

/// Keras Dense arguments, in Keras order, then the base-layer keywords.
struct DenseOptions {
  std::int64_t units = 0;
  rnnkit::Activation activation = "linear";
  bool use_bias = true;
  initializers::AnyInitializer kernel_initializer = "glorot_uniform";
  initializers::AnyInitializer bias_initializer = "zeros";
  regularizers::AnyRegularizer kernel_regularizer = nullptr;
  regularizers::AnyRegularizer bias_regularizer = nullptr;
  regularizers::AnyRegularizer activity_regularizer = nullptr;
  constraints::AnyConstraint kernel_constraint = nullptr;
  constraints::AnyConstraint bias_constraint = nullptr;
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Dense: out = activation(inputs·kernel + bias) over the last axis, so [B, F] -> [B, U]
/// and [B, T, F] -> [B, T, U] (the same weights at every step). Weights kernel [F, U] and bias
/// [U] (when use_bias), built from the first input.
class Dense : public Layer {
 public:
  explicit Dense(DenseOptions options);
  /// Dense(4, {...}) reads like Keras's Dense(4, ...); `options.units` must then be unset (0) or
  /// equal.
  Dense(std::int64_t units, DenseOptions options = {});

  std::string class_name() const override { return "Dense"; }
  /// Keras get_config(): name, trainable, dtype, units, activation, use_bias,
  /// kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
  /// activity_regularizer, kernel_constraint, bias_constraint. A user function throws
  /// std::invalid_argument naming the key.
  Config get_config() const override;
  /// The inverse of get_config(): "units" is required, absent keys take the defaults, the legacy
  /// "implementation" is dropped, and any other key throws std::invalid_argument, as Keras's
  /// constructor rejects unknown keywords.
  static Dense from_config(const Config& config);

  std::int64_t units() const { return options_.units; }
  const rnnkit::Activation& activation() const { return options_.activation; }
  bool use_bias() const { return options_.use_bias; }
  const initializers::AnyInitializer& kernel_initializer() const {
    return options_.kernel_initializer;
  }
  const initializers::AnyInitializer& bias_initializer() const { return options_.bias_initializer; }
  const regularizers::AnyRegularizer& kernel_regularizer() const {
    return options_.kernel_regularizer;
  }
  const regularizers::AnyRegularizer& bias_regularizer() const { return options_.bias_regularizer; }
  const regularizers::AnyRegularizer& activity_regularizer() const {
    return options_.activity_regularizer;
  }
  const constraints::AnyConstraint& kernel_constraint() const { return options_.kernel_constraint; }
  const constraints::AnyConstraint& bias_constraint() const { return options_.bias_constraint; }

  /// [F, U]; undefined before build.
  const Variable& kernel() const { return kernel_; }
  /// [U]; undefined before build or without use_bias.
  const Variable& bias() const { return bias_; }

  /// Creates the weights for inputs of `input_shape` (rank >= 2, features last); once built, only
  /// checks that the feature count is unchanged.
  void build(const Shape& input_shape);
  /// inputs [..., F] (rank >= 2) -> [..., U]; builds on the first call. losses() then holds the
  /// weight penalties and the activity penalty divided by the batch size (spec §5).
  Tensor operator()(const Tensor& inputs);
  /// The output, and the incoming mask passed on unchanged (spec §11).
  LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;

 private:
  /// The output; `logits`, when given, receives the pre-activation.
  Tensor call(const Tensor& inputs, Tensor* logits);
  /// Throws unless `input_shape` has rank >= 2, features >= 1, and the built feature count.
  void check_input_shape(const Shape& input_shape) const;

  DenseOptions options_;
  Variable kernel_;
  Variable bias_;
};

}  // namespace rnnkit::layers

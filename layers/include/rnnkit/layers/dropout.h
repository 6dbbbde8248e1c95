#pragma once

#include <rnnkit/framework/random.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rnnkit::layers {

/// Keras Dropout arguments, in Keras order, then the base-layer keywords.
struct DropoutOptions {
  double rate = 0.0;
  /// The mask's shape, batch axis included; an entry of -1 (Keras's None) takes the input's
  /// size, so {-1, 1, -1} shares one mask over the timesteps of [B, T, F]. Empty: the input's
  /// shape.
  std::vector<std::int64_t> noise_shape = {};
  std::optional<std::uint64_t> seed = std::nullopt;
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Dropout (keras/layers/core/dropout.py): in training each element (or each entry of
/// noise_shape, broadcast over the input) is zeroed with probability rate and the rest scaled by
/// 1/(1 - rate); in inference, and with rate 0, the input is returned unchanged. Any rank; the
/// incoming mask passes through. No weights.
class Dropout : public Layer {
 public:
  explicit Dropout(DropoutOptions options);
  /// Dropout(0.2, {...}) reads like Keras's Dropout(0.2, ...); `options.rate` must then be unset
  /// (0) or equal.
  Dropout(double rate, DropoutOptions options = {});

  std::string class_name() const override { return "Dropout"; }
  /// Keras get_config(): name, trainable, dtype, rate, noise_shape (null when empty), seed.
  Config get_config() const override;
  /// The inverse of get_config(); "rate" is required, an unknown key throws
  /// std::invalid_argument.
  static Dropout from_config(const Config& config);

  double rate() const { return options_.rate; }
  const std::vector<std::int64_t>& noise_shape() const { return options_.noise_shape; }
  std::optional<std::uint64_t> seed() const { return options_.seed; }

  /// inputs (float, any rank >= 1) -> the same shape; dropout only when `training`.
  Tensor operator()(const Tensor& inputs, bool training = false);
  /// The output, and the incoming mask passed on unchanged.
  LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;

 private:
  /// noise_shape with its -1 entries filled from `input_shape`; throws when it cannot broadcast.
  Shape mask_shape(const Shape& input_shape) const;

  DropoutOptions options_;
  Generator generator_;
};

}  // namespace rnnkit::layers

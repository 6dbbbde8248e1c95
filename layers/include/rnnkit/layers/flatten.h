#pragma once

#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>

#include <string>

namespace rnnkit::layers {

/// Keras Flatten arguments, then the base-layer keywords.
struct FlattenOptions {
  /// "channels_last" (Keras's default) or "channels_first", under which axis 1 is moved last
  /// before flattening, as Keras does for inputs of rank >= 3.
  std::string data_format = "channels_last";
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Flatten (keras/layers/reshaping/flatten.py): [B, d1, ..., dk] -> [B, d1·...·dk]; [B]
/// -> [B, 1]. No weights. Flatten does not support masking: an incoming mask is dropped, with
/// one warning per layer through rnnkit::warn, as Keras 3 warns that the mask is destroyed.
class Flatten : public Layer {
 public:
  explicit Flatten(FlattenOptions options = {});

  std::string class_name() const override { return "Flatten"; }
  /// Keras get_config(): name, trainable, dtype, data_format.
  Config get_config() const override;
  /// The inverse of get_config(); data_format null is "channels_last", an unknown key throws
  /// std::invalid_argument.
  static Flatten from_config(const Config& config);

  const std::string& data_format() const { return options_.data_format; }

  Tensor operator()(const Tensor& inputs);
  /// The output and no mask; the first call given a mask warns that it is dropped.
  LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;

 private:
  FlattenOptions options_;
  bool warned_mask_dropped_ = false;
};

}  // namespace rnnkit::layers

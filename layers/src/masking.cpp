#include "rnnkit/layers/masking.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>
#include <utility>

#include "checks.h"
#include "layer_config.h"

namespace rnnkit::layers {

Masking::Masking(MaskingOptions options)
    : Layer({.name = options.name, .dtype = options.dtype, .trainable = options.trainable},
            "masking"),
      options_(std::move(options)) {}

Config Masking::get_config() const {
  return detail::ConfigWriter(label(), Layer::get_config())
      .value("mask_value", options_.mask_value)
      .take();
}

Masking Masking::from_config(const Config& config) {
  ConfigReader reader("Masking config", config);
  MaskingOptions options;
  detail::read_base(reader, options);
  options.mask_value = reader.number("mask_value", options.mask_value);
  reader.finish();
  return Masking(std::move(options));
}

Tensor Masking::checked_inputs(const Tensor& inputs) const {
  detail::check_float(label(), "inputs", inputs);
  if (inputs.dim() < 2) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' is incompatible with the layer: expected min_ndim=2, found "
        "ndim={}. Full shape received: {}",
        label(), inputs.dim(), shape_str(inputs.shape())));
  }
  return inputs.to(dtype());
}

Tensor Masking::mask_of(const Tensor& x) const {
  // Keras compares in the inputs' dtype, so a float32 layer compares with float32(mask_value).
  const double value =
      dtype() == DType::f32 ? static_cast<float>(options_.mask_value) : options_.mask_value;
  return any(not_equal(x.detach(), value), -1);
}

Tensor Masking::compute_mask(const Tensor& inputs) const { return mask_of(checked_inputs(inputs)); }

Tensor Masking::call(const Tensor& inputs, Tensor& mask) {
  const Tensor x = checked_inputs(inputs);
  mask = mask_of(x);
  // The mask as 0/1 with a trailing 1 axis, broadcast over the features.
  Shape keep_shape = mask.shape();
  keep_shape.push_back(1);
  set_built();
  return mul(x, mask.to(dtype()).reshape(std::move(keep_shape)));
}

Tensor Masking::operator()(const Tensor& inputs) {
  Tensor mask;
  return call(inputs, mask);
}

LayerOutput Masking::forward(const Tensor& inputs, const Tensor&, bool) {
  LayerOutput out;
  out.outputs.push_back(call(inputs, out.mask));
  return out;
}

}  // namespace rnnkit::layers

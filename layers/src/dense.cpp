#include "rnnkit/layers/dense.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>
#include <utility>

#include "checks.h"

namespace rnnkit::layers {
namespace {

// Checked before the base class draws a default name, so a rejected layer consumes none.
LayerOptions checked_base_options(const DenseOptions& options) {
  const std::string who = options.name.empty() ? "Dense" : fmt::format("Dense '{}'", options.name);
  detail::check_units(who, options.units);
  options.activation.check(who);
  return {.name = options.name, .dtype = options.dtype, .trainable = options.trainable};
}

}  // namespace

Dense::Dense(DenseOptions options)
    : Layer(checked_base_options(options), "dense"), options_(std::move(options)) {}

Dense::Dense(std::int64_t units, DenseOptions options)
    : Dense(detail::with_units("Dense", units, std::move(options))) {}

void Dense::check_input_shape(const Shape& input_shape) const {
  if (input_shape.size() < 2) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' is incompatible with the layer: expected min_ndim=2, found "
        "ndim={}. Full shape received: {}",
        label(), input_shape.size(), shape_str(input_shape)));
  }
  const std::int64_t features = input_shape.back();
  if (features < 1) {
    throw std::invalid_argument(
        fmt::format("{}: argument 'inputs' must have at least one feature (last axis), got shape {}",
                    label(), shape_str(input_shape)));
  }
  if (built() && features != kernel_.value().size(0)) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' is incompatible with the layer: expected axis -1 of input shape to "
        "have value {}, but received input with shape {}",
        label(), kernel_.value().size(0), shape_str(input_shape)));
  }
}

void Dense::build(const Shape& input_shape) {
  check_input_shape(input_shape);
  if (built()) return;
  kernel_ = add_weight("kernel", {input_shape.back(), options_.units}, options_.kernel_initializer,
                       options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.units}, options_.bias_initializer,
                       options_.bias_regularizer, options_.bias_constraint);
  }
  set_built();
}

Tensor Dense::operator()(const Tensor& inputs) {
  detail::check_float(label(), "inputs", inputs);
  build(inputs.shape());
  const Tensor x = inputs.to(dtype());
  Tensor projected;
  if (x.dim() <= 3) {
    projected = matmul(x, kernel_.value());
  } else {
    // matmul takes rank 2 or 3; higher ranks are the same product over the flattened leading axes.
    Shape out_shape = x.shape();
    out_shape.back() = options_.units;
    projected = matmul(x.reshape({x.numel() / x.size(-1), x.size(-1)}), kernel_.value())
                    .reshape(std::move(out_shape));
  }
  if (options_.use_bias) projected = add(projected, bias_.value());
  Tensor output = options_.activation(projected);
  std::vector<Tensor> activity;
  if (options_.activity_regularizer) {
    // Divided by the output's shape[0], the batch size (spec §5).
    activity.push_back(
        div(options_.activity_regularizer(output), static_cast<double>(output.size(0))));
  }
  set_call_losses(std::move(activity));
  return output;
}

LayerOutput Dense::forward(const Tensor& inputs, const Tensor& mask, bool) {
  LayerOutput out;
  out.outputs.push_back((*this)(inputs));
  out.mask = mask;
  return out;
}

}  // namespace rnnkit::layers

#include "rnnkit/layers/dense.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>
#include <utility>

#include "checks.h"
#include "layer_config.h"

namespace rnnkit::layers {
namespace {

// Checked before the base class draws a default name, so a rejected layer consumes none.
LayerOptions checked_base_options(const DenseOptions& options) {
  const std::string who = options.name.empty() ? "Dense" : fmt::format("Dense '{}'", options.name);
  detail::check_positive(who, "units", options.units);
  options.activation.check(who);
  return {.name = options.name, .dtype = options.dtype, .trainable = options.trainable};
}

}  // namespace

Dense::Dense(DenseOptions options)
    : Layer(checked_base_options(options), "dense"), options_(std::move(options)) {}

Dense::Dense(std::int64_t units, DenseOptions options)
    : Dense(detail::with_units("Dense", units, std::move(options))) {}

Config Dense::get_config() const {
  return detail::ConfigWriter(label(), Layer::get_config())
      .value("units", options_.units)
      .activation("activation", options_.activation)
      .value("use_bias", options_.use_bias)
      .initializer("kernel_initializer", options_.kernel_initializer)
      .initializer("bias_initializer", options_.bias_initializer)
      .regularizer("kernel_regularizer", options_.kernel_regularizer)
      .regularizer("bias_regularizer", options_.bias_regularizer)
      .regularizer("activity_regularizer", options_.activity_regularizer)
      .constraint("kernel_constraint", options_.kernel_constraint)
      .constraint("bias_constraint", options_.bias_constraint)
      .take();
}

Dense Dense::from_config(const Config& config) {
  ConfigReader reader("Dense config", config);
  DenseOptions options;
  detail::read_base(reader, options);
  options.units = reader.integer("units");
  options.activation = detail::read_activation(reader, "activation", options.activation);
  options.use_bias = reader.boolean("use_bias", options.use_bias);
  options.kernel_initializer =
      detail::read_initializer(reader, "kernel_initializer", options.kernel_initializer);
  options.bias_initializer =
      detail::read_initializer(reader, "bias_initializer", options.bias_initializer);
  options.kernel_regularizer = detail::read_regularizer(reader, "kernel_regularizer");
  options.bias_regularizer = detail::read_regularizer(reader, "bias_regularizer");
  options.activity_regularizer = detail::read_regularizer(reader, "activity_regularizer");
  options.kernel_constraint = detail::read_constraint(reader, "kernel_constraint");
  options.bias_constraint = detail::read_constraint(reader, "bias_constraint");
  detail::read_quantization_config(reader);
  reader.finish();
  return Dense(std::move(options));
}

void Dense::check_input_shape(const Shape& input_shape) const {
  if (input_shape.size() < 2) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' is incompatible with the layer: expected min_ndim=2, found "
        "ndim={}. Full shape received: {}",
        label(), input_shape.size(), shape_str(input_shape)));
  }
  const std::int64_t features = input_shape.back();
  if (features < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' must have at least one feature (last axis), got shape {}", label(),
        shape_str(input_shape)));
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

Tensor Dense::operator()(const Tensor& inputs) { return call(inputs, nullptr); }

Tensor Dense::call(const Tensor& inputs, Tensor* logits) {
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
  if (logits) *logits = projected;
  Tensor output = options_.activation(projected);
  std::vector<Tensor> activity;
  if (options_.activity_regularizer) {
    activity.push_back(activity_loss(options_.activity_regularizer, output));
  }
  set_call_losses(std::move(activity));
  return output;
}

LayerOutput Dense::forward(const Tensor& inputs, const Tensor& mask, bool) {
  LayerOutput out;
  const std::string& activation = options_.activation.name();
  const bool has_logits =
      options_.activation.is_builtin() && (activation == "sigmoid" || activation == "softmax");
  out.outputs.push_back(call(inputs, has_logits ? &out.logits : nullptr));
  if (has_logits) out.logits_activation = activation;
  out.mask = mask;
  return out;
}

}  // namespace rnnkit::layers

#include "rnnkit/layers/activation.h"

#include <fmt/format.h>

#include <utility>

#include "checks.h"
#include "layer_config.h"

namespace rnnkit::layers {
namespace {

// Checked before the base class draws a default name, so a rejected layer consumes none.
LayerOptions checked_base_options(const ActivationOptions& options) {
  options.activation.check(options.name.empty() ? "Activation"
                                                : fmt::format("Activation '{}'", options.name));
  return {.name = options.name, .dtype = options.dtype, .trainable = options.trainable};
}

}  // namespace

Activation::Activation(ActivationOptions options)
    : Layer(checked_base_options(options), "activation"), options_(std::move(options)) {}

Activation::Activation(rnnkit::Activation activation, ActivationOptions options)
    : Activation([&] {
        options.activation = std::move(activation);
        return std::move(options);
      }()) {}

Config Activation::get_config() const {
  return detail::ConfigWriter(label(), Layer::get_config())
      .activation("activation", options_.activation)
      .take();
}

Activation Activation::from_config(const Config& config) {
  ConfigReader reader("Activation config", config);
  ActivationOptions options;
  detail::read_base(reader, options);
  options.activation = reader.parse("activation", activations::deserialize);
  reader.finish();
  return Activation(std::move(options));
}

Tensor Activation::operator()(const Tensor& inputs) {
  detail::check_float(label(), "inputs", inputs);
  set_built();
  return options_.activation(inputs.to(dtype()));
}

LayerOutput Activation::forward(const Tensor& inputs, const Tensor& mask, bool) {
  LayerOutput out;
  out.outputs.push_back((*this)(inputs));
  out.mask = mask;
  return out;
}

}  // namespace rnnkit::layers

#include "rnnkit/layers/flatten.h"

#include <fmt/format.h>
#include <rnnkit/framework/messages.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>
#include <utility>

#include "checks.h"
#include "layer_config.h"

namespace rnnkit::layers {
namespace {

// Checked before the base class draws a default name, so a rejected layer consumes none.
LayerOptions checked_base_options(const FlattenOptions& options) {
  if (options.data_format != "channels_last" && options.data_format != "channels_first") {
    throw std::invalid_argument(
        fmt::format("{}: data_format must be \"channels_last\" or \"channels_first\", got \"{}\"",
                    options.name.empty() ? "Flatten" : fmt::format("Flatten '{}'", options.name),
                    options.data_format));
  }
  return {.name = options.name, .dtype = options.dtype, .trainable = options.trainable};
}

}  // namespace

Flatten::Flatten(FlattenOptions options)
    : Layer(checked_base_options(options), "flatten"), options_(std::move(options)) {}

Config Flatten::get_config() const {
  return detail::ConfigWriter(label(), Layer::get_config())
      .value("data_format", options_.data_format)
      .take();
}

Flatten Flatten::from_config(const Config& config) {
  ConfigReader reader("Flatten config", config);
  FlattenOptions options;
  detail::read_base(reader, options);
  options.data_format = reader.parse("data_format", options.data_format, [](const Config& value) {
    if (value.is_null()) return std::string("channels_last");
    if (!value.is_string()) {
      throw std::invalid_argument(
          fmt::format("expected a string or null, got {}", describe_config_value(value)));
    }
    return value.get<std::string>();
  });
  reader.finish();
  return Flatten(std::move(options));
}

Tensor Flatten::operator()(const Tensor& inputs) {
  detail::check_float(label(), "inputs", inputs);
  if (inputs.dim() < 1) {
    throw std::invalid_argument(
        fmt::format("{}: argument 'inputs' must have rank >= 1, got shape {}", label(),
                    shape_str(inputs.shape())));
  }
  set_built();
  Tensor x = inputs.to(dtype());
  if (options_.data_format == "channels_first" && x.dim() >= 3) {
    // Keras transposes with permutation [0, 2, ..., k, 1]: the channels move last.
    x = stack(unstack(x, 1), x.dim() - 1);
  }
  const std::int64_t batch = x.size(0);
  return x.reshape({batch, batch == 0 ? 0 : x.numel() / batch});
}

LayerOutput Flatten::forward(const Tensor& inputs, const Tensor& mask, bool) {
  LayerOutput out;
  out.outputs.push_back((*this)(inputs));
  if (mask.defined() && !warned_mask_dropped_) {
    warn(
        fmt::format("{}: the input's mask is dropped (Flatten does not support masking); the "
                    "layers after it see no mask",
                    label()));
    warned_mask_dropped_ = true;
  }
  return out;
}

}  // namespace rnnkit::layers

#include "rnnkit/layers/dropout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>
#include <utility>

#include "checks.h"
#include "layer_config.h"
#include "rnnkit/layers/dropout_mask.h"

namespace rnnkit::layers {
namespace {

// Checked before the base class draws a default name, so a rejected layer consumes none.
LayerOptions checked_base_options(const DropoutOptions& options) {
  const std::string who =
      options.name.empty() ? "Dropout" : fmt::format("Dropout '{}'", options.name);
  detail::check_rate(who, "rate", options.rate);
  for (std::int64_t size : options.noise_shape) {
    if (size == 0 || size < -1) {
      throw std::invalid_argument(fmt::format(
          "{}: noise_shape entries must be positive or -1 (None, the input's size), got [{}]", who,
          fmt::join(options.noise_shape, ", ")));
    }
  }
  return {.name = options.name, .dtype = options.dtype, .trainable = options.trainable};
}

DropoutOptions with_rate(double rate, DropoutOptions options) {
  if (options.rate != 0.0 && options.rate != rate) {
    throw std::invalid_argument(fmt::format(
        "Dropout: rate given twice, as {} and as options.rate = {}", rate, options.rate));
  }
  options.rate = rate;
  return options;
}

}  // namespace

Dropout::Dropout(DropoutOptions options)
    : Layer(checked_base_options(options), "dropout"),
      options_(std::move(options)),
      generator_(resolve_seed(options_.seed)) {}

Dropout::Dropout(double rate, DropoutOptions options)
    : Dropout(with_rate(rate, std::move(options))) {}

Config Dropout::get_config() const {
  Config noise_shape = nullptr;
  if (!options_.noise_shape.empty()) {
    noise_shape = Config::array();
    for (std::int64_t size : options_.noise_shape)
      noise_shape.push_back(size < 0 ? Config(nullptr) : Config(size));
  }
  return detail::ConfigWriter(label(), Layer::get_config())
      .value("rate", options_.rate)
      .value("noise_shape", std::move(noise_shape))
      .value("seed", options_.seed ? Config(*options_.seed) : Config(nullptr))
      .take();
}

Dropout Dropout::from_config(const Config& config) {
  ConfigReader reader("Dropout config", config);
  DropoutOptions options;
  detail::read_base(reader, options);
  options.rate = reader.number("rate");
  options.noise_shape = reader.parse("noise_shape", options.noise_shape, [](const Config& value) {
    std::vector<std::int64_t> shape;
    if (value.is_null()) return shape;
    if (!value.is_array()) {
      throw std::invalid_argument(
          fmt::format("expected a list of sizes or null, got {}", describe_config_value(value)));
    }
    for (const Config& size : value) {
      if (!size.is_null() && !(size.is_number_integer() && size.get<std::int64_t>() > 0)) {
        throw std::invalid_argument(fmt::format("expected positive integers or null, got {}",
                                                describe_config_value(value)));
      }
      shape.push_back(size.is_null() ? -1 : size.get<std::int64_t>());
    }
    return shape;
  });
  options.seed = reader.seed("seed");
  reader.finish();
  return Dropout(std::move(options));
}

Shape Dropout::mask_shape(const Shape& input_shape) const {
  if (options_.noise_shape.empty()) return input_shape;
  const auto mismatch = [&] {
    return std::invalid_argument(fmt::format(
        "{}: noise_shape [{}] must have the input's rank and, at each axis, its size or 1 (or -1); "
        "input shape {}",
        label(), fmt::join(options_.noise_shape, ", "), shape_str(input_shape)));
  };
  if (options_.noise_shape.size() != input_shape.size()) throw mismatch();
  Shape shape;
  for (std::size_t axis = 0; axis < input_shape.size(); ++axis) {
    const std::int64_t size = options_.noise_shape[axis];
    if (size > 0 && size != 1 && size != input_shape[axis]) throw mismatch();
    shape.push_back(size < 0 ? input_shape[axis] : size);
  }
  return shape;
}

Tensor Dropout::operator()(const Tensor& inputs, bool training) {
  detail::check_float(label(), "inputs", inputs);
  if (inputs.dim() < 1) {
    throw std::invalid_argument(
        fmt::format("{}: argument 'inputs' must have rank >= 1, got shape {}", label(),
                    shape_str(inputs.shape())));
  }
  const Shape shape = mask_shape(inputs.shape());
  set_built();
  const Tensor x = inputs.to(dtype());
  if (!training || options_.rate == 0.0) return x;
  // Inverted dropout drawn as the RNN cells draw theirs; a noise_shape mask broadcasts.
  DropoutMaskCache masks(options_.rate);
  return mul(x, masks.get(shape, dtype(), true, 1, generator_).front());
}

LayerOutput Dropout::forward(const Tensor& inputs, const Tensor& mask, bool training) {
  LayerOutput out;
  out.outputs.push_back((*this)(inputs, training));
  out.mask = mask;
  return out;
}

}  // namespace rnnkit::layers

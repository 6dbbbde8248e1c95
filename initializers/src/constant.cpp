// The deterministic initializers: Zeros, Ones, Constant, Identity.

#include <fmt/format.h>
#include <rnnkit/framework/config_reader.h>

#include <algorithm>
#include <stdexcept>

#include "checks.h"
#include "rnnkit/initializers/initializers.h"

namespace rnnkit::initializers {

Tensor Zeros::operator()(const Shape& shape, DType dtype) const {
  detail::require_valid_shape("Zeros", shape);
  return Tensor::zeros(shape, dtype);
}

Tensor Ones::operator()(const Shape& shape, DType dtype) const {
  detail::require_valid_shape("Ones", shape);
  return Tensor::ones(shape, dtype);
}

Zeros Zeros::from_config(const Config& config) {
  ConfigReader reader("Zeros config", config);
  reader.drop("dtype");
  reader.finish();
  return Zeros();
}

Ones Ones::from_config(const Config& config) {
  ConfigReader reader("Ones config", config);
  reader.drop("dtype");
  reader.finish();
  return Ones();
}

Tensor Constant::operator()(const Shape& shape, DType dtype) const {
  detail::require_valid_shape("Constant", shape);
  return Tensor::full(shape, value_, dtype);
}

Config Constant::get_config() const { return {{"value", whole_as_integer(value_)}}; }

Constant Constant::from_config(const Config& config) {
  ConfigReader reader("Constant config", config);
  const double value = reader.number("value", 0.0);
  reader.drop("dtype");
  reader.finish();
  return Constant(value);
}

Identity::Identity(IdentityOptions options) : gain_(options.gain) {
  detail::require_finite("Identity", "gain", gain_);
}

Tensor Identity::operator()(const Shape& shape, DType dtype) const {
  if (shape.size() != 2) {
    throw std::invalid_argument(fmt::format("Identity: expected a 2-D shape, got {} (rank {})",
                                            shape_str(shape), shape.size()));
  }
  detail::require_valid_shape("Identity", shape);
  detail::require_floating("Identity", dtype);
  Tensor out = Tensor::zeros(shape, dtype);
  for (std::int64_t i = 0; i < std::min(shape[0], shape[1]); ++i) out.set({i, i}, gain_);
  return out;
}

Config Identity::get_config() const { return {{"gain", gain_}}; }

Identity Identity::from_config(const Config& config) {
  ConfigReader reader("Identity config", config);
  IdentityOptions options;
  options.gain = reader.number("gain", options.gain);
  reader.drop("dtype");
  reader.finish();
  return Identity(options);
}

}  // namespace rnnkit::initializers

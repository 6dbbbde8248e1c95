// compute_fans, VarianceScaling and its presets (Glorot, He, Lecun).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "checks.h"
#include "rnnkit/initializers/initializers.h"
#include "sampling.h"

namespace rnnkit::initializers {

Fans compute_fans(const Shape& shape) {
  switch (shape.size()) {
    case 0:
      return {.fan_in = 1, .fan_out = 1};
    case 1:
      return {.fan_in = shape[0], .fan_out = shape[0]};
    case 2:
      return {.fan_in = shape[0], .fan_out = shape[1]};
    default: {
      const std::int64_t receptive_field = numel(Shape(shape.begin(), shape.end() - 2));
      return {.fan_in = shape[shape.size() - 2] * receptive_field,
              .fan_out = shape.back() * receptive_field};
    }
  }
}

namespace {

// The standard deviation of a unit normal truncated to [-2, 2]: dividing by it makes the
// truncated draw's own standard deviation √s (spec §4).
constexpr double truncated_unit_stddev = 0.87962566103423978;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

VarianceScaling::VarianceScaling(VarianceScalingOptions options)
    : RandomInitializer(options.seed),
      scale_(options.scale),
      mode_(std::move(options.mode)),
      distribution_(lower(options.distribution)) {
  if (!(scale_ > 0) || !std::isfinite(scale_)) {
    throw std::invalid_argument(
        fmt::format("VarianceScaling: scale must be a positive finite number, got {}", scale_));
  }
  if (mode_ != "fan_in" && mode_ != "fan_out" && mode_ != "fan_avg") {
    throw std::invalid_argument(fmt::format(
        "VarianceScaling: mode must be one of fan_in, fan_out, fan_avg, got \"{}\"", mode_));
  }
  if (distribution_ == "normal") distribution_ = "truncated_normal";
  if (distribution_ != "truncated_normal" && distribution_ != "untruncated_normal" &&
      distribution_ != "uniform") {
    throw std::invalid_argument(fmt::format(
        "VarianceScaling: distribution must be one of truncated_normal, untruncated_normal, "
        "uniform (or normal, an alias of truncated_normal), got \"{}\"",
        options.distribution));
  }
}

Tensor VarianceScaling::operator()(const Shape& shape, DType dtype) const {
  const std::string name = class_name();
  detail::require_valid_shape(name, shape);
  detail::require_floating(name, dtype);
  const Fans fans = compute_fans(shape);
  const double n = mode_ == "fan_in"    ? static_cast<double>(fans.fan_in)
                   : mode_ == "fan_out" ? static_cast<double>(fans.fan_out)
                                        : static_cast<double>(fans.fan_in + fans.fan_out) / 2.0;
  const double s = scale_ / std::max(1.0, n);
  if (distribution_ == "truncated_normal") {
    const double stddev = std::sqrt(s) / truncated_unit_stddev;
    return Tensor::from_values(
        shape,
        draw(numel(shape),
             [stddev](Generator& g) { return stddev * detail::truncated_standard_normal(g); }),
        dtype);
  }
  if (distribution_ == "untruncated_normal") {
    const double stddev = std::sqrt(s);
    return Tensor::from_values(
        shape, draw(numel(shape), [stddev](Generator& g) { return stddev * g.normal(); }), dtype);
  }
  const double limit = std::sqrt(3.0 * s);
  const auto samples =
      draw(numel(shape), [limit](Generator& g) { return g.uniform(-limit, limit); });
  return detail::uniform_tensor(shape, samples, -limit, limit, dtype);
}

std::map<std::string, double> VarianceScaling::config() const {
  auto entries = RandomInitializer::config();
  entries["scale"] = scale_;
  return entries;
}

GlorotUniform::GlorotUniform(SeedOptions options)
    : VarianceScaling(
          {.scale = 1.0, .mode = "fan_avg", .distribution = "uniform", .seed = options.seed}) {}

GlorotNormal::GlorotNormal(SeedOptions options)
    : VarianceScaling({.scale = 1.0,
                       .mode = "fan_avg",
                       .distribution = "truncated_normal",
                       .seed = options.seed}) {}

HeUniform::HeUniform(SeedOptions options)
    : VarianceScaling(
          {.scale = 2.0, .mode = "fan_in", .distribution = "uniform", .seed = options.seed}) {}

HeNormal::HeNormal(SeedOptions options)
    : VarianceScaling({.scale = 2.0,
                       .mode = "fan_in",
                       .distribution = "truncated_normal",
                       .seed = options.seed}) {}

LecunUniform::LecunUniform(SeedOptions options)
    : VarianceScaling(
          {.scale = 1.0, .mode = "fan_in", .distribution = "uniform", .seed = options.seed}) {}

LecunNormal::LecunNormal(SeedOptions options)
    : VarianceScaling({.scale = 1.0,
                       .mode = "fan_in",
                       .distribution = "truncated_normal",
                       .seed = options.seed}) {}

}  // namespace rnnkit::initializers

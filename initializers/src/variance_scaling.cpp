// compute_fans, VarianceScaling and its presets (Glorot, He, Lecun).

#include <fmt/format.h>
#include <rnnkit/framework/config_reader.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

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

Config VarianceScaling::get_config() const {
  return {
      {"scale", scale_}, {"mode", mode_}, {"distribution", distribution_}, {"seed", seed_config()}};
}

VarianceScaling VarianceScaling::from_config(const Config& config) {
  ConfigReader reader("VarianceScaling config", config);
  VarianceScalingOptions options;
  options.scale = reader.number("scale", options.scale);
  options.mode = reader.string("mode", options.mode);
  options.distribution = reader.string("distribution", options.distribution);
  options.seed = reader.seed("seed");
  reader.drop("dtype");
  reader.finish();
  return VarianceScaling(options);
}

namespace {

// The presets' config is their seed alone.
template <class Preset>
Preset preset_from_config(std::string_view class_name, const Config& config) {
  ConfigReader reader(fmt::format("{} config", class_name), config);
  const SeedOptions options{.seed = reader.seed("seed")};
  reader.drop("dtype");
  reader.finish();
  return Preset(options);
}

}  // namespace

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

Config GlorotUniform::get_config() const { return {{"seed", seed_config()}}; }
GlorotUniform GlorotUniform::from_config(const Config& config) {
  return preset_from_config<GlorotUniform>("GlorotUniform", config);
}

Config GlorotNormal::get_config() const { return {{"seed", seed_config()}}; }
GlorotNormal GlorotNormal::from_config(const Config& config) {
  return preset_from_config<GlorotNormal>("GlorotNormal", config);
}

Config HeUniform::get_config() const { return {{"seed", seed_config()}}; }
HeUniform HeUniform::from_config(const Config& config) {
  return preset_from_config<HeUniform>("HeUniform", config);
}

Config HeNormal::get_config() const { return {{"seed", seed_config()}}; }
HeNormal HeNormal::from_config(const Config& config) {
  return preset_from_config<HeNormal>("HeNormal", config);
}

Config LecunUniform::get_config() const { return {{"seed", seed_config()}}; }
LecunUniform LecunUniform::from_config(const Config& config) {
  return preset_from_config<LecunUniform>("LecunUniform", config);
}

Config LecunNormal::get_config() const { return {{"seed", seed_config()}}; }
LecunNormal LecunNormal::from_config(const Config& config) {
  return preset_from_config<LecunNormal>("LecunNormal", config);
}

}  // namespace rnnkit::initializers

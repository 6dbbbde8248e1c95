// The random stream every random initializer owns, and RandomUniform, RandomNormal and
// TruncatedNormal.

#include <fmt/format.h>
#include <rnnkit/framework/config_reader.h>

#include <mutex>
#include <stdexcept>

#include "checks.h"
#include "rnnkit/initializers/initializers.h"
#include "sampling.h"

namespace rnnkit::initializers {

struct RandomInitializer::Stream {
  std::mutex mutex;
  std::optional<Generator> generator;
};

RandomInitializer::RandomInitializer(std::optional<std::uint64_t> seed)
    : seed_(seed), stream_(std::make_shared<Stream>()) {}

Config RandomInitializer::seed_config() const { return seed_ ? Config(*seed_) : Config(nullptr); }

std::vector<double> RandomInitializer::draw(std::int64_t count,
                                            const std::function<double(Generator&)>& sample) const {
  std::vector<double> values(static_cast<std::size_t>(count));
  std::lock_guard lock(stream_->mutex);
  // Seeding at the first call rather than at construction lets set_global_seed, called after
  // the options were written, still govern an unseeded initializer.
  if (!stream_->generator) stream_->generator.emplace(resolve_seed(seed_));
  for (double& value : values) value = sample(*stream_->generator);
  return values;
}

RandomUniform::RandomUniform(RandomUniformOptions options)
    : RandomInitializer(options.seed), minval_(options.minval), maxval_(options.maxval) {
  detail::require_finite("RandomUniform", "minval", minval_);
  detail::require_finite("RandomUniform", "maxval", maxval_);
  if (minval_ > maxval_) {
    throw std::invalid_argument(fmt::format(
        "RandomUniform: expected minval <= maxval, got minval={} maxval={}", minval_, maxval_));
  }
}

Tensor RandomUniform::operator()(const Shape& shape, DType dtype) const {
  detail::require_valid_shape("RandomUniform", shape);
  detail::require_floating("RandomUniform", dtype);
  const auto samples =
      draw(numel(shape), [this](Generator& g) { return g.uniform(minval_, maxval_); });
  return detail::uniform_tensor(shape, samples, minval_, maxval_, dtype);
}

Config RandomUniform::get_config() const {
  return {{"minval", minval_}, {"maxval", maxval_}, {"seed", seed_config()}};
}

RandomUniform RandomUniform::from_config(const Config& config) {
  ConfigReader reader("RandomUniform config", config);
  RandomUniformOptions options;
  options.minval = reader.number("minval", options.minval);
  options.maxval = reader.number("maxval", options.maxval);
  options.seed = reader.seed("seed");
  reader.drop("dtype");
  reader.finish();
  return RandomUniform(options);
}

namespace {

void check_normal_arguments(std::string_view initializer, double mean, double stddev) {
  detail::require_finite(initializer, "mean", mean);
  detail::require_finite(initializer, "stddev", stddev);
  if (stddev < 0) {
    throw std::invalid_argument(
        fmt::format("{}: stddev must be non-negative, got {}", initializer, stddev));
  }
}

}  // namespace

RandomNormal::RandomNormal(RandomNormalOptions options)
    : RandomInitializer(options.seed), mean_(options.mean), stddev_(options.stddev) {
  check_normal_arguments("RandomNormal", mean_, stddev_);
}

Tensor RandomNormal::operator()(const Shape& shape, DType dtype) const {
  detail::require_valid_shape("RandomNormal", shape);
  detail::require_floating("RandomNormal", dtype);
  const auto samples =
      draw(numel(shape), [this](Generator& g) { return mean_ + stddev_ * g.normal(); });
  return Tensor::from_values(shape, samples, dtype);
}

Config RandomNormal::get_config() const {
  return {{"mean", mean_}, {"stddev", stddev_}, {"seed", seed_config()}};
}

RandomNormal RandomNormal::from_config(const Config& config) {
  ConfigReader reader("RandomNormal config", config);
  RandomNormalOptions options;
  options.mean = reader.number("mean", options.mean);
  options.stddev = reader.number("stddev", options.stddev);
  options.seed = reader.seed("seed");
  reader.drop("dtype");
  reader.finish();
  return RandomNormal(options);
}

TruncatedNormal::TruncatedNormal(TruncatedNormalOptions options)
    : RandomInitializer(options.seed), mean_(options.mean), stddev_(options.stddev) {
  check_normal_arguments("TruncatedNormal", mean_, stddev_);
}

Tensor TruncatedNormal::operator()(const Shape& shape, DType dtype) const {
  detail::require_valid_shape("TruncatedNormal", shape);
  detail::require_floating("TruncatedNormal", dtype);
  const auto samples = draw(numel(shape), [this](Generator& g) {
    return mean_ + stddev_ * detail::truncated_standard_normal(g);
  });
  return Tensor::from_values(shape, samples, dtype);
}

Config TruncatedNormal::get_config() const {
  return {{"mean", mean_}, {"stddev", stddev_}, {"seed", seed_config()}};
}

TruncatedNormal TruncatedNormal::from_config(const Config& config) {
  ConfigReader reader("TruncatedNormal config", config);
  TruncatedNormalOptions options;
  options.mean = reader.number("mean", options.mean);
  options.stddev = reader.number("stddev", options.stddev);
  options.seed = reader.seed("seed");
  reader.drop("dtype");
  reader.finish();
  return TruncatedNormal(options);
}

}  // namespace rnnkit::initializers

#include "layer_config.h"

#include <fmt/format.h>
#include <rnnkit/initializers/serialization.h>

#include <stdexcept>

namespace rnnkit::layers::detail {

ConfigWriter::ConfigWriter(std::string label, Config config)
    : label_(std::move(label)), config_(std::move(config)) {}

template <class Serialize>
ConfigWriter& ConfigWriter::serialized(std::string_view key, Serialize&& serialize) {
  try {
    config_[std::string(key)] = serialize();
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(
        fmt::format("{}: get_config: key '{}': {}", label_, key, error.what()));
  }
  return *this;
}

ConfigWriter& ConfigWriter::value(std::string_view key, Config value) {
  config_[std::string(key)] = std::move(value);
  return *this;
}

ConfigWriter& ConfigWriter::activation(std::string_view key, const Activation& activation) {
  return serialized(key, [&] { return activations::serialize(activation); });
}

ConfigWriter& ConfigWriter::initializer(std::string_view key,
                                        const initializers::AnyInitializer& initializer) {
  return serialized(key, [&] { return initializers::serialize(initializer); });
}

ConfigWriter& ConfigWriter::regularizer(std::string_view key,
                                        const regularizers::AnyRegularizer& regularizer) {
  return serialized(key, [&] { return regularizers::serialize(regularizer); });
}

ConfigWriter& ConfigWriter::constraint(std::string_view key,
                                       const constraints::AnyConstraint& constraint) {
  return serialized(key, [&] { return constraints::serialize(constraint); });
}

DType read_dtype(ConfigReader& reader) {
  return reader.parse("dtype", DType::f32, [](const Config& value) {
    if (value.is_null()) return DType::f32;
    if (!value.is_string()) {
      throw std::invalid_argument(fmt::format(
          "expected \"float32\" or \"float64\" (rnnkit has no mixed-precision policies), got {}",
          value.dump()));
    }
    return parse_float_dtype(value.get<std::string>());
  });
}

initializers::AnyInitializer read_initializer(ConfigReader& reader, std::string_view key,
                                              initializers::AnyInitializer fallback) {
  return reader.parse(key, std::move(fallback), initializers::deserialize);
}

regularizers::AnyRegularizer read_regularizer(ConfigReader& reader, std::string_view key) {
  return reader.parse(key, regularizers::AnyRegularizer(), regularizers::deserialize);
}

constraints::AnyConstraint read_constraint(ConfigReader& reader, std::string_view key) {
  return reader.parse(key, constraints::AnyConstraint(), constraints::deserialize);
}

Activation read_activation(ConfigReader& reader, std::string_view key, Activation fallback) {
  return reader.parse(key, std::move(fallback), activations::deserialize);
}

}  // namespace rnnkit::layers::detail

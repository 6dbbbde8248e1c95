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

ConfigWriter& ConfigWriter::activation(std::string_view key, const rnnkit::Activation& activation) {
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
    if (value.is_string()) return parse_float_dtype(value.get<std::string>());
    // Keras 3 writes {"class_name": "DTypePolicy", "config": {"name": "float32"}}, tf.keras 2
    // {"class_name": "Policy", ...} (keras/src/dtype_policies/dtype_policy.py): a policy named
    // float32 or float64 is that plain dtype; mixed and quantized policies are refused by name.
    if (value.is_object() && value.contains("class_name") && value.contains("config")) {
      const KerasObject policy = read_keras_object("dtype policy", value);
      const Config* name = policy.config->contains("name") ? &(*policy.config)["name"] : nullptr;
      if ((policy.class_name == "DTypePolicy" || policy.class_name == "Policy") &&
          name != nullptr && name->is_string() && (*name == "float32" || *name == "float64")) {
        return parse_float_dtype(name->get<std::string>());
      }
      throw std::invalid_argument(fmt::format(
          "expected \"float32\", \"float64\" or a DTypePolicy of one of them (rnnkit has no "
          "mixed-precision or quantized policies), got the policy {} {}",
          policy.class_name, name != nullptr ? name->dump() : std::string("without a name")));
    }
    throw std::invalid_argument(
        fmt::format("expected \"float32\", \"float64\" or a DTypePolicy of one of them, got {}",
                    describe_config_value(value)));
  });
}

void read_quantization_config(ConfigReader& reader) {
  reader.parse("quantization_config", 0, [](const Config& value) {
    if (!value.is_null()) {
      throw std::invalid_argument(fmt::format(
          "must be null (rnnkit has no quantized layers), got {}", describe_config_value(value)));
    }
    return 0;
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

rnnkit::Activation read_activation(ConfigReader& reader, std::string_view key,
                                   rnnkit::Activation fallback) {
  return reader.parse(key, std::move(fallback), activations::deserialize);
}

}  // namespace rnnkit::layers::detail

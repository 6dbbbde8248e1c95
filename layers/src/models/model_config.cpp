// Sequential as data: get_config, to_json, from_config, model_from_json (spec §10).
#include <fmt/format.h>

#include <stdexcept>

#include "models/config_text.h"
#include "rnnkit/layers/serialization.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::models {
namespace {

constexpr const char* keras_version = "2.9.0";

Config input_layer_config(const Sequential& model, std::int64_t batch_size) {
  Config shape = Config::array();
  shape.push_back(batch_size > 0 ? Config(batch_size) : Config(nullptr));
  for (std::int64_t dim : model.input_shape())
    shape.push_back(dim < 0 ? Config(nullptr) : Config(dim));
  Config config = Config::object();
  config["batch_input_shape"] = std::move(shape);
  config["dtype"] = std::string(dtype_name(model.layer(0).dtype()));
  config["sparse"] = false;
  config["ragged"] = false;
  config["name"] = model.layer(0).name() + "_input";
  return Config{{"class_name", "InputLayer"}, {"config", std::move(config)}};
}

// The batch input shape [batch or null, dims...] of an InputLayer or first-layer config.
void read_batch_input_shape(const Config& shape, Shape& input_shape, std::int64_t& batch_size) {
  if (!shape.is_array() || shape.empty()) {
    throw std::invalid_argument(fmt::format(
        "Sequential.from_config: batch_input_shape must be a list [batch, dims...], got {}",
        shape.dump()));
  }
  if (!shape[0].is_null() && !(shape[0].is_number_integer() && shape[0].get<std::int64_t>() >= 0)) {
    throw std::invalid_argument(fmt::format(
        "Sequential.from_config: batch_input_shape's batch size must be a non-negative integer or "
        "null, got {}",
        shape.dump()));
  }
  batch_size = shape[0].is_null() ? 0 : shape[0].get<std::int64_t>();
  input_shape.clear();
  for (std::size_t i = 1; i < shape.size(); ++i) {
    if (!shape[i].is_null() &&
        !(shape[i].is_number_integer() && shape[i].get<std::int64_t>() > 0)) {
      throw std::invalid_argument(fmt::format(
          "Sequential.from_config: batch_input_shape sizes must be positive integers or null, "
          "got {}",
          shape.dump()));
    }
    input_shape.push_back(shape[i].is_null() ? -1 : shape[i].get<std::int64_t>());
  }
}

}  // namespace

Config Sequential::get_config() const {
  Config layers = Config::array();
  if (built_) layers.push_back(input_layer_config(*this, batch_size_));
  for (const auto& layer : layers_) layers.push_back(layers::serialize(*layer));
  Config config = Config::object();
  config["name"] = name_;
  config["layers"] = std::move(layers);
  return config;
}

std::string Sequential::to_json(int indent) const {
  const Config model{{"class_name", "Sequential"},
                     {"config", get_config()},
                     {"keras_version", keras_version},
                     {"backend", "tensorflow"}};
  return model.dump(indent);
}

Sequential Sequential::from_config(const Config& config) {
  if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array()) {
    throw std::invalid_argument(
        "Sequential.from_config: expected an object with a \"layers\" list");
  }
  try {
    return from_layer_configs(config);
  } catch (const Config::exception& error) {
    throw std::invalid_argument(
        fmt::format("Sequential.from_config: malformed config: {}", error.what()));
  }
}

Sequential Sequential::from_layer_configs(const Config& config) {
  if (config.contains("name") && !config["name"].is_string()) {
    throw std::invalid_argument(fmt::format(
        "Sequential.from_config: key 'name' must be a string, got {}", config["name"].dump()));
  }
  Sequential model(config.value("name", std::string()));
  Shape input_shape;
  std::int64_t batch_size = 0;
  bool has_input_shape = false;
  for (const Config& entry : config["layers"]) {
    if (entry.is_object() && entry.contains("class_name") && entry["class_name"] == "InputLayer") {
      read_batch_input_shape(entry.at("config").at("batch_input_shape"), input_shape, batch_size);
      has_input_shape = true;
      continue;
    }
    // Keras without an InputLayer: the first layer's config may carry the input shape, a
    // base-layer keyword the model consumes.
    Config layer = entry;
    if (layer.is_object() && layer.contains("config") && layer["config"].is_object() &&
        layer["config"].contains("batch_input_shape")) {
      if (!has_input_shape && model.size() == 0) {
        read_batch_input_shape(layer["config"]["batch_input_shape"], input_shape, batch_size);
        has_input_shape = true;
      }
      layer["config"].erase("batch_input_shape");
    }
    model.add(layers::deserialize(layer));
  }
  if (has_input_shape && model.size() > 0) model.build(input_shape, batch_size);
  return model;
}

Sequential model_from_json(std::string_view json) {
  Config parsed;
  try {
    parsed = detail::parse_config_text(json);
  } catch (const Config::exception& error) {
    throw std::invalid_argument(fmt::format("model_from_json: not valid JSON: {}", error.what()));
  }
  if (!parsed.is_object() || parsed.value("class_name", Config()) != "Sequential" ||
      !parsed.contains("config")) {
    throw std::invalid_argument(fmt::format(
        "model_from_json: expected {{\"class_name\": \"Sequential\", \"config\": ...}}, got a "
        "model of class {}",
        parsed.is_object() && parsed.contains("class_name") ? parsed["class_name"].dump()
                                                            : std::string("(none)")));
  }
  return Sequential::from_config(parsed["config"]);
}

}  // namespace rnnkit::models

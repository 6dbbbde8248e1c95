#include "models/keras_input_layer.h"

#include <fmt/format.h>
#include <rnnkit/framework/config_reader.h>

#include <stdexcept>

#include "layer_config.h"

namespace rnnkit::models::detail {
namespace {

void require_false(ConfigReader& reader, std::string_view key, std::string_view why) {
  if (reader.boolean(key, false))
    reader.fail(key, fmt::format("must be false ({}), got true", why));
}

}  // namespace

ModelInput read_batch_shape(std::string_view owner, std::string_view key, const Config& shape) {
  const auto bad = [&](std::string_view what) {
    return std::invalid_argument(
        fmt::format("{}: key '{}' {}, got {}", owner, key, what, describe_config_value(shape)));
  };
  if (!shape.is_array() || shape.empty()) throw bad("must be a list [batch, dims...]");
  if (!shape[0].is_null() && !(shape[0].is_number_integer() && shape[0].get<std::int64_t>() >= 0))
    throw bad("must start with a non-negative integer batch size or null");
  ModelInput input;
  input.batch_size = shape[0].is_null() ? 0 : shape[0].get<std::int64_t>();
  for (std::size_t i = 1; i < shape.size(); ++i) {
    if (!shape[i].is_null() && !(shape[i].is_number_integer() && shape[i].get<std::int64_t>() > 0))
      throw bad("must hold positive integer sizes or null after the batch size");
    input.shape.push_back(shape[i].is_null() ? -1 : shape[i].get<std::int64_t>());
  }
  return input;
}

ModelInput read_input_layer(const Config& config) {
  const std::string owner =
      config.is_object() && config.contains("name") && config["name"].is_string()
          ? fmt::format("InputLayer '{}' config", config["name"].get<std::string>())
          : std::string("InputLayer config");
  ConfigReader reader(owner, config);
  reader.string("name", {});
  const Config* keras2 = reader.find("batch_input_shape");
  const Config* keras3 = reader.find("batch_shape");
  if (keras2 != nullptr && keras3 != nullptr) {
    reader.fail("batch_shape", "cannot be given with 'batch_input_shape'");
  }
  if (keras2 == nullptr && keras3 == nullptr) {
    reader.fail("batch_shape",
                "(Keras 3) or 'batch_input_shape' (Keras 2) is required but both are missing");
  }
  const ModelInput input = keras3 != nullptr
                               ? read_batch_shape(owner, "batch_shape", *keras3)
                               : read_batch_shape(owner, "batch_input_shape", *keras2);
  // Integer inputs (of an Embedding model) are fed as rnnkit's int64 labels; any other dtype is
  // a layer dtype.
  const Config* dtype = reader.find("dtype");
  if (dtype == nullptr || !(*dtype == "int32" || *dtype == "int64")) {
    const Config dtype_only = dtype != nullptr ? Config{{"dtype", *dtype}} : Config::object();
    ConfigReader dtype_reader(owner, dtype_only);
    layers::detail::read_dtype(dtype_reader);
  }
  require_false(reader, "sparse", "rnnkit has no sparse tensors");
  require_false(reader, "ragged", "rnnkit has no ragged tensors");
  require_false(reader, "optional", "rnnkit has no optional inputs");
  reader.finish();
  return input;
}

}  // namespace rnnkit::models::detail

#pragma once

// Reading Keras's InputLayer config and a first layer's input-shape keys (spec §10).

#include <rnnkit/framework/config.h>
#include <rnnkit/framework/shape.h>

#include <cstdint>

namespace rnnkit::models::detail {

/// A model's input as an InputLayer gives it: the per-sample shape (-1 for None) and the batch
/// size (0 for None).
struct ModelInput {
  Shape shape;
  std::int64_t batch_size = 0;
};

/// The shape [batch or null, dims...] of `key` ("batch_input_shape", "batch_shape") in `owner`'s
/// config; std::invalid_argument naming both unless a list of null or positive integers (batch
/// >= 0).
ModelInput read_batch_shape(std::string_view owner, std::string_view key, const Config& shape);

/// The config of a Keras InputLayer: batch_input_shape (Keras 2) or batch_shape (Keras 3),
/// dtype (a float dtype or policy, or int32/int64), sparse and ragged (false only), optional (false
/// only), name (keras/src/layers/core/input_layer.py). Anything else, or a layer without either
/// shape key, throws std::invalid_argument naming the key.
ModelInput read_input_layer(const Config& config);

}  // namespace rnnkit::models::detail

#pragma once

#include <nlohmann/json.hpp>

namespace rnnkit {

/// A Keras configuration (get_config(), to_json()): a JSON value whose object keys keep the
/// order they were written in, so a serialized layer lists its keys in Keras's order.
using Config = nlohmann::ordered_json;

}  // namespace rnnkit

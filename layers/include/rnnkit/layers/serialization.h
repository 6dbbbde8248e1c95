#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/layers/layer.h>

#include <memory>
#include <string>
#include <vector>

/// Keras layers.serialize / deserialize (spec §10).
namespace rnnkit::layers {

/// {"class_name": layer.class_name(), "config": layer.get_config()}.
Config serialize(const Layer& layer);

/// A new, unbuilt layer from {"class_name", "config"}, dispatched on class_name to that class's
/// static from_config. Throws std::invalid_argument for an unknown class_name (listing
/// deserializable_class_names()), or, naming the class and the key, for a missing required key,
/// a value of the wrong type, or a key the class does not take (Keras passes a config to the
/// constructor as keyword arguments, which rejects unknown ones).
std::unique_ptr<Layer> deserialize(const Config& config);

/// The class names deserialize() knows, sorted.
std::vector<std::string> deserializable_class_names();

}  // namespace rnnkit::layers

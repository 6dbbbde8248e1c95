#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/initializers/initializer.h>

/// Keras initializers.serialize / deserialize (spec §10).
namespace rnnkit::initializers {

/// {"class_name": initializer.get().class_name(), "config": initializer.get().get_config()},
/// e.g. {"class_name": "GlorotUniform", "config": {"seed": null}}. Throws
/// std::invalid_argument for a user function.
Config serialize(const AnyInitializer& initializer);

/// The inverse of serialize(): {"class_name": ..., "config": {...}} with any name AnyInitializer
/// accepts as the class name ("GlorotUniform", "glorot_uniform", "GlorotUniformV2", ...), or a
/// plain name string for the defaults, as Keras accepts both. Throws std::invalid_argument for an
/// unknown name (listing the valid ones), a malformed config or an unknown key.
AnyInitializer deserialize(const Config& config);

}  // namespace rnnkit::initializers

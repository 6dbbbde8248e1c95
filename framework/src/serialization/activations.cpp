// activations::serialize / deserialize: an activation is written as its name (spec §10).

#include "rnnkit/framework/activations.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace rnnkit::activations {
namespace {

std::string valid_names() { return fmt::format("{}", fmt::join(Activation::names(), ", ")); }

}  // namespace

Config serialize(const Activation& activation) {
  if (!activation.is_builtin()) {
    throw std::invalid_argument(fmt::format(
        "activation '{}': only built-in activations can be serialized (a user function cannot "
        "be rebuilt from a name); expected one of: {}",
        activation.name(), valid_names()));
  }
  // Keras writes the function's name; silu is its swish function under another name.
  return activation.name() == "silu" ? "swish" : activation.name();
}

Activation deserialize(const Config& config) {
  if (config.is_null()) return Activation();
  if (!config.is_string()) {
    throw std::invalid_argument(fmt::format("activation: expected a name string, got {} {}",
                                            config.type_name(), config.dump()));
  }
  Activation activation(config.get<std::string>());
  if (!activation.is_known()) {
    throw std::invalid_argument(fmt::format("activation: unknown name \"{}\"; expected one of: {}",
                                            activation.name(), valid_names()));
  }
  return activation;
}

}  // namespace rnnkit::activations

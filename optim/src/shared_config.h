#pragma once

// Reading the keys every optimizer_v2 config shares (Keras OptimizerV2.from_config).

#include <rnnkit/framework/config_reader.h>

#include "rnnkit/optim/learning_rate.h"

namespace rnnkit::optim::detail {

/// The "learning_rate" key (a number or a serialized schedule), or Keras's legacy "lr", which
/// Keras renames to learning_rate, so it wins; `fallback` when both are absent.
LearningRate read_learning_rate(ConfigReader& reader, LearningRate fallback);

/// Reads name, clipnorm, clipvalue, global_clipnorm (null: unset), learning_rate and decay into
/// `options`, whose fields keep their defaults for absent keys.
template <class Options>
void read_shared(ConfigReader& reader, Options& options) {
  options.name = reader.string("name", options.name);
  options.clipnorm = reader.optional_number("clipnorm");
  options.clipvalue = reader.optional_number("clipvalue");
  options.global_clipnorm = reader.optional_number("global_clipnorm");
  options.learning_rate = read_learning_rate(reader, options.learning_rate);
  options.decay = reader.number("decay", options.decay);
}

}  // namespace rnnkit::optim::detail

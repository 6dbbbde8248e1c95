#pragma once

// What each fuzz target does with one input, shared with the regression suite
// (tests/fuzz_regressions_test.cpp) so that a saved crashing input is replayed exactly. Each
// function lets only the exceptions its API documents for bad input end quietly; anything else
// (another exception, a crash, a sanitizer report, a hang) is a bug.

#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/config.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/io.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/initializers/serialization.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/serialization.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz_support.h"

namespace fuzz {

/// io::load_archive of `bytes` as given (the header and checksum checks), then with a valid
/// checksum (everything the checksum would otherwise hide); std::runtime_error is documented.
inline void load_archive(std::string_view bytes) {
  static InputFile file;
  for (const std::string& variant : {std::string(bytes), with_valid_checksum(std::string(bytes))}) {
    try {
      rnnkit::io::load_archive(file.write(variant));
    } catch (const std::runtime_error&) {
    }
  }
}

/// The model of the corpus's load_weights seeds (tests/fuzz/make_corpus.cpp).
inline rnnkit::models::Sequential weights_model(bool compiled) {
  rnnkit::models::Sequential model(rnnkit::layers::SimpleRNN(4), rnnkit::layers::Dense(2));
  model.build({5, 3});
  if (compiled) model.compile({.optimizer = "adam", .loss = "mse"});
  return model;
}

/// Sequential::load_weights of `bytes` with a valid checksum into weights_model(), compiled (the
/// optimizer state loads at once) and not (it waits for compile()): std::runtime_error for a bad
/// file and std::invalid_argument for one that does not fit the model are documented.
inline void load_weights(std::string_view bytes) {
  static InputFile file;
  static rnnkit::models::Sequential compiled = weights_model(true);
  static rnnkit::models::Sequential uncompiled = weights_model(false);
  const std::filesystem::path& path = file.write(with_valid_checksum(std::string(bytes)));
  for (rnnkit::models::Sequential* model : {&compiled, &uncompiled}) {
    try {
      model->load_weights(path);
    } catch (const std::invalid_argument&) {
    } catch (const std::runtime_error&) {
    }
  }
}

/// models::load_model of `bytes` with a valid checksum, then to_json() of the model:
/// std::runtime_error for a bad file and std::invalid_argument for a config it cannot read are
/// documented. Files whose metadata declares an input shape beyond largest_declared_size are
/// skipped; every other declared size is checked against the file's weights.
inline void load_model(std::string_view bytes) {
  static InputFile file;
  const std::string fixed = with_valid_checksum(std::string(bytes));
  if (archive_declares_large_input_shape(fixed)) return;
  try {
    rnnkit::models::load_model(file.write(fixed)).to_json();
  } catch (const std::invalid_argument&) {
  } catch (const std::runtime_error&) {
  }
}

/// models::model_from_json of `json`, then to_json() of the model; std::invalid_argument is
/// documented. Configs declaring sizes beyond largest_declared_size are skipped.
inline void model_from_json(std::string_view json) {
  const rnnkit::Config parsed = rnnkit::Config::parse(json, nullptr, false);
  if (!parsed.is_discarded() && declares_large_size(parsed)) return;
  try {
    rnnkit::models::model_from_json(json).to_json();
  } catch (const std::invalid_argument&) {
  }
}

/// Every Keras-object deserialize (layers, optimizers, schedules, losses, initializers,
/// regularizers, constraints, activations) of the JSON value `json`, and serialize() of what
/// the layer and optimizer ones return; std::invalid_argument is documented. Text that is not
/// JSON is not theirs to see.
inline void deserialize(std::string_view json) {
  using rnnkit::Config;
  const Config config = Config::parse(json, nullptr, false);
  if (config.is_discarded()) return;
  const auto attempt = [&](auto&& deserialize) {
    try {
      deserialize(config);
    } catch (const std::invalid_argument&) {
    }
  };
  attempt([](const Config& c) { rnnkit::layers::serialize(*rnnkit::layers::deserialize(c)); });
  attempt([](const Config& c) { rnnkit::optim::serialize(*rnnkit::optim::deserialize(c)); });
  attempt([](const Config& c) { rnnkit::optim::deserialize_schedule(c); });
  attempt([](const Config& c) { rnnkit::losses::deserialize(c); });
  attempt([](const Config& c) { rnnkit::initializers::deserialize(c); });
  attempt([](const Config& c) { rnnkit::regularizers::deserialize(c); });
  attempt([](const Config& c) { rnnkit::constraints::deserialize(c); });
  attempt([](const Config& c) { rnnkit::activations::deserialize(c); });
}

}  // namespace fuzz

#pragma once

// Writing and reading the Keras configs of layers (get_config / from_config, spec §10).

#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/config_reader.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/dtype.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/initializers/initializer.h>

#include <string>
#include <string_view>

namespace rnnkit::layers::detail {

/// Appends entries to a layer's get_config() with Keras's encodings. A value that cannot be
/// serialized (a user function) throws std::invalid_argument "<label>: get_config: key '<key>':
/// <why>".
class ConfigWriter {
 public:
  /// `label` prefixes errors ("SimpleRNN 'simple_rnn'"); `config` holds the entries so far.
  ConfigWriter(std::string label, Config config);

  ConfigWriter& value(std::string_view key, Config value);
  ConfigWriter& activation(std::string_view key, const rnnkit::Activation& activation);
  ConfigWriter& initializer(std::string_view key, const initializers::AnyInitializer& initializer);
  ConfigWriter& regularizer(std::string_view key, const regularizers::AnyRegularizer& regularizer);
  ConfigWriter& constraint(std::string_view key, const constraints::AnyConstraint& constraint);
  Config take() { return std::move(config_); }

 private:
  template <class Serialize>
  ConfigWriter& serialized(std::string_view key, Serialize&& serialize);

  std::string label_;
  Config config_;
};

/// A layer's "dtype": "float32" or "float64", or a Keras DTypePolicy / Policy dict naming one of
/// them; null is Keras's default, float32. Keras's mixed-precision and quantized policies throw,
/// naming the policy.
DType read_dtype(ConfigReader& reader);
/// Keras 3.13+'s "quantization_config" of Dense and Embedding: null is accepted and dropped, any
/// other value throws.
void read_quantization_config(ConfigReader& reader);
initializers::AnyInitializer read_initializer(ConfigReader& reader, std::string_view key,
                                              initializers::AnyInitializer fallback);
regularizers::AnyRegularizer read_regularizer(ConfigReader& reader, std::string_view key);
constraints::AnyConstraint read_constraint(ConfigReader& reader, std::string_view key);
rnnkit::Activation read_activation(ConfigReader& reader, std::string_view key,
                                   rnnkit::Activation fallback);

/// The base-layer keys, name, trainable and dtype, into options with those fields; Keras's
/// legacy "implementation" key is accepted and dropped, as every Keras layer does.
template <class Options>
void read_base(ConfigReader& reader, Options& options) {
  options.name = reader.string("name", options.name);
  options.trainable = reader.boolean("trainable", options.trainable);
  options.dtype = read_dtype(reader);
  reader.drop("implementation");
}

/// RNN's own keys, return_sequences ... zero_output_for_mask, into RNNOptions or
/// SimpleRNNOptions.
template <class Options>
void read_rnn_flags(ConfigReader& reader, Options& options) {
  options.return_sequences = reader.boolean("return_sequences", options.return_sequences);
  options.return_state = reader.boolean("return_state", options.return_state);
  options.go_backwards = reader.boolean("go_backwards", options.go_backwards);
  options.stateful = reader.boolean("stateful", options.stateful);
  options.unroll = reader.boolean("unroll", options.unroll);
  options.time_major = reader.boolean("time_major", options.time_major);
  options.zero_output_for_mask =
      reader.boolean("zero_output_for_mask", options.zero_output_for_mask);
}

}  // namespace rnnkit::layers::detail

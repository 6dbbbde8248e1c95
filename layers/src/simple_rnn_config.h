#pragma once

// The SimpleRNNCell arguments in Keras configs, shared by SimpleRNNCell and SimpleRNN (spec §10).

#include "layer_config.h"
#include "rnnkit/layers/simple_rnn_cell.h"

namespace rnnkit::layers::detail {

/// units ... recurrent_dropout as Keras writes them, then "seed" when one was given (an rnnkit
/// addition: Keras 2.9 cells take no seed). `activity_regularizer`, when given, goes between
/// bias_regularizer and kernel_constraint, where SimpleRNN's config has it.
void write_cell_arguments(ConfigWriter& writer, const SimpleRNNCell& cell,
                          const regularizers::AnyRegularizer* activity_regularizer);

/// The keys of write_cell_arguments() into SimpleRNNCellOptions or SimpleRNNOptions (units is
/// required). Keras's "enable_caching_device", a device-placement knob with no effect on the
/// numbers, is accepted and dropped.
template <class Options>
void read_cell_arguments(ConfigReader& reader, Options& options) {
  options.units = reader.integer("units");
  options.activation = read_activation(reader, "activation", options.activation);
  options.use_bias = reader.boolean("use_bias", options.use_bias);
  options.kernel_initializer =
      read_initializer(reader, "kernel_initializer", options.kernel_initializer);
  options.recurrent_initializer =
      read_initializer(reader, "recurrent_initializer", options.recurrent_initializer);
  options.bias_initializer = read_initializer(reader, "bias_initializer", options.bias_initializer);
  options.kernel_regularizer = read_regularizer(reader, "kernel_regularizer");
  options.recurrent_regularizer = read_regularizer(reader, "recurrent_regularizer");
  options.bias_regularizer = read_regularizer(reader, "bias_regularizer");
  options.kernel_constraint = read_constraint(reader, "kernel_constraint");
  options.recurrent_constraint = read_constraint(reader, "recurrent_constraint");
  options.bias_constraint = read_constraint(reader, "bias_constraint");
  options.dropout = reader.number("dropout", options.dropout);
  options.recurrent_dropout = reader.number("recurrent_dropout", options.recurrent_dropout);
  options.seed = reader.seed("seed");
  reader.drop("enable_caching_device");
}

}  // namespace rnnkit::layers::detail

#include "rnnkit/layers/simple_rnn.h"

#include <fmt/format.h>

#include <stdexcept>

#include "checks.h"
#include "simple_rnn_config.h"

namespace rnnkit::layers {
namespace {

// Checked here, before the cell exists, so the messages name SimpleRNN and no default name is
// drawn for a rejected layer.
std::unique_ptr<AbstractRNNCell> make_cell(const SimpleRNNOptions& options) {
  const std::string who =
      options.name.empty() ? "SimpleRNN" : fmt::format("SimpleRNN '{}'", options.name);
  detail::check_positive(who, "units", options.units);
  options.activation.check(who);
  detail::check_rate(who, "dropout", options.dropout);
  detail::check_rate(who, "recurrent_dropout", options.recurrent_dropout);
  if (!is_floating(options.dtype)) {
    throw std::invalid_argument(fmt::format("{}: dtype must be float32 or float64, got {}", who,
                                            dtype_name(options.dtype)));
  }
  return std::make_unique<SimpleRNNCell>(SimpleRNNCellOptions{
      .units = options.units,
      .activation = options.activation,
      .use_bias = options.use_bias,
      .kernel_initializer = options.kernel_initializer,
      .recurrent_initializer = options.recurrent_initializer,
      .bias_initializer = options.bias_initializer,
      .kernel_regularizer = options.kernel_regularizer,
      .recurrent_regularizer = options.recurrent_regularizer,
      .bias_regularizer = options.bias_regularizer,
      .kernel_constraint = options.kernel_constraint,
      .recurrent_constraint = options.recurrent_constraint,
      .bias_constraint = options.bias_constraint,
      .dropout = options.dropout,
      .recurrent_dropout = options.recurrent_dropout,
      .seed = options.seed,
      .name = {},
      .dtype = options.dtype,
      .trainable = options.trainable,
  });
}

RNNOptions rnn_options(const SimpleRNNOptions& options) {
  return {.return_sequences = options.return_sequences,
          .return_state = options.return_state,
          .go_backwards = options.go_backwards,
          .stateful = options.stateful,
          .unroll = options.unroll,
          .time_major = options.time_major,
          .zero_output_for_mask = options.zero_output_for_mask,
          .activity_regularizer = options.activity_regularizer,
          .name = options.name,
          .trainable = options.trainable};
}

}  // namespace

SimpleRNN::SimpleRNN(SimpleRNNOptions options)
    : RNN(make_cell(options), rnn_options(options), "simple_rnn") {}

SimpleRNN::SimpleRNN(std::int64_t units, SimpleRNNOptions options)
    : SimpleRNN(detail::with_units("SimpleRNN", units, std::move(options))) {}

Config SimpleRNN::get_config() const {
  detail::ConfigWriter writer(label(), rnn_config());
  detail::write_cell_arguments(writer, cell(), &activity_regularizer());
  return writer.take();
}

SimpleRNN SimpleRNN::from_config(const Config& config) {
  ConfigReader reader("SimpleRNN config", config);
  SimpleRNNOptions options;
  detail::read_base(reader, options);
  detail::read_rnn_flags(reader, options);
  detail::read_cell_arguments(reader, options);
  options.activity_regularizer = detail::read_regularizer(reader, "activity_regularizer");
  reader.finish();
  return SimpleRNN(std::move(options));
}

}  // namespace rnnkit::layers

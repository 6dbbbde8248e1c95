#include "rnnkit/layers/simple_rnn_cell.h"

#include <fmt/format.h>
#include <rnnkit/framework/fused_rnn.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/stepped_rnn.h>

#include <stdexcept>

#include "checks.h"
#include "right_padding.h"
#include "simple_rnn_config.h"

namespace rnnkit::layers {
namespace {

// Checked before the base class draws a default name, so a rejected cell consumes none.
LayerOptions checked_base_options(const SimpleRNNCellOptions& options) {
  const std::string who =
      options.name.empty() ? "SimpleRNNCell" : fmt::format("SimpleRNNCell '{}'", options.name);
  detail::check_positive(who, "units", options.units);
  options.activation.check(who);
  detail::check_rate(who, "dropout", options.dropout);
  detail::check_rate(who, "recurrent_dropout", options.recurrent_dropout);
  return {.name = options.name, .dtype = options.dtype, .trainable = options.trainable};
}

}  // namespace

SimpleRNNCell::SimpleRNNCell(SimpleRNNCellOptions options)
    : AbstractRNNCell(checked_base_options(options), "simple_rnn_cell"),
      options_(std::move(options)),
      generator_(resolve_seed(options_.seed)),
      dropout_mask_(options_.dropout),
      recurrent_dropout_mask_(options_.recurrent_dropout) {}

SimpleRNNCell::SimpleRNNCell(std::int64_t units, SimpleRNNCellOptions options)
    : SimpleRNNCell(detail::with_units("SimpleRNNCell", units, std::move(options))) {}

Config SimpleRNNCell::get_config() const {
  detail::ConfigWriter writer(label(), Layer::get_config());
  detail::write_cell_arguments(writer, *this, nullptr);
  return writer.take();
}

SimpleRNNCell SimpleRNNCell::from_config(const Config& config) {
  ConfigReader reader("SimpleRNNCell config", config);
  SimpleRNNCellOptions options;
  detail::read_base(reader, options);
  detail::read_cell_arguments(reader, options);
  reader.finish();
  return SimpleRNNCell(std::move(options));
}

void SimpleRNNCell::build(const Shape& input_shape) {
  if (input_shape.size() != 2 || input_shape[1] < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: build expects a per-step input shape [batch, features] with features >= 1, got {}",
        label(), shape_str(input_shape)));
  }
  const std::int64_t units = options_.units;
  kernel_ = add_weight("kernel", {input_shape[1], units}, options_.kernel_initializer,
                       options_.kernel_regularizer, options_.kernel_constraint);
  recurrent_kernel_ = add_weight("recurrent_kernel", {units, units}, options_.recurrent_initializer,
                                 options_.recurrent_regularizer, options_.recurrent_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {units}, options_.bias_initializer, options_.bias_regularizer,
                       options_.bias_constraint);
  }
}

CellOutput SimpleRNNCell::call(const Tensor& inputs, const std::vector<Tensor>& states,
                               bool training) {
  if (!built()) {
    throw std::logic_error(fmt::format(
        "{}: call() before the weights exist; call the cell as cell(inputs, states) instead",
        label()));
  }
  const std::int64_t features = kernel_.value().size(0);
  if (inputs.dim() != 2 || inputs.size(1) != features) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' is incompatible with the cell: expected shape=[None, {}], found "
        "shape={}",
        label(), features, shape_str(inputs.shape())));
  }
  detail::check_states(label(), "states", states, inputs.size(0), state_size());
  return step(prepare_inputs(inputs, training), states, training);
}

std::vector<Tensor> SimpleRNNCell::get_dropout_mask_for_cell(const Tensor& inputs, bool training,
                                                             int count) {
  detail::check_float(label(), "inputs", inputs);
  return dropout_mask_.get(inputs.shape(), dtype(), training, count, generator_);
}

std::vector<Tensor> SimpleRNNCell::get_recurrent_dropout_mask_for_cell(const Tensor& inputs,
                                                                       bool training, int count) {
  detail::check_float(label(), "inputs", inputs);
  return recurrent_dropout_mask_.get(inputs.shape(), dtype(), training, count, generator_);
}

void SimpleRNNCell::reset_dropout_mask() { dropout_mask_.reset(); }
void SimpleRNNCell::reset_recurrent_dropout_mask() { recurrent_dropout_mask_.reset(); }

void SimpleRNNCell::reset_dropout_masks() {
  reset_dropout_mask();
  reset_recurrent_dropout_mask();
}

Tensor SimpleRNNCell::apply_input_dropout(const Tensor& inputs, bool training) {
  if (options_.dropout == 0.0) return inputs;
  const std::int64_t batch = inputs.size(0), features = inputs.size(-1);
  const auto& masks = dropout_mask_.get({batch, features}, dtype(), training, 1, generator_);
  if (dropout_mask_.is_identity()) return inputs;
  // One mask per sequence, the same at every timestep (spec §1.4).
  return inputs.dim() == 3 ? mul(inputs, masks[0].reshape({batch, 1, features}))
                           : mul(inputs, masks[0]);
}

Tensor SimpleRNNCell::prepare_inputs(const Tensor& inputs, bool training) {
  const Tensor projected = matmul(apply_input_dropout(inputs, training), kernel_.value());
  return options_.use_bias ? add(projected, bias_.value()) : projected;
}

CellOutput SimpleRNNCell::step(const Tensor& prepared, const std::vector<Tensor>& states,
                               bool training) {
  Tensor previous = states[0];
  if (options_.recurrent_dropout > 0.0) {
    const auto& masks = recurrent_dropout_mask_.get({previous.size(0), options_.units}, dtype(),
                                                    training, 1, generator_);
    if (!recurrent_dropout_mask_.is_identity()) previous = mul(previous, masks[0]);
  }
  Tensor output = options_.activation(add(prepared, matmul(previous, recurrent_kernel_.value())));
  return {output, {output}};
}

std::optional<SequenceOutput> SimpleRNNCell::call_sequence(
    const Tensor& inputs, const Tensor& mask, const std::vector<Tensor>& initial_states,
    const SequenceOptions& options) {
  if (!options_.activation.is_builtin() || inputs.size(0) < 1 || inputs.size(1) < 1) {
    return std::nullopt;
  }
  const std::string& activation = options_.activation.name();
  const bool recurrent_dropout_on = options_.recurrent_dropout > 0.0 && options.training;
  if (fused_rnn_supports(activation, dtype()) && !recurrent_dropout_on) {
    if (!mask.defined()) return run_fused(inputs, initial_states[0], options, nullptr);
    if (const auto padding = detail::right_padding(mask, options.go_backwards)) {
      return run_fused(inputs, initial_states[0], options, &*padding);
    }
  }
  if (!stepped_rnn_supports(activation, dtype())) return std::nullopt;
  return run_stepped(inputs, mask, initial_states[0], options);
}

SequenceOutput SimpleRNNCell::run_fused(const Tensor& inputs, const Tensor& initial_state,
                                        const SequenceOptions& options,
                                        const detail::RightPadding* padding) {
  const bool padded = padding && padding->any_padding;
  Tensor sequence = apply_input_dropout(inputs, options.training);
  if (options_.recurrent_dropout > 0.0) {
    // Inference: Keras still caches the (all-ones) recurrent mask; keep the same cache state.
    recurrent_dropout_mask_.get({inputs.size(0), options_.units}, dtype(), options.training, 1,
                                generator_);
  }
  if (options.go_backwards) sequence = reverse(sequence, 1);
  const FusedRnnOutputs fused =
      fused_simple_rnn(sequence, initial_state, kernel_.value(), recurrent_kernel_.value(),
                       options_.use_bias ? bias_.value() : Tensor(), options_.activation.name(),
                       options.return_sequences || padded);
  if (padded) return detail::apply_right_padding(fused.sequence, *padding, options);
  return SequenceOutput{
      .sequence = fused.sequence, .last_output = fused.last_state, .states = {fused.last_state}};
}

SequenceOutput SimpleRNNCell::run_stepped(const Tensor& inputs, const Tensor& mask,
                                          const Tensor& initial_state,
                                          const SequenceOptions& options) {
  // The same draws in the same order as the step loop: input mask, then recurrent mask.
  const Tensor projected = prepare_inputs(inputs, options.training);
  Tensor recurrent_mask;
  if (options_.recurrent_dropout > 0.0) {
    const auto& masks = recurrent_dropout_mask_.get({inputs.size(0), options_.units}, dtype(),
                                                    options.training, 1, generator_);
    if (!recurrent_dropout_mask_.is_identity()) recurrent_mask = masks[0];
  }
  const SteppedRnnOutputs stepped = stepped_simple_rnn(
      projected, initial_state, recurrent_kernel_.value(), options_.activation.name(),
      {.mask = mask,
       .recurrent_mask = recurrent_mask,
       .go_backwards = options.go_backwards,
       .zero_output_for_mask = options.zero_output_for_mask,
       .with_sequence = options.return_sequences});
  return SequenceOutput{.sequence = stepped.sequence,
                        .last_output = stepped.last_output,
                        .states = {stepped.last_state}};
}

}  // namespace rnnkit::layers

#include "rnnkit/layers/rnn.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <algorithm>
#include <stdexcept>

#include "checks.h"
#include "layer_config.h"
#include "rnn_loop.h"
#include "rnnkit/layers/serialization.h"

namespace rnnkit::layers {
namespace {

LayerOptions base_options(const std::unique_ptr<AbstractRNNCell>& cell, const RNNOptions& options) {
  if (!cell) throw std::invalid_argument("RNN: argument 'cell' must be a cell, got null");
  return {.name = options.name, .dtype = cell->dtype(), .trainable = options.trainable};
}

bool any_nonzero(const std::vector<Tensor>& tensors) {
  return std::any_of(tensors.begin(), tensors.end(), [](const Tensor& tensor) {
    const std::vector<double> values = tensor.to_vector();
    return std::any_of(values.begin(), values.end(), [](double v) { return v != 0.0; });
  });
}

}  // namespace

Tensor RNNOutput::state(std::size_t index) const {
  if (index >= states.size()) {
    throw std::logic_error(fmt::format(
        "RNN result: asked for state {} but the call returned {} states (return_state is {})",
        index, states.size(), states.empty() ? "false" : "true"));
  }
  return states[index];
}

RNNOutput::operator Tensor() const {
  if (!states.empty()) {
    throw std::logic_error(
        "RNN result: return_state is true, so the call returns [output, state]; unpack it with "
        "`auto [output, state] = layer(x)` or read `.output`");
  }
  return output;
}

// The sizes of an input shape; -1 (unknown) only in a shape given to build.
struct RNN::InputDims {
  std::int64_t batch = 0;
  std::int64_t time = 0;
  std::int64_t features = 0;
};

// Validated and normalised call arguments: batch-major, in the layer's dtype, bool mask.
struct RNN::PreparedCall {
  Tensor inputs;
  Tensor mask;
  std::vector<Tensor> initial_state;
  std::int64_t batch = 0;
  std::int64_t features = 0;
  bool training = false;
};

RNN::RNN(std::unique_ptr<AbstractRNNCell> cell, RNNOptions options)
    : RNN(std::move(cell), std::move(options), "rnn") {}

RNN::RNN(std::unique_ptr<AbstractRNNCell> cell, RNNOptions options, std::string_view default_name)
    : Layer(base_options(cell, options), default_name),
      cell_(std::move(cell)),
      options_(std::move(options)) {
  adopt(*cell_);
}

bool RNN::built() const { return Layer::built() && cell_->built(); }

Config RNN::rnn_config() const {
  Config config = Layer::get_config();
  config["return_sequences"] = options_.return_sequences;
  config["return_state"] = options_.return_state;
  config["go_backwards"] = options_.go_backwards;
  config["stateful"] = options_.stateful;
  config["unroll"] = options_.unroll;
  config["time_major"] = options_.time_major;
  if (options_.zero_output_for_mask) config["zero_output_for_mask"] = true;
  return config;
}

Config RNN::get_config() const {
  detail::ConfigWriter writer(label(), rnn_config());
  if (options_.activity_regularizer) {
    writer.regularizer("activity_regularizer", options_.activity_regularizer);
  }
  return writer.value("cell", serialize(*cell_)).take();
}

RNN RNN::from_config(const Config& config) {
  ConfigReader reader("RNN config", config);
  RNNOptions options;
  options.name = reader.string("name", options.name);
  options.trainable = reader.boolean("trainable", options.trainable);
  const bool dtype_given = reader.contains("dtype");
  const DType dtype = detail::read_dtype(reader);
  detail::read_rnn_flags(reader, options);
  const std::int64_t num_constants = reader.integer("num_constants", 0);
  if (num_constants != 0) {
    reader.fail(
        "num_constants",
        fmt::format("must be 0 (rnnkit RNN layers take no constants), got {}", num_constants));
  }
  options.activity_regularizer = detail::read_regularizer(reader, "activity_regularizer");
  std::unique_ptr<AbstractRNNCell> cell = reader.parse("cell", [](const Config& value) {
    std::unique_ptr<Layer> layer = deserialize(value);
    auto* rnn_cell = dynamic_cast<AbstractRNNCell*>(layer.get());
    if (rnn_cell == nullptr) {
      throw std::invalid_argument(
          fmt::format("expected an RNN cell, got a {} layer", layer->class_name()));
    }
    layer.release();
    return std::unique_ptr<AbstractRNNCell>(rnn_cell);
  });
  reader.drop("implementation");
  reader.finish();
  if (dtype_given && cell->dtype() != dtype) {
    reader.fail("dtype", fmt::format("must be the cell's dtype {} (an rnnkit RNN runs in its "
                                     "cell's dtype), got {}",
                                     dtype_name(cell->dtype()), dtype_name(dtype)));
  }
  return RNN(std::move(cell), std::move(options));
}

RNN::InputDims RNN::checked_input_dims(const Shape& shape, bool for_build) const {
  const std::string who = label();
  if (shape.size() != 3) {
    throw std::invalid_argument(fmt::format(
        "{}: input 0 is incompatible with the layer: expected ndim=3, found ndim={}. Full shape "
        "received: {}",
        who, shape.size(), shape_str(shape)));
  }
  const bool time_major = options_.time_major;
  const std::string_view axes =
      time_major ? "[timesteps, batch, features]" : "[batch, timesteps, features]";
  const InputDims dims{
      .batch = shape[time_major ? 1 : 0], .time = shape[time_major ? 0 : 1], .features = shape[2]};
  if (for_build) {
    // Keras's build takes None (-1) for the batch and the timesteps, as Sequential::build does.
    const auto known_or_none = [](std::int64_t size) { return size >= 1 || size == -1; };
    if (!known_or_none(dims.batch) || !known_or_none(dims.time) || dims.features < 1) {
      throw std::invalid_argument(fmt::format(
          "{}: build: input_shape must be {} with sizes >= 1, or -1 (None) for the batch and the "
          "timesteps; the features must be known, got {}",
          who, axes, shape_str(shape)));
    }
    if (options_.stateful && dims.batch == -1) {
      throw std::invalid_argument(fmt::format(
          "{}: build: a stateful RNN needs to know its batch size, so input_shape must give it "
          "(Keras's batch_input_shape), got {}",
          who, shape_str(shape)));
    }
  } else if (dims.time < 1 || dims.batch < 1 || dims.features < 1) {
    throw std::invalid_argument(
        fmt::format("{}: inputs must have at least one timestep, sample and feature ({}), got "
                    "shape {}",
                    who, axes, shape_str(shape)));
  }
  if (Layer::built() &&
      (dims.features != input_features_ || (options_.stateful && dims.batch != batch_size_))) {
    const std::string batch = options_.stateful ? std::to_string(batch_size_) : "None";
    throw std::invalid_argument(fmt::format(
        "{}: input 0 is incompatible with the layer: expected shape=[{}, {}, {}], found shape={}",
        who, time_major ? "None" : batch, time_major ? batch : "None", input_features_,
        shape_str(shape)));
  }
  return dims;
}

RNN::PreparedCall RNN::prepare_call(const Tensor& inputs, const RNNCallOptions& options) const {
  const std::string who = label();
  detail::check_float(who, "inputs", inputs);
  const InputDims dims = checked_input_dims(inputs.shape(), false);
  const bool time_major = options_.time_major;
  const std::int64_t time = dims.time;
  PreparedCall call;
  call.batch = dims.batch;
  call.features = dims.features;
  call.training = options.training;
  if (options.mask.defined()) {
    const Shape expected = time_major ? Shape{time, call.batch} : Shape{call.batch, time};
    if (options.mask.shape() != expected) {
      throw std::invalid_argument(
          fmt::format("{}: argument 'mask' must have shape {} ({}), got {}", who,
                      shape_str(expected), time_major ? "[timesteps, batch]" : "[batch, timesteps]",
                      shape_str(options.mask.shape())));
    }
    const Tensor& mask = options.mask;
    call.mask = mask.dtype() == DType::boolean ? mask : not_equal(mask.detach(), 0.0);
    if (time_major) call.mask = transpose(call.mask);
  }
  if (!options.initial_state.empty()) {
    detail::check_states(who, "initial_state", options.initial_state, call.batch,
                         cell_->state_size());
    for (const Tensor& state : options.initial_state) {
      call.initial_state.push_back(state.to(dtype()));
    }
  }
  call.inputs = inputs.to(dtype());
  if (time_major) call.inputs = detail::swap_leading_axes(call.inputs);
  return call;
}

void RNN::build(const Shape& input_shape) {
  const InputDims dims = checked_input_dims(input_shape, true);
  if (!built()) build_for(dims.batch, dims.features);
}

void RNN::build_for(std::int64_t batch, std::int64_t features) {
  cell_->maybe_build({batch, features});
  input_features_ = features;
  if (options_.stateful) {
    batch_size_ = batch;
    kept_states_ = cell_initial_state(batch_size_);
  }
  set_built();
}

std::vector<Tensor> RNN::initial_states(const PreparedCall& call) const {
  if (options_.stateful) {
    // Keras keeps the carried state over a given initial_state unless the carried one is all
    // zeros (fresh or just reset), spec §2.7.
    if (call.initial_state.empty() || any_nonzero(kept_states_)) return kept_states_;
    return call.initial_state;
  }
  if (!call.initial_state.empty()) return call.initial_state;
  return cell_initial_state(call.batch);
}

std::vector<Tensor> RNN::cell_initial_state(std::int64_t batch) const {
  std::vector<Tensor> states = cell_->get_initial_state(batch, dtype());
  detail::check_cell_states(label(), *cell_, "from get_initial_state", states, batch, dtype());
  return states;
}

void RNN::check_sequence_output(const SequenceOutput& run, const PreparedCall& call) const {
  const std::string who = label();
  const std::string_view at = "from call_sequence";
  const std::int64_t units = cell_->output_size();
  detail::check_cell_output(who, *cell_, at, run.last_output, {call.batch, units}, dtype());
  if (options_.return_sequences) {
    detail::check_cell_output(who, *cell_, at, run.sequence,
                              {call.batch, call.inputs.size(1), units}, dtype());
  }
  detail::check_cell_states(who, *cell_, at, run.states, call.batch, dtype());
}

RNNOutput RNN::operator()(const Tensor& inputs, const RNNCallOptions& options) {
  const PreparedCall call = prepare_call(inputs, options);
  if (!built()) build_for(call.batch, call.features);
  cell_->reset_dropout_masks();
  const std::vector<Tensor> initial = initial_states(call);

  const SequenceOptions sequence_options{.go_backwards = options_.go_backwards,
                                         .zero_output_for_mask = options_.zero_output_for_mask,
                                         .return_sequences = options_.return_sequences,
                                         .training = call.training};
  std::optional<SequenceOutput> run;
  if (!options_.unroll) {
    run = cell_->call_sequence(call.inputs, call.mask, initial, sequence_options);
    if (run) check_sequence_output(*run, call);
  }
  if (!run) {
    run = detail::run_steps(label(), *cell_, call.inputs, call.mask, initial, sequence_options);
  }

  RNNOutput result;
  if (!options_.return_sequences) {
    result.output = run->last_output;
  } else {
    result.output = options_.time_major ? detail::swap_leading_axes(run->sequence) : run->sequence;
  }
  if (options_.return_state) result.states = run->states;
  if (options_.stateful) {
    // The next call starts from these values as constants: no gradient flows across calls.
    std::vector<Tensor> kept;
    for (const Tensor& state : run->states) kept.push_back(state.detach().clone());
    kept_states_ = std::move(kept);
  }
  set_call_losses(activity_losses(result));
  return result;
}

std::vector<Tensor> RNN::activity_losses(const RNNOutput& result) const {
  std::vector<Tensor> losses;
  if (!options_.activity_regularizer) return losses;
  // One term per returned tensor (spec §5).
  losses.push_back(activity_loss(options_.activity_regularizer, result.output));
  for (const Tensor& state : result.states) {
    losses.push_back(activity_loss(options_.activity_regularizer, state));
  }
  return losses;
}

LayerOutput RNN::forward(const Tensor& inputs, const Tensor& mask, bool training) {
  RNNOutput result = (*this)(inputs, {.mask = mask, .training = training});
  LayerOutput out;
  out.outputs.push_back(std::move(result.output));
  for (Tensor& state : result.states) out.outputs.push_back(std::move(state));
  if (options_.return_sequences) out.mask = mask;
  return out;
}

CallOutput RNN::forward_inputs(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                               bool training) {
  if (inputs.empty()) {
    throw std::invalid_argument(fmt::format(
        "{}: takes the sequence and optionally its initial_state, given no tensor", label()));
  }
  const Tensor mask = masks.empty() ? Tensor() : masks[0];
  RNNOutput result = (*this)(
      inputs[0],
      {.mask = mask, .training = training, .initial_state = {inputs.begin() + 1, inputs.end()}});
  CallOutput out;
  out.outputs.push_back(std::move(result.output));
  out.masks.push_back(options_.return_sequences ? mask : Tensor());
  for (Tensor& state : result.states) {
    out.outputs.push_back(std::move(state));
    out.masks.emplace_back();
  }
  return out;
}

std::vector<Tensor> RNN::states() const {
  if (options_.stateful && built()) return kept_states_;
  return std::vector<Tensor>(cell_->state_size().size());
}

void RNN::check_stateful_batch_known(std::string_view what) const {
  if (!options_.stateful) {
    throw std::logic_error(
        fmt::format("{}: {} needs a stateful layer (Layer must be stateful.)", label(), what));
  }
  if (!built()) {
    throw std::invalid_argument(fmt::format(
        "{}: If a RNN is stateful, it needs to know its batch size; it learns it from the first "
        "call, so call the layer on a batch before {}",
        label(), what));
  }
}

void RNN::reset_states() {
  check_stateful_batch_known("reset_states");
  kept_states_ = cell_initial_state(batch_size_);
}

void RNN::reset_states(const std::vector<Tensor>& states) {
  check_stateful_batch_known("reset_states");
  const std::vector<std::int64_t> sizes = cell_->state_size();
  if (states.size() != sizes.size()) {
    throw std::invalid_argument(
        fmt::format("{}: reset_states expects {} states, but it received {} state values", label(),
                    sizes.size(), states.size()));
  }
  for (std::size_t i = 0; i < states.size(); ++i) {
    const Shape expected{batch_size_, sizes[i]};
    if (!states[i].defined() || !is_floating(states[i].dtype()) || states[i].shape() != expected) {
      throw std::invalid_argument(fmt::format(
          "{}: state {} is incompatible with the layer: expected a float tensor of shape={}, "
          "found {}",
          label(), i, shape_str(expected),
          states[i].defined() ? fmt::format("{} of shape={}", dtype_name(states[i].dtype()),
                                            shape_str(states[i].shape()))
                              : "an undefined tensor"));
    }
  }
  std::vector<Tensor> kept;
  for (const Tensor& state : states) kept.push_back(state.detach().to(dtype()).clone());
  kept_states_ = std::move(kept);
}

}  // namespace rnnkit::layers

// compile, fit, evaluate, predict and the single-batch steps of Sequential.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "models/batches.h"
#include "models/compiled.h"
#include "models/data_checks.h"
#include "models/data_parallel.h"
#include "models/progress.h"
#include "models/trackers.h"
#include "rnnkit/callbacks/callbacks.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/messages.h"
#include "rnnkit/framework/metrics.h"
#include "rnnkit/framework/ops.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::models {
namespace {

const std::vector<std::string>& metric_choices() {
  static const std::vector<std::string> names = {"acc",
                                                 "accuracy",
                                                 "binary_accuracy",
                                                 "categorical_accuracy",
                                                 "mae",
                                                 "mean_absolute_error",
                                                 "mean_squared_error",
                                                 "mse",
                                                 "sparse_categorical_accuracy"};
  return names;
}

// y with y_pred's trailing dimension of 1 added when it lacks it (Keras's label squeeze/expand).
Tensor labels_like(const Tensor& y, const Tensor& y_pred) {
  if (y.dim() + 1 == y_pred.dim() && y_pred.size(-1) == 1) {
    Shape shape = y.shape();
    shape.push_back(1);
    return y.reshape(shape);
  }
  return y;
}

// Per-sample values of metric `name` (one of metric_choices()), picked from the shapes for
// "accuracy" as Keras does (spec §11).
Tensor metric_values(const std::string& name, const Tensor& y, const Tensor& y_pred) {
  NoGradGuard no_grad;
  if (name == "accuracy" || name == "acc") {
    if (y_pred.size(-1) == 1) return metrics::binary_accuracy(labels_like(y, y_pred), y_pred);
    if (y.dim() < y_pred.dim() || y.size(-1) == 1) {
      return metrics::sparse_categorical_accuracy(y, y_pred);
    }
    return metrics::categorical_accuracy(y, y_pred);
  }
  if (name == "binary_accuracy") return metrics::binary_accuracy(labels_like(y, y_pred), y_pred);
  if (name == "categorical_accuracy") return metrics::categorical_accuracy(y, y_pred);
  if (name == "sparse_categorical_accuracy") {
    return metrics::sparse_categorical_accuracy(y, y_pred);
  }
  const Tensor labels = labels_like(y, y_pred).to(y_pred.dtype());
  if (name == "mae" || name == "mean_absolute_error") {
    return losses::mean_absolute_error(labels, y_pred);
  }
  return losses::mean_squared_error(labels, y_pred);
}

// The labels in the prediction's dtype, as Keras casts y_true; class ids of a sparse loss stay
// as they are.
Tensor labels_for(const Tensor& y, const Tensor& y_pred, const losses::Loss* loss) {
  if (dynamic_cast<const losses::SparseCategoricalCrossentropy*>(loss)) return y;
  return y.dtype() != y_pred.dtype() ? y.to(y_pred.dtype()) : y;
}

// The crossentropy Keras computes from the logits when the output is a sigmoid or softmax
// activation (spec §9; with from_logits=true too, where Keras warns and uses them), or nothing
// when that does not apply.
losses::AnyLoss logits_loss(const losses::Loss* loss, const std::string& activation) {
  if (const auto* bce = dynamic_cast<const losses::BinaryCrossentropy*>(loss);
      bce && activation == "sigmoid") {
    return losses::BinaryCrossentropy({.from_logits = true,
                                       .label_smoothing = bce->options().label_smoothing,
                                       .reduction = bce->options().reduction});
  }
  if (const auto* cce = dynamic_cast<const losses::CategoricalCrossentropy*>(loss);
      cce && activation == "softmax") {
    return losses::CategoricalCrossentropy({.from_logits = true,
                                            .label_smoothing = cce->options().label_smoothing,
                                            .reduction = cce->options().reduction});
  }
  if (const auto* scce = dynamic_cast<const losses::SparseCategoricalCrossentropy*>(loss);
      scce && activation == "softmax") {
    return losses::SparseCategoricalCrossentropy(
        {.from_logits = true, .reduction = scce->options().reduction});
  }
  return nullptr;
}

// The callbacks of one run: progress first (as Keras's ProgbarLogger), then the user's; under a
// distribution, progress and the chief-only callbacks run on rank 0 alone.
std::vector<callbacks::AnyCallback> with_progress(const std::vector<callbacks::AnyCallback>& user,
                                                  std::ostream* output, int verbose, int epochs,
                                                  std::int64_t steps,
                                                  const Distribution* distribution) {
  std::vector<callbacks::AnyCallback> all;
  if (verbose > 0 && detail::is_chief(distribution)) {
    all.emplace_back(std::make_shared<detail::ProgressLogger>(output ? *output : std::cout, verbose,
                                                              epochs, steps));
  }
  const std::vector<callbacks::AnyCallback> mine = detail::callbacks_for_rank(user, distribution);
  all.insert(all.end(), mine.begin(), mine.end());
  return all;
}

std::int64_t step_count(std::int64_t samples, std::int64_t batch_size) {
  return (samples + batch_size - 1) / batch_size;
}

void require_verbose(std::string_view who, int verbose) {
  if (verbose < 0 || verbose > 2) {
    throw std::invalid_argument(fmt::format("{}: verbose must be 0, 1 or 2, got {}", who, verbose));
  }
}

void require_batch_size(std::string_view who, std::int64_t batch_size) {
  if (batch_size <= 0) {
    throw std::invalid_argument(
        fmt::format("{}: batch_size must be >= 1, got {}", who, batch_size));
  }
}

void require_pair(std::string_view who, const Tensor& x, const Tensor& y, const Tensor& mask) {
  detail::require_samples(who, "x", x);
  detail::require_samples(who, "y", y);
  if (x.size(0) != y.size(0)) {
    throw std::invalid_argument(fmt::format(
        "{}: x and y must hold the same number of samples, got {} (x of shape {}) and {} (y of "
        "shape {})",
        who, x.size(0), shape_str(x.shape()), y.size(0), shape_str(y.shape())));
  }
  if (x.size(0) == 0) throw std::invalid_argument(fmt::format("{}: x holds no samples", who));
  detail::require_input_mask(who, mask, x);
}

// Whether `shape` equals `pattern`, where -1 in `pattern` (an unknown size) matches any size.
bool matches(const Shape& shape, const Shape& pattern) {
  return shape.size() == pattern.size() &&
         std::equal(shape.begin(), shape.end(), pattern.begin(),
                    [](std::int64_t size, std::int64_t want) { return want < 0 || size == want; });
}

// Throws unless y can be the target of outputs of `output_shape` (batch axis first): the same
// per-sample shape, that shape with a trailing 1 dropped or added, or class ids (the shape
// without its last axis, or with a trailing 1 there) as sparse losses and metrics take them.
void require_targets(std::string_view who, std::string_view what, const Tensor& y,
                     const Shape& output_shape) {
  const Shape sample(output_shape.begin() + 1, output_shape.end());
  const Shape given(y.shape().begin() + 1, y.shape().end());
  std::vector<Shape> accepted = {sample};
  if (!sample.empty()) {
    Shape ids(sample.begin(), sample.end() - 1);
    accepted.push_back(ids);
    ids.push_back(1);
    accepted.push_back(ids);
  }
  Shape with_one = sample;
  with_one.push_back(1);
  accepted.push_back(with_one);
  const bool ok = std::any_of(accepted.begin(), accepted.end(),
                              [&](const Shape& pattern) { return matches(given, pattern); });
  if (!ok) {
    throw std::invalid_argument(fmt::format(
        "{}: {} of shape {} cannot be the targets of the model's outputs of shape {}; expected "
        "[samples, {}] (or class ids without the last axis)",
        who, what, shape_str(y.shape()), shape_str(output_shape), fmt::join(sample, ", ")));
  }
}

// A stateful model runs batches of one size, its batch size, so that each batch's samples carry
// their states on to the next batch's; a short last batch would fail after the others trained.
// A first batch of another size is the layers' to refuse, before anything changes.
void require_whole_batches(std::string_view who, std::string_view what, std::int64_t samples,
                           std::int64_t batch_size) {
  const std::int64_t first = std::min(batch_size, samples);
  if (samples % first != 0) {
    throw std::invalid_argument(fmt::format(
        "{}: the model is stateful, so every batch must hold the same number of samples, but the "
        "{} samples of {} do not split into batches of {}",
        who, samples, what, first));
  }
}

// What fit tells the callbacks: among it the names its epoch logs will hold, the loss, the
// metrics, their "val_" twins with validation data, then what the callbacks add.
callbacks::TrainingParams training_params(int epochs, std::int64_t steps, int verbose,
                                          const std::vector<std::string>& metrics, bool validation,
                                          const std::vector<callbacks::AnyCallback>& callbacks) {
  callbacks::TrainingParams params{.epochs = epochs, .steps = steps, .verbose = verbose};
  std::vector<std::string>& names = params.log_names;
  names.emplace_back("loss");
  names.insert(names.end(), metrics.begin(), metrics.end());
  if (validation) {
    names.emplace_back("val_loss");
    for (const std::string& metric : metrics) names.push_back("val_" + metric);
  }
  for (const auto& callback : callbacks) {
    const std::optional<std::vector<std::string>> added = callback->added_log_names();
    if (added) {
      names.insert(names.end(), added->begin(), added->end());
    } else {
      params.log_names_complete = false;
    }
  }
  return params;
}

// Hands the model to every callback for the length of a run, and takes it back however the
// run ends, so no callback keeps a pointer to a model that may move.
class CallbackBinding {
 public:
  CallbackBinding(const std::vector<callbacks::AnyCallback>& callbacks, Sequential* model)
      : callbacks_(callbacks) {
    for (const auto& callback : callbacks_) callback->set_model(model);
  }
  ~CallbackBinding() {
    for (const auto& callback : callbacks_) callback->set_model(nullptr);
  }
  CallbackBinding(const CallbackBinding&) = delete;
  CallbackBinding& operator=(const CallbackBinding&) = delete;

 private:
  const std::vector<callbacks::AnyCallback>& callbacks_;
};

}  // namespace

void Sequential::compile(CompileOptions options) {
  const std::string who = fmt::format("Sequential '{}': compile", name_);
  if (!options.loss) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'loss' is required (a name such as \"mse\" or a loss object)", who));
  }
  for (const std::string& metric : options.metrics) {
    if (std::find(metric_choices().begin(), metric_choices().end(), metric) ==
        metric_choices().end()) {
      throw std::invalid_argument(fmt::format("{}: unknown metric \"{}\"; expected one of: {}", who,
                                              metric, fmt::join(metric_choices(), ", ")));
    }
  }
  auto compiled = std::make_unique<Compiled>(Compiled{.optimizer = std::move(options.optimizer),
                                                      .loss = std::move(options.loss),
                                                      .metrics = std::move(options.metrics)});
  // State loaded by load_weights() before compile() resumes an optimizer of the same class.
  if (pending_optimizer_state_ && compiled->optimizer->class_name() == pending_optimizer_class_) {
    compiled->optimizer->load_state(*pending_optimizer_state_, trainable_weights());
    pending_optimizer_state_.reset();
  }
  compiled_ = std::move(compiled);
}

optim::Optimizer& Sequential::optimizer() const {
  if (!compiled_) {
    throw std::logic_error(fmt::format("Sequential '{}': the model is not compiled", name_));
  }
  return *compiled_->optimizer;
}

const losses::AnyLoss& Sequential::loss() const {
  if (!compiled_) {
    throw std::logic_error(fmt::format("Sequential '{}': the model is not compiled", name_));
  }
  return compiled_->loss;
}

std::vector<std::string> Sequential::metric_names() const {
  return compiled_ ? compiled_->metrics : std::vector<std::string>{};
}

Tensor Sequential::compiled_loss(const Tensor& y, const ModelOutput& output) const {
  const losses::AnyLoss& loss = compiled_->loss;
  Tensor prediction = output.output;
  losses::AnyLoss effective = loss;
  if (output.logits.defined()) {
    if (losses::AnyLoss from_logits = logits_loss(loss.get(), output.logits_activation)) {
      effective = std::move(from_logits);
      prediction = output.logits;
    }
  }
  Tensor weights;
  if (output.mask.defined()) {
    // Masked steps weigh 0; with the default reduction the mean runs over the unmasked ones
    // (Keras 2.10+ apply_valid_mask, spec §9).
    const Tensor mask = output.mask.to(prediction.dtype());
    const double valid = sum(mask).item();
    const bool rescale =
        effective.get()->reduction() == losses::Reduction::sum_over_batch_size && valid > 0;
    weights = rescale ? mul(mask, static_cast<double>(mask.numel()) / valid) : mask;
  }
  return effective(labels_for(y, prediction, effective.get()), prediction, weights);
}

Tensor Sequential::total_loss(const Tensor& y, const ModelOutput& output) const {
  Tensor total = compiled_loss(y, output);
  for (const Tensor& penalty : losses()) total = rnnkit::add(total, penalty.to(total.dtype()));
  return total;
}

void Sequential::update_trackers(Trackers& trackers, const Tensor& y, const ModelOutput& output,
                                 double loss, std::int64_t batch) const {
  trackers.loss_sum += loss * static_cast<double>(batch);
  trackers.loss_count += static_cast<double>(batch);
  const std::vector<std::string>& names = compiled_->metrics;
  trackers.sums.resize(names.size());
  trackers.counts.resize(names.size());
  const std::vector<double> mask =
      output.mask.defined() ? output.mask.to(DType::f64).to_vector() : std::vector<double>{};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::vector<double> values = metric_values(names[i], y, output.output).to_vector();
    // One value per masked step weighs by the mask; otherwise every value weighs 1.
    const std::vector<double> weights =
        mask.size() == values.size() ? mask : std::vector<double>(values.size(), 1.0);
    for (std::size_t j = 0; j < values.size(); ++j) {
      trackers.sums[i] += values[j] * weights[j];
      trackers.counts[i] += weights[j];
    }
  }
}

Logs Sequential::train_step(const Tensor& x, const Tensor& y, const Tensor& mask,
                            Trackers& trackers, bool keep_weights_on_non_finite_loss) {
  if (data_parallel_) {
    return data_parallel_step(x, y, mask, trackers, true, keep_weights_on_non_finite_loss);
  }
  for (Variable variable : trainable_weights()) variable.zero_grad();
  const ModelOutput output = call(x, mask, true);
  const Tensor loss = total_loss(y, output);
  const double value = loss.item();
  // Listed after the call, which builds the layers that have no weights yet.
  const std::vector<Variable> trainable = trainable_weights();
  if (!loss.requires_grad()) {
    // Keras 2.9: apply_gradients of no variables is a no-op (iterations stay); variables none
    // of which has a gradient raise "No gradients provided for any variable".
    if (!trainable.empty()) {
      throw std::invalid_argument(fmt::format(
          "Sequential '{}': the loss depends on none of the {} trainable weights (the first is "
          "'{}'), so none has a gradient",
          name_, trainable.size(), trainable.front().name()));
    }
  } else if (!keep_weights_on_non_finite_loss || std::isfinite(value)) {
    loss.backward();
    compiled_->optimizer->apply(trainable);
  }
  update_trackers(trackers, y, output, value, x.size(0));
  return trackers.results(compiled_->metrics);
}

Logs Sequential::test_step(const Tensor& x, const Tensor& y, const Tensor& mask,
                           Trackers& trackers) {
  if (data_parallel_) return data_parallel_step(x, y, mask, trackers, false, false);
  NoGradGuard no_grad;
  const ModelOutput output = call(x, mask, false);
  update_trackers(trackers, y, output, total_loss(y, output).item(), x.size(0));
  return trackers.results(compiled_->metrics);
}

void Sequential::check_targets(std::string_view who, std::string_view what, const Tensor& x,
                               const Tensor& y, std::int64_t batch_size) {
  if (!built_) {
    build(Shape(x.shape().begin() + 1, x.shape().end()), has_stateful_layer() ? batch_size : 0);
  }
  require_targets(who, what, y, output_shapes_.back());
}

History Sequential::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
  const std::string who = fmt::format("Sequential '{}': fit", name_);
  std::optional<ScopedMessageSink> warnings;
  if (options.output) warnings.emplace(*options.output);
  if (!compiled_) {
    throw std::logic_error(fmt::format("{}: compile() the model before fit()", who));
  }
  require_pair(who, x, y, options.mask);
  require_batch_size(who, options.batch_size);
  require_verbose(who, options.verbose);
  if (options.epochs < 0 || options.initial_epoch < 0) {
    throw std::invalid_argument(
        fmt::format("{}: epochs and initial_epoch must be >= 0, got {} and {}", who, options.epochs,
                    options.initial_epoch));
  }
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
    throw std::invalid_argument(fmt::format("{}: validation_split must be in [0, 1), got {}", who,
                                            options.validation_split));
  }
  const std::int64_t samples = x.size(0);
  std::int64_t train_samples = samples;
  ValidationData validation;
  if (options.validation_data) {
    validation = *options.validation_data;
    require_pair(who + " (validation_data)", validation.x, validation.y, validation.mask);
    detail::require_like_x(who, "validation_data.x", validation.x, x);
  } else if (options.validation_split > 0.0) {
    // Keras splits before shuffling: the last samples are held out (spec §9).
    train_samples = static_cast<std::int64_t>(
        std::floor(static_cast<double>(samples) * (1.0 - options.validation_split)));
    if (train_samples == 0 || train_samples == samples) {
      throw std::invalid_argument(fmt::format(
          "{}: validation_split={} of {} samples leaves {} for training and {} for validation; "
          "both must be non-empty",
          who, options.validation_split, samples, train_samples, samples - train_samples));
    }
    validation = {.x = detail::take_range(x, train_samples, samples),
                  .y = detail::take_range(y, train_samples, samples),
                  .mask = detail::take_range(options.mask, train_samples, samples)};
  }
  const detail::Batching batching{
      .batch_size = options.batch_size,
      .held_out = train_samples,
      .training_note = options.shuffle ? " (counted before shuffling)" : "",
      .validation_note = fmt::format(" (validation_split holds out samples {} on)", train_samples)};
  const detail::Batching validation_batching{.batch_size = options.batch_size, .held_out = 0};
  if (!options.allow_non_finite) {
    detail::require_finite(who, "x", x, batching);
    detail::require_finite(who, "y", y, batching);
    if (options.validation_data) {
      detail::require_finite(who, "validation_data.x", validation.x, validation_batching);
      detail::require_finite(who, "validation_data.y", validation.y, validation_batching);
    }
  }

  check_targets(who, "y", x, y, options.batch_size);
  if (validation.x.defined()) {
    check_targets(who, "validation y", validation.x, validation.y, options.batch_size);
  }
  detail::require_layer_inputs(who, "x", *this, x, batching);
  detail::require_class_ids(who, "y", *this, y, batching);
  if (options.validation_data) {
    detail::require_layer_inputs(who, "validation_data.x", *this, validation.x,
                                 validation_batching);
    detail::require_class_ids(who, "validation_data.y", *this, validation.y, validation_batching);
  }
  if (has_stateful_layer()) {
    require_whole_batches(who, "x", train_samples, options.batch_size);
    if (validation.x.defined()) {
      require_whole_batches(who,
                            options.validation_data ? "validation_data" : "the validation_split",
                            validation.x.size(0), options.batch_size);
    }
  }
  if (data_parallel_) {
    synchronize(who, detail::fit_arguments(x, y, options, train_samples, validation));
  }

  const std::int64_t steps = step_count(train_samples, options.batch_size);
  const std::vector<callbacks::AnyCallback> callbacks = with_progress(
      options.callbacks, options.output, options.verbose, options.epochs, steps, distribution());
  const CallbackBinding binding(callbacks, this);
  const callbacks::TrainingParams params =
      training_params(options.epochs, steps, options.verbose, compiled_->metrics,
                      validation.x.defined(), options.callbacks);
  // Every callback sees the run before any starts, so one that refuses it changes nothing; under
  // a distribution every rank asks the chief's callbacks too, so that all ranks refuse alike.
  for (const auto& callback : callbacks) callback->set_params(params);
  if (!detail::is_chief(distribution())) {
    for (const auto& callback : options.callbacks) {
      if (callback->chief_worker_only()) callback->set_params(params);
    }
  }
  // TerminateOnNaN keeps the last good weights: the step whose loss is not finite skips its
  // update (Keras applies it, then stops).
  const bool keep_weights_on_non_finite_loss =
      std::any_of(callbacks.begin(), callbacks.end(), [](const callbacks::AnyCallback& callback) {
        return dynamic_cast<const callbacks::TerminateOnNaN*>(&*callback) != nullptr;
      });
  stop_training = false;
  History history;
  Logs logs;
  for (const auto& callback : callbacks) callback->on_train_begin(logs);
  for (int epoch = options.initial_epoch; epoch < options.epochs && !stop_training; ++epoch) {
    for (const auto& callback : callbacks) callback->on_epoch_begin(epoch, {});
    std::vector<std::int64_t> order = detail::sample_order(train_samples, options.shuffle);
    if (data_parallel_) detail::broadcast_order(*data_parallel_->distribution, order);
    Trackers trackers;
    for (std::int64_t step = 0; step < steps && !stop_training; ++step) {
      const std::int64_t begin = step * options.batch_size;
      const std::int64_t end = std::min(begin + options.batch_size, train_samples);
      const detail::Shard part = detail::shard(end - begin, distribution());
      const std::span<const std::int64_t> rows(order.data() + begin + part.begin,
                                               static_cast<std::size_t>(part.end - part.begin));
      for (const auto& callback : callbacks) callback->on_train_batch_begin(step, {});
      logs = train_step(detail::take_rows(x, rows), detail::take_rows(y, rows),
                        detail::take_rows(options.mask, rows), trackers,
                        keep_weights_on_non_finite_loss);
      for (const auto& callback : callbacks) callback->on_train_batch_end(step, logs);
      if (data_parallel_) {
        stop_training = detail::on_any_rank(*data_parallel_->distribution, stop_training);
      }
    }
    if (validation.x.defined()) {
      const Logs validation_logs =
          run_evaluation(validation.x, validation.y,
                         {.batch_size = options.batch_size, .verbose = 0, .mask = validation.mask},
                         detail::callbacks_for_rank(options.callbacks, distribution()));
      for (const auto& [name, value] : validation_logs) logs.set("val_" + name, value);
    }
    for (const auto& callback : callbacks) callback->on_epoch_end(epoch, logs);
    if (data_parallel_) {
      stop_training = detail::on_any_rank(*data_parallel_->distribution, stop_training);
    }
    history.append(epoch, logs);
  }
  for (const auto& callback : callbacks) callback->on_train_end(logs);
  return history;
}

Logs Sequential::run_evaluation(const Tensor& x, const Tensor& y, const EvaluateOptions& options,
                                const std::vector<callbacks::AnyCallback>& callbacks) {
  Trackers trackers;
  Logs logs;
  for (const auto& callback : callbacks) callback->on_test_begin(logs);
  const std::int64_t samples = x.size(0);
  for (std::int64_t step = 0; step * options.batch_size < samples; ++step) {
    const std::int64_t begin = step * options.batch_size;
    const std::int64_t end = std::min(begin + options.batch_size, samples);
    const detail::Shard part = detail::shard(end - begin, distribution());
    for (const auto& callback : callbacks) callback->on_test_batch_begin(step, {});
    logs =
        test_step(detail::take_range(x, begin + part.begin, begin + part.end),
                  detail::take_range(y, begin + part.begin, begin + part.end),
                  detail::take_range(options.mask, begin + part.begin, begin + part.end), trackers);
    for (const auto& callback : callbacks) callback->on_test_batch_end(step, logs);
  }
  for (const auto& callback : callbacks) callback->on_test_end(logs);
  return logs;
}

Logs Sequential::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options) {
  const std::string who = fmt::format("Sequential '{}': evaluate", name_);
  std::optional<ScopedMessageSink> warnings;
  if (options.output) warnings.emplace(*options.output);
  if (!compiled_) {
    throw std::logic_error(fmt::format("{}: compile() the model before evaluate()", who));
  }
  require_pair(who, x, y, options.mask);
  require_batch_size(who, options.batch_size);
  require_verbose(who, options.verbose);
  const detail::Batching batching{.batch_size = options.batch_size, .held_out = x.size(0)};
  if (!options.allow_non_finite) {
    detail::require_finite(who, "x", x, batching);
    detail::require_finite(who, "y", y, batching);
  }
  check_targets(who, "y", x, y, options.batch_size);
  detail::require_layer_inputs(who, "x", *this, x, batching);
  detail::require_class_ids(who, "y", *this, y, batching);
  if (has_stateful_layer()) {
    require_whole_batches(who, "x", x.size(0), options.batch_size);
  }
  if (data_parallel_) synchronize(who, detail::evaluate_arguments(x, y, options));
  const std::vector<callbacks::AnyCallback> callbacks =
      with_progress(options.callbacks, options.output, options.verbose, 1,
                    step_count(x.size(0), options.batch_size), distribution());
  const CallbackBinding binding(callbacks, this);
  return run_evaluation(x, y, options, callbacks);
}

Tensor Sequential::predict(const Tensor& x, const PredictOptions& options) {
  const std::string who = fmt::format("Sequential '{}': predict", name_);
  std::optional<ScopedMessageSink> warnings;
  if (options.output) warnings.emplace(*options.output);
  detail::require_samples(who, "x", x);
  detail::require_input_mask(who, options.mask, x);
  require_batch_size(who, options.batch_size);
  require_verbose(who, options.verbose);
  const std::int64_t samples = x.size(0);
  if (samples == 0) throw std::invalid_argument(fmt::format("{}: x holds no samples", who));
  detail::require_layer_inputs(who, "x", *this, x,
                               {.batch_size = options.batch_size, .held_out = samples});
  if (has_stateful_layer()) {
    require_whole_batches(who, "x", samples, options.batch_size);
  }
  const std::vector<callbacks::AnyCallback> callbacks =
      with_progress(options.callbacks, options.output, options.verbose, 1,
                    step_count(samples, options.batch_size), distribution());
  const CallbackBinding binding(callbacks, this);
  for (const auto& callback : callbacks) callback->on_predict_begin({});
  NoGradGuard no_grad;
  std::vector<Tensor> outputs;
  for (std::int64_t step = 0; step * options.batch_size < samples; ++step) {
    const std::int64_t begin = step * options.batch_size;
    const std::int64_t end = std::min(begin + options.batch_size, samples);
    for (const auto& callback : callbacks) callback->on_predict_batch_begin(step, {});
    outputs.push_back(
        call(detail::take_range(x, begin, end), detail::take_range(options.mask, begin, end), false)
            .output);
    for (const auto& callback : callbacks) callback->on_predict_batch_end(step, {});
  }
  for (const auto& callback : callbacks) callback->on_predict_end({});
  return outputs.size() == 1 ? outputs.front() : concat(outputs, 0);
}

Logs Sequential::train_on_batch(const Tensor& x, const Tensor& y, const Tensor& mask) {
  const std::string who = fmt::format("Sequential '{}': train_on_batch", name_);
  if (!compiled_) {
    throw std::logic_error(fmt::format("{}: compile() the model before training", who));
  }
  require_pair(who, x, y, mask);
  check_targets(who, "y", x, y, x.size(0));
  detail::require_layer_inputs(who, "x", *this, x, {});
  detail::require_class_ids(who, "y", *this, y, {});
  if (data_parallel_ && !data_parallel_->synchronized) {
    synchronize(who, detail::batch_arguments(x, y, mask));
  }
  const detail::BatchPart part = detail::batch_part(x, y, mask, distribution());
  Trackers trackers;
  return train_step(part.x, part.y, part.mask, trackers, false);
}

Logs Sequential::test_on_batch(const Tensor& x, const Tensor& y, const Tensor& mask) {
  const std::string who = fmt::format("Sequential '{}': test_on_batch", name_);
  if (!compiled_) {
    throw std::logic_error(fmt::format("{}: compile() the model before test_on_batch()", who));
  }
  require_pair(who, x, y, mask);
  check_targets(who, "y", x, y, x.size(0));
  detail::require_layer_inputs(who, "x", *this, x, {});
  detail::require_class_ids(who, "y", *this, y, {});
  if (data_parallel_ && !data_parallel_->synchronized) {
    synchronize(who, detail::batch_arguments(x, y, mask));
  }
  const detail::BatchPart part = detail::batch_part(x, y, mask, distribution());
  Trackers trackers;
  return test_step(part.x, part.y, part.mask, trackers);
}

Tensor Sequential::predict_on_batch(const Tensor& x, const Tensor& mask) {
  const std::string who = fmt::format("Sequential '{}': predict_on_batch", name_);
  detail::require_samples(who, "x", x);
  detail::require_input_mask(who, mask, x);
  NoGradGuard no_grad;
  return call(x, mask, false).output;
}

}  // namespace rnnkit::models

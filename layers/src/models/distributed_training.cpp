// Sequential's data-parallel training over a Distribution: the start-up check and broadcast,
// and the step whose statistics and gradients are summed over the ranks.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <optional>
#include <stdexcept>

#include "models/compiled.h"
#include "models/data_parallel.h"
#include "models/trackers.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "rnnkit/layers/serialization.h"
#include "rnnkit/models/sequential.h"
#include "rnnkit/optim/serialization.h"

namespace rnnkit::models {
namespace {

// Names are left out of the comparison: each process numbers its default names itself
// ("simple_rnn_2" when it made two SimpleRNNs before), and they do not change the training.
void drop_names(Config& config) {
  if (config.is_object()) {
    config.erase("name");
    for (auto& [key, value] : config.items()) drop_names(value);
  } else if (config.is_array()) {
    for (Config& value : config) drop_names(value);
  }
}

// The serialized form of a setting without its names, or `fallback` for one that has none (a
// user function throws when serialized).
template <class Serialize>
std::string serialized_or(Serialize serialize, const std::string& fallback) {
  try {
    Config config = serialize();
    drop_names(config);
    return config.dump();
  } catch (const std::invalid_argument&) {
    return fallback;
  }
}

// Where the statistics of one step sit in DataParallel::statistics; the metrics' sums and then
// their counts follow.
enum Statistic : std::size_t {
  samples_index,      // rows this rank trained on
  denominator_index,  // the rows (or unmasked steps) its mean loss divides by
  loss_index,         // its loss times the denominator (the loss itself when it is a sum)
  penalty_index,      // its regularization losses times its rows
  metrics_index,
};

}  // namespace

void Sequential::set_distribution(std::shared_ptr<Distribution> distribution) {
  if (!distribution) {
    data_parallel_.reset();
    return;
  }
  auto parallel = std::make_shared<detail::DataParallel>();
  parallel->distribution = std::move(distribution);
  data_parallel_ = std::move(parallel);
}

Distribution* Sequential::distribution() const {
  return data_parallel_ ? data_parallel_->distribution.get() : nullptr;
}

void Sequential::synchronize(std::string_view who, const std::string& arguments) {
  std::string setup =
      fmt::format("model: built {}, input shape {}\n", built_, shape_str(input_shape_));
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const layers::Layer& layer = *layers_[i];
    setup += fmt::format("layer {}: {}\n", i,
                         serialized_or([&] { return layers::serialize(layer); },
                                       layer.class_name() + " (with a user function)"));
  }
  const std::vector<Variable> variables = weights();
  for (std::size_t i = 0; i < variables.size(); ++i) {
    setup += fmt::format("weight {}: {} {}{}\n", i, shape_str(variables[i].value().shape()),
                         dtype_name(variables[i].value().dtype()),
                         variables[i].trainable() ? "" : " (non-trainable)");
  }
  const optim::Optimizer& optimizer = *compiled_->optimizer;
  setup += fmt::format(
      "loss: {}\nmetrics: {}\noptimizer: {} after {} steps\n",
      serialized_or([&] { return losses::serialize(compiled_->loss); }, "a user function"),
      fmt::join(compiled_->metrics, ", "),
      serialized_or([&] { return optim::serialize(optimizer); },
                    optimizer.class_name() + " (with a user learning rate)"),
      optimizer.iterations());
  Distribution& distribution = *data_parallel_->distribution;
  detail::require_same_setup(distribution, who, setup + arguments);
  for (const auto& layer : layers_) {
    if (layer->stateful()) {
      throw std::invalid_argument(fmt::format(
          "{}: layer '{}' is stateful; stateful layers cannot train under a distribution, where "
          "each rank sees a different part of every batch (Keras refuses them too); train it in "
          "one process",
          who, layer->name()));
    }
  }
  detail::broadcast_values(distribution, variables);
  data_parallel_->synchronized = true;
}

Logs Sequential::data_parallel_step(const Tensor& x, const Tensor& y, const Tensor& mask,
                                    Trackers& trackers, bool training,
                                    bool keep_weights_on_non_finite_loss) {
  // The loss of one process is a mean over the whole batch (or a sum), plus regularization
  // losses counted once. Each rank weighs its own mean by its share of the denominator and its
  // regularization losses by its share of the rows, so that the sum over the ranks of what they
  // differentiate is that loss, however unevenly the batch was split.
  std::optional<NoGradGuard> no_grad;
  if (!training) no_grad.emplace();
  if (training) {
    for (Variable variable : trainable_weights()) variable.zero_grad();
  }
  const std::vector<std::string>& names = compiled_->metrics;
  std::vector<double>& statistics = data_parallel_->statistics;
  statistics.assign(metrics_index + 2 * names.size(), 0.0);
  const bool mean = compiled_->loss.get()->reduction() == losses::Reduction::sum_over_batch_size;
  const auto samples = static_cast<double>(x.size(0));
  Tensor data_loss;
  Tensor penalty;
  double denominator = 0.0;
  if (samples > 0) {
    const ModelOutput output = call(x, mask, training);
    data_loss = compiled_loss(y, output);
    for (const Tensor& term : losses()) {
      const Tensor value = term.to(data_loss.dtype());
      penalty = penalty.defined() ? rnnkit::add(penalty, value) : value;
    }
    denominator = output.mask.defined() ? sum(output.mask.to(DType::f64)).item() : samples;
    Trackers local;
    update_trackers(local, y, output, 0.0, x.size(0));
    statistics[samples_index] = samples;
    statistics[denominator_index] = denominator;
    statistics[loss_index] = (mean ? denominator : 1.0) * data_loss.item();
    statistics[penalty_index] = penalty.defined() ? samples * penalty.item() : 0.0;
    std::copy(local.sums.begin(), local.sums.end(), statistics.begin() + metrics_index);
    std::copy(local.counts.begin(), local.counts.end(),
              statistics.begin() + metrics_index + static_cast<std::ptrdiff_t>(names.size()));
  }
  data_parallel_->distribution->all_reduce_sum(std::span(statistics));
  const double total_samples = statistics[samples_index];
  const double total_denominator = statistics[denominator_index];
  const double data_part = !mean                   ? statistics[loss_index]
                           : total_denominator > 0 ? statistics[loss_index] / total_denominator
                                                   : 0.0;
  const double batch_loss = data_part + statistics[penalty_index] / total_samples;

  if (training && (!keep_weights_on_non_finite_loss || std::isfinite(batch_loss))) {
    if (samples > 0) {
      const double data_share = !mean                   ? 1.0
                                : total_denominator > 0 ? denominator / total_denominator
                                                        : 0.0;
      Tensor objective = mul(data_loss, data_share);
      if (penalty.defined()) {
        objective = rnnkit::add(objective, mul(penalty, samples / total_samples));
      }
      objective.backward();
    }
    detail::all_reduce_gradients(*data_parallel_, trainable_weights());
    compiled_->optimizer->apply(trainable_weights());
  }

  trackers.loss_sum += batch_loss * total_samples;
  trackers.loss_count += total_samples;
  trackers.sums.resize(names.size());
  trackers.counts.resize(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    trackers.sums[i] += statistics[metrics_index + i];
    trackers.counts[i] += statistics[metrics_index + names.size() + i];
  }
  return trackers.results(names);
}

}  // namespace rnnkit::models

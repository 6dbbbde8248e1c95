// Masked classification: sequences of different lengths (5 to 40 readings) are padded with zeros
// to one length, and a mask tells the SimpleRNN which steps are real. The task: is the sum of a
// sequence's readings, centred on one half, positive (is its mean above 0.5)? The same network
// is trained twice on the same padded data, with the mask and without it, to show what the mask
// is for.
//   masked_classification [--epochs N] [--units U] [--train-samples N] ...   (--help lists all)
#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

#include <cmath>
#include <cstdlib>
#include <string_view>

#include "example_support.h"

using namespace rnnkit;

namespace {

struct Options {
  examples::CommonOptions common{.epochs = 40, .batch_size = 32};
  std::int64_t train_samples = 8000;
  std::int64_t test_samples = 1000;
  std::int64_t min_length = 5;
  std::int64_t max_length = 40;  // every sequence is padded to this length
  std::int64_t units = 32;
  double learning_rate = 2e-3;
  double half_life = 10.0;  // epochs over which the learning rate halves
};

// Sequences padded "post" (readings first, then zeros) with the mask that marks the real steps.
struct PaddedSequences {
  Tensor x;     // [N, max_length, 1]
  Tensor mask;  // [N, max_length]: 1 for a real step, 0 for padding
  Tensor y;     // [N, 1]: 1 when the sum of (reading - 0.5) over the real steps is positive
};

// Readings are uniform in [0, 1), as raw data often is, and not centred on the padding value 0:
// the padding looks like a run of small readings, and only the mask tells them apart. (Were the
// readings centred on 0, zeros would add nothing to the sum and a network could learn to read
// through the padding unaided.)
PaddedSequences make_sequences(std::int64_t count, const Options& options, Generator& generator) {
  const std::int64_t steps = options.max_length;
  PaddedSequences data{.x = Tensor::zeros({count, steps, 1}),
                       .mask = Tensor::zeros({count, steps}),
                       .y = Tensor::zeros({count, 1})};
  float* x = data.x.mutable_data<float>();
  float* mask = data.mask.mutable_data<float>();
  float* y = data.y.mutable_data<float>();
  for (std::int64_t n = 0; n < count; ++n) {
    const auto length = static_cast<std::int64_t>(generator.uniform(
        static_cast<double>(options.min_length), static_cast<double>(options.max_length + 1)));
    double centred_sum = 0.0;
    for (std::int64_t t = 0; t < length; ++t) {
      const double reading = generator.uniform(0.0, 1.0);
      x[n * steps + t] = static_cast<float>(reading);
      mask[n * steps + t] = 1.0F;
      centred_sum += reading - 0.5;
    }
    y[n] = centred_sum > 0.0 ? 1.0F : 0.0F;
  }
  return data;
}

// A fresh SimpleRNN + sigmoid Dense trained on `train`, given its mask when `use_mask`. The
// per-epoch history goes to <name>_history.csv.
models::Sequential train_classifier(const PaddedSequences& train, const PaddedSequences& test,
                                    bool use_mask, std::string_view name, const Options& options) {
  models::Sequential model(layers::SimpleRNN(options.units),
                           layers::Dense(1, {.activation = "sigmoid"}));
  // Clipping each gradient's norm to 1 keeps a rare steep step from throwing the RNN off course.
  model.compile(
      {.optimizer = optim::Adam({.learning_rate = options.learning_rate, .clipnorm = 1.0}),
       .loss = "binary_crossentropy",
       .metrics = {"accuracy"}});
  // The mask is passed beside the data (FitOptions.mask, ValidationData.mask, EvaluateOptions.mask)
  // rather than found by a Masking layer from a pad value: it comes straight from the lengths,
  // and no real reading can be mistaken for padding (Masking({.mask_value = 0.0}) would also hide
  // a real reading of exactly 0). Masked steps are skipped: the SimpleRNN keeps its state through
  // them and returns the output of each sequence's last real step.
  const Tensor no_mask;
  model.fit(
      train.x, train.y,
      {.batch_size = options.common.batch_size,
       .epochs = options.common.epochs,
       .verbose = options.common.verbose,
       // A learning rate that decays lets the last epochs settle instead of jitter.
       .callbacks = {callbacks::LearningRateScheduler([&](int epoch, double /*current*/) {
                       return options.learning_rate *
                              std::pow(0.5, static_cast<double>(epoch) / options.half_life);
                     }),
                     examples::history_csv(options.common, name)},
       .validation_data = models::ValidationData{test.x, test.y, use_mask ? test.mask : no_mask},
       .mask = use_mask ? train.mask : no_mask});
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("A SimpleRNN classifies padded variable-length sequences, with and without a mask");
  examples::add_common_flags(app, options.common);
  app.add_option("--train-samples", options.train_samples, "Training sequences")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--test-samples", options.test_samples, "Test sequences")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--min-length", options.min_length, "Shortest sequence")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-length", options.max_length, "Longest sequence; all are padded to it")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--units", options.units, "SimpleRNN units")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--learning-rate", options.learning_rate, "Adam's learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--half-life", options.half_life, "Epochs over which the learning rate halves")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (options.min_length > options.max_length) {
    fmt::print(stderr, "--min-length ({}) must not exceed --max-length ({})\n", options.min_length,
               options.max_length);
    return 2;
  }
  examples::apply(options.common);

  Generator generator(options.common.seed);
  const PaddedSequences train = make_sequences(options.train_samples, options, generator);
  const PaddedSequences test = make_sequences(options.test_samples, options, generator);

  fmt::print("Training with the mask\n");
  models::Sequential masked = train_classifier(train, test, true, "masked_classification", options);
  fmt::print("Training the same network without the mask: the padding is read as data\n");
  models::Sequential unmasked =
      train_classifier(train, test, false, "masked_classification_no_mask", options);
  examples::plot_history(
      options.common, "masked_classification",
      {.title = "masked_classification: the same network with and without the mask",
       .runs = {{"masked_classification", "with mask"},
                {"masked_classification_no_mask", "without mask"}}});

  const double with_mask =
      masked.evaluate(test.x, test.y, {.verbose = 0, .mask = test.mask}).at("accuracy");
  const double without_mask = unmasked.evaluate(test.x, test.y, {.verbose = 0}).at("accuracy");
  // The mask matters at prediction time too: the masked model, handed the padding as data.
  const double mask_forgotten = masked.evaluate(test.x, test.y, {.verbose = 0}).at("accuracy");
  fmt::print("the model trained with the mask, evaluated without it: test accuracy {:.3f}\n",
             mask_forgotten);
  fmt::print("masked_classification: test accuracy {:.3f} with the mask, {:.3f} without\n",
             with_mask, without_mask);
  return with_mask >= 0.95 ? EXIT_SUCCESS : EXIT_FAILURE;
}

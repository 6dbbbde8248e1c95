// The adding problem (Hochreiter & Schmidhuber, 1997): each sequence has two channels, random
// values in [0, 1) and a marker that is 1 at exactly two steps, one in each half. The target is
// the sum of the two marked values, so the network must remember a value for up to T steps.
// Always answering 1 (the mean) scores an MSE of 1/6; the default run must reach 0.05.
//   adding_problem [--timesteps 50] [--units 64] [--epochs 30] ...
//   adding_problem --activation relu --recurrent-initializer identity --clipnorm 1
//     (the IRNN of Le, Jaitly & Hinton, 2015)
#include <example_support.h>
#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

#include <optional>
#include <string>

using namespace rnnkit;

namespace {

struct Options {
  examples::CommonOptions common{.epochs = 30, .batch_size = 32};
  std::int64_t timesteps = 50;
  std::int64_t samples = 10000;
  std::int64_t units = 64;
  std::string activation = "tanh";
  std::string recurrent_initializer = "orthogonal";
  double learning_rate = 1e-3;
  std::optional<double> clipnorm;
  std::optional<double> clipvalue;
};

struct Sequences {
  Tensor x;  // [N, T, 2]: value, marker
  Tensor y;  // [N, 1]: the sum of the two marked values
};

constexpr double required_mse = 0.05;

Sequences make_sequences(std::int64_t count, std::int64_t timesteps, Generator& generator) {
  Tensor x = Tensor::uniform({count, timesteps, 2}, 0.0, 1.0, generator);
  Tensor y = Tensor::empty({count, 1});
  float* xs = x.mutable_data<float>();
  float* ys = y.mutable_data<float>();
  const std::int64_t half = timesteps / 2;
  // Both channels start uniform; the marker channel is then cleared but for its two marks.
  for (std::int64_t n = 0; n < count; ++n) {
    float* sequence = xs + n * timesteps * 2;
    for (std::int64_t t = 0; t < timesteps; ++t) sequence[2 * t + 1] = 0.0f;
    const auto first = static_cast<std::int64_t>(generator.uniform(0.0, half));
    const auto second = half + static_cast<std::int64_t>(generator.uniform(0.0, timesteps - half));
    sequence[2 * first + 1] = 1.0f;
    sequence[2 * second + 1] = 1.0f;
    ys[n] = sequence[2 * first] + sequence[2 * second];
  }
  return {x, y};
}

models::Sequential build_model(const Options& options) {
  return models::Sequential(
      layers::SimpleRNN(options.units, {.activation = options.activation,
                                        .recurrent_initializer = options.recurrent_initializer}),
      layers::Dense(1));
}

// Clipping is off unless asked for, as in Keras.
optim::Adam make_optimizer(const Options& options) {
  return optim::Adam({.learning_rate = options.learning_rate,
                      .clipnorm = options.clipnorm,
                      .clipvalue = options.clipvalue});
}

void add_flags(CLI::App& app, Options& options) {
  examples::add_common_flags(app, options.common);
  app.add_option("--timesteps", options.timesteps, "Sequence length T")
      ->capture_default_str()
      ->check(CLI::Range(2, 100'000));
  app.add_option("--samples", options.samples, "Training sequences (validation and test: 1/10)")
      ->capture_default_str()
      ->check(CLI::Range(10, 100'000'000));
  app.add_option("--units", options.units, "SimpleRNN units")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--activation", options.activation, "SimpleRNN activation")
      ->capture_default_str()
      ->check(CLI::IsMember({"tanh", "relu"}));
  app.add_option("--recurrent-initializer", options.recurrent_initializer,
                 "Initializer of the recurrent kernel (identity with relu: IRNN)")
      ->capture_default_str()
      ->check(CLI::IsMember(initializers::AnyInitializer::names()).description("KERAS NAME"));
  app.add_option("--learning-rate", options.learning_rate, "Adam's learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--clipnorm", options.clipnorm, "Clip each gradient tensor to this norm")
      ->check(CLI::PositiveNumber);
  app.add_option("--clipvalue", options.clipvalue, "Clip each gradient element to [-c, c]")
      ->check(CLI::PositiveNumber);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("A SimpleRNN learns the adding problem: the sum of two marked values.");
  add_flags(app, options);
  CLI11_PARSE(app, argc, argv);
  examples::apply(options.common);

  Generator generator(options.common.seed);
  const Sequences train = make_sequences(options.samples, options.timesteps, generator);
  const Sequences validation = make_sequences(options.samples / 10, options.timesteps, generator);
  const Sequences test = make_sequences(options.samples / 10, options.timesteps, generator);

  models::Sequential model = build_model(options);
  model.compile({.optimizer = make_optimizer(options), .loss = "mse"});
  model.fit(train.x, train.y,
            {.batch_size = options.common.batch_size,
             .epochs = options.common.epochs,
             .verbose = options.common.verbose,
             .callbacks = {examples::history_csv(options.common, "adding_problem")},
             .validation_data = models::ValidationData{validation.x, validation.y}});
  examples::plot_history(options.common, "adding_problem",
                         {.title = fmt::format("adding_problem, T={}", options.timesteps),
                          .loss_label = "mean squared error"});

  const double test_mse = model.evaluate(test.x, test.y, {.verbose = 0}).at("loss");
  const double baseline = losses::MeanSquaredError()(test.y, Tensor::ones(test.y.shape())).item();
  fmt::print("adding_problem: T={} test mse {:.4f} (baseline {:.3f})\n", options.timesteps,
             test_mse, baseline);
  if (test_mse > required_mse) {
    fmt::print("adding_problem: FAILED: expected a test mse of at most {}\n", required_mse);
    return 1;
  }
  return 0;
}

// Sine forecasting: a SimpleRNN reads a window of a noisy mixture of sines and predicts the next
// value. The series is split in time into training, validation and test parts; the trained model
// must beat the naive forecast "the next value equals the last one" on the test part by 5x. Its
// weights are saved, loaded into a freshly built model, and that model shows a few forecasts.
//   sine_forecast [--window 32] [--units 32] [--noise 0.05] [--samples 10000] [--epochs 30] ...
//   (--help lists every flag)
//   mpirun -np 2 sine_forecast --distributed ...   trains data-parallel; rank 0 does the output
#include <example_support.h>
#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

using namespace rnnkit;

namespace {

struct Options {
  examples::CommonOptions common{.epochs = 30, .batch_size = 32};
  std::int64_t window = 32;
  std::int64_t units = 32;
  double noise = 0.05;
  std::int64_t samples = 10000;
  double learning_rate = 1e-3;
};

struct Windows {
  Tensor x;  // [N, window, 1]
  Tensor y;  // [N, 1]: the value right after each window
};

constexpr double required_improvement = 5.0;

// Three sines of unrelated periods (25, 60 and 9.3 steps) plus Gaussian noise.
std::vector<double> noisy_series(std::int64_t length, double noise, Generator& generator) {
  const double two_pi = 2.0 * std::numbers::pi;
  std::vector<double> series(static_cast<std::size_t>(length));
  for (std::int64_t t = 0; t < length; ++t) {
    series[t] = std::sin(two_pi * t / 25.0) + 0.5 * std::sin(two_pi * t / 60.0 + 1.0) +
                0.3 * std::sin(two_pi * t / 9.3) + generator.normal(0.0, noise);
  }
  return series;
}

// Every run of `window` consecutive values of series[begin, end), with the value after it.
Windows make_windows(const std::vector<double>& series, std::int64_t begin, std::int64_t end,
                     std::int64_t window) {
  const std::int64_t count = end - begin - window;
  Tensor x = Tensor::empty({count, window, 1});
  Tensor y = Tensor::empty({count, 1});
  float* xs = x.mutable_data<float>();
  float* ys = y.mutable_data<float>();
  for (std::int64_t n = 0; n < count; ++n) {
    for (std::int64_t t = 0; t < window; ++t) {
      xs[n * window + t] = static_cast<float>(series[begin + n + t]);
    }
    ys[n] = static_cast<float>(series[begin + n + window]);
  }
  return {x, y};
}

// The same architecture twice: once to train, once to receive the saved weights.
models::Sequential build_model(std::int64_t units) {
  return models::Sequential(layers::SimpleRNN(units), layers::Dense(1));
}

double last_value_mse(const Windows& data) {
  const Tensor last_value = select(data.x, 1, data.x.size(1) - 1);
  return losses::MeanSquaredError()(data.y, last_value).item();
}

void show_forecasts(models::Sequential& model, const Windows& data, std::int64_t count) {
  count = std::min(count, data.x.size(0));
  const Tensor forecast = model.predict(slice(data.x, 0, 0, count));
  fmt::print("{:>6} {:>10} {:>10} {:>10}\n", "window", "last", "forecast", "truth");
  for (std::int64_t n = 0; n < count; ++n) {
    fmt::print("{:>6} {:>10.4f} {:>10.4f} {:>10.4f}\n", n, data.x.at({n, data.x.size(1) - 1, 0}),
               forecast.at({n, 0}), data.y.at({n, 0}));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("A SimpleRNN forecasts the next value of a noisy mixture of sines.");
  examples::add_common_flags(app, options.common);
  examples::add_distributed_flag(app, options.common);
  app.add_option("--window", options.window, "Values the model sees before each forecast")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  app.add_option("--units", options.units, "SimpleRNN units")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--noise", options.noise, "Standard deviation of the noise")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--samples", options.samples, "Length of the series (70/15/15% train/val/test)")
      ->capture_default_str()
      ->check(CLI::Range(100, 10'000'000));
  app.add_option("--learning-rate", options.learning_rate, "Adam's learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (options.samples * 15 / 100 <= options.window) {
    fmt::print(stderr, "sine_forecast: --samples {} leaves the test part shorter than a window\n",
               options.samples);
    return 2;
  }
  examples::apply(options.common);
  const std::shared_ptr<models::Distribution> distribution =
      examples::start_distribution(options.common);
  const bool chief = !distribution || distribution->rank() == 0;

  Generator generator(options.common.seed);
  const std::vector<double> series = noisy_series(options.samples, options.noise, generator);
  const std::int64_t train_end = options.samples * 70 / 100;
  const std::int64_t validation_end = options.samples * 85 / 100;
  const Windows train = make_windows(series, 0, train_end, options.window);
  const Windows validation = make_windows(series, train_end, validation_end, options.window);
  const Windows test = make_windows(series, validation_end, options.samples, options.window);

  models::Sequential model = build_model(options.units);
  model.set_distribution(distribution);
  model.compile(
      {.optimizer = optim::Adam({.learning_rate = options.learning_rate}), .loss = "mse"});
  model.fit(train.x, train.y,
            {.batch_size = options.common.batch_size,
             .epochs = options.common.epochs,
             .verbose = options.common.verbose,
             .callbacks = {examples::history_csv(options.common, "sine_forecast")},
             .validation_data = models::ValidationData{validation.x, validation.y}});
  const double test_mse = model.evaluate(test.x, test.y, {.verbose = 0}).at("loss");
  const double baseline = last_value_mse(test);
  const double improvement = baseline / test_mse;
  // Every rank holds the same trained model; rank 0 alone draws, writes and prints.
  if (!chief) return improvement < required_improvement ? 1 : 0;
  examples::plot_history(options.common, "sine_forecast",
                         {.title = "sine_forecast", .loss_label = "mean squared error"});

  const std::filesystem::path weights = options.common.out_dir / "sine_forecast.weights.rnnkit";
  model.save_weights(weights);
  models::Sequential reloaded = build_model(options.units);
  reloaded.build({options.window, 1});
  reloaded.load_weights(weights);
  fmt::print("forecasts of the model reloaded from {}:\n", weights.string());
  show_forecasts(reloaded, test, 5);

  fmt::print("sine_forecast: test mse {:.5f}, last-value baseline mse {:.5f} ({:.1f}x {})\n",
             test_mse, baseline, improvement >= 1.0 ? improvement : 1.0 / improvement,
             improvement >= 1.0 ? "better" : "worse");
  if (improvement < required_improvement) {
    fmt::print("sine_forecast: FAILED: expected at least {:.0f}x better than the baseline\n",
               required_improvement);
    return 1;
  }
  return 0;
}

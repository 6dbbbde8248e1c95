// Quick start: a SimpleRNN learns to continue a noisy sine wave (windows of 24 samples -> the
// next sample), written as a plain training loop over rnnkit's layers, losses and optimizers.
//   quickstart [--epochs N]   (default 40; --help prints the usage)
#include <rnnkit/rnnkit.h>

#include <CLI/CLI.hpp>
#include <cmath>

using namespace rnnkit;

namespace {

struct Windows {
  Tensor x;  // [N, T, 1]
  Tensor y;  // [N, 1]
};

// Windows of a sum of two sines with a little noise; the target is the value after the window.
Windows make_windows(std::int64_t count, std::int64_t steps, Generator& generator) {
  Tensor x = Tensor::empty({count, steps, 1});
  Tensor y = Tensor::empty({count, 1});
  float* xs = x.mutable_data<float>();
  float* ys = y.mutable_data<float>();
  const auto wave = [&](double t) {
    return std::sin(0.21 * t) + 0.5 * std::sin(0.05 * t) + generator.normal(0.0, 0.02);
  };
  for (std::int64_t n = 0; n < count; ++n) {
    const double start = generator.uniform(0.0, 1000.0);
    for (std::int64_t t = 0; t < steps; ++t)
      xs[n * steps + t] = static_cast<float>(wave(start + t));
    ys[n] = static_cast<float>(wave(start + steps));
  }
  return {x, y};
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 40;
  CLI::App app(
      "A SimpleRNN learns to continue a noisy sine wave, in a hand-written training loop.");
  app.add_option("--epochs", epochs, "Training epochs")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  set_global_seed(42);
  Generator data(7);
  const Windows train = make_windows(512, 24, data);
  const Windows test = make_windows(256, 24, data);

  layers::SimpleRNN rnn({.units = 32});
  Variable head("head/kernel:0", initializers::GlorotUniform()({32, 1}));
  Variable head_bias("head/bias:0", Tensor::zeros({1}));
  optim::Adam adam({.learning_rate = 1e-2});
  const losses::MeanSquaredError mse;
  const auto predict = [&](const Tensor& x, bool training) {
    Tensor last = rnn(x, {.training = training});
    return matmul(last, head.value()) + head_bias.value();
  };

  const std::int64_t batch = 64;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    double total = 0.0;
    for (std::int64_t start = 0; start < 512; start += batch) {
      Tensor x = slice(train.x, 0, start, start + batch);
      Tensor y = slice(train.y, 0, start, start + batch);
      Tensor loss = mse(y, predict(x, true));
      for (const Tensor& penalty : rnn.losses()) loss = loss + penalty;  // regularizers, if any
      loss.backward();
      std::vector<Variable> weights = rnn.trainable_weights();
      weights.push_back(head);
      weights.push_back(head_bias);
      adam.apply(weights);
      for (Variable& w : weights) w.zero_grad();
      total += loss.item();
    }
    if (epoch % 10 == 0 || epoch == epochs)
      fmt::print("epoch {:3d}  train mse {:.5f}\n", epoch, total / 8);
  }

  NoGradGuard inference;
  const double test_mse = mse(test.y, predict(test.x, false)).item();
  // The naive forecast repeats the window's last value.
  const Tensor last_value = select(test.x, 1, 23);
  const double baseline = mse(test.y, last_value).item();
  const bool beats_baseline = test_mse < baseline;
  fmt::print("quickstart: test mse {:.5f}, last-value baseline mse {:.5f} ({:.1f}x {})\n", test_mse,
             baseline, beats_baseline ? baseline / test_mse : test_mse / baseline,
             beats_baseline ? "better" : "worse");
  return beats_baseline ? 0 : 1;
}

// The libtorch anchor's workload through rnnkit's public API: SimpleRNN(H, tanh), Dense(1) on
// the last output, MSE against fixed targets, Adam(1e-3), inputs N(0, 1) of shape [B, T, I];
// 5 warm-up steps, then `steps` timed ones. Prints one line in the anchors' format.
//
//   bench_simple_rnn B T I H steps [--threads N] [--dropout R] [--recurrent-dropout R]
//                                  [--mask] [--dtype f32|f64] [--memory]
#include <fmt/core.h>
#include <rnnkit/rnnkit.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

using namespace rnnkit;

namespace {

struct Workload {
  std::int64_t batch = 32;
  std::int64_t timesteps = 50;
  std::int64_t inputs = 16;
  std::int64_t units = 64;
  int steps = 100;
  int threads = 0;
  double dropout = 0.0;
  double recurrent_dropout = 0.0;
  bool mask = false;
  std::string dtype = "f32";
  bool memory = false;
};

// A padding mask: each sequence keeps a random length in [T/2, T], padded at the end.
Tensor padding_mask(std::int64_t batch, std::int64_t timesteps, Generator& generator) {
  std::vector<double> values(static_cast<std::size_t>(batch * timesteps), 0.0);
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto length = static_cast<std::int64_t>(
        generator.uniform(static_cast<double>(timesteps / 2), static_cast<double>(timesteps) + 1));
    for (std::int64_t t = 0; t < std::min(length, timesteps); ++t) {
      values[static_cast<std::size_t>(b * timesteps + t)] = 1.0;
    }
  }
  return Tensor::from_values({batch, timesteps}, values, DType::boolean);
}

long peak_resident_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  Workload w;
  CLI::App app("rnnkit SimpleRNN training-step benchmark (the anchors' workload)");
  app.add_option("B", w.batch, "Batch size")->check(CLI::PositiveNumber);
  app.add_option("T", w.timesteps, "Timesteps")->check(CLI::PositiveNumber);
  app.add_option("I", w.inputs, "Input features")->check(CLI::PositiveNumber);
  app.add_option("H", w.units, "Hidden units")->check(CLI::PositiveNumber);
  app.add_option("steps", w.steps, "Timed steps")->check(CLI::PositiveNumber);
  app.add_option("--threads", w.threads, "OpenMP threads (0: rnnkit's default)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--dropout", w.dropout, "Input dropout rate")->check(CLI::Range(0.0, 0.99));
  app.add_option("--recurrent-dropout", w.recurrent_dropout, "Recurrent dropout rate")
      ->check(CLI::Range(0.0, 0.99));
  app.add_flag("--mask", w.mask, "A random padding mask (the per-step path)");
  app.add_option("--dtype", w.dtype, "f32 or f64")->check(CLI::IsMember({"f32", "f64"}));
  app.add_flag("--memory", w.memory, "Also print the peak resident memory");
  CLI11_PARSE(app, argc, argv);

  if (w.threads > 0) set_num_threads(w.threads);
  set_global_seed(0);
  const DType dtype = parse_float_dtype(w.dtype);
  Generator generator(0);
  const Tensor x = Tensor::normal({w.batch, w.timesteps, w.inputs}, 0.0, 1.0, generator, dtype);
  const Tensor y = Tensor::normal({w.batch, 1}, 0.0, 1.0, generator, dtype);
  const Tensor mask = w.mask ? padding_mask(w.batch, w.timesteps, generator) : Tensor();

  models::Sequential model(layers::SimpleRNN(w.units, {.dropout = w.dropout,
                                                       .recurrent_dropout = w.recurrent_dropout,
                                                       .dtype = dtype}),
                           layers::Dense(1, {.dtype = dtype}));
  model.compile({.optimizer = optim::Adam({.learning_rate = 1e-3}), .loss = "mse"});

  for (int i = 0; i < 5; ++i) model.train_on_batch(x, y, mask);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < w.steps; ++i) model.train_on_batch(x, y, mask);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  fmt::print("rnnkit threads={} B={} T={} I={} H={}: {:.3f} ms/step, {:.1f} steps/s\n",
             num_threads(), w.batch, w.timesteps, w.inputs, w.units, 1e3 * seconds / w.steps,
             w.steps / seconds);
  if (w.memory) fmt::print("peak resident memory: {:.1f} MiB\n", peak_resident_kib() / 1024.0);
  return 0;
}

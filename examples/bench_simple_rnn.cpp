// The libtorch anchor's workload through rnnkit's public API: SimpleRNN(H, tanh), Dense(1) on
// the last output, MSE against fixed targets, Adam(1e-3), inputs N(0, 1) of shape [B, T, I];
// 5 warm-up steps (9 while the automatic thread choice times its trials), then `steps` timed
// ones. Prints one line in the anchors' format.
//
//   bench_simple_rnn B T I H steps [--threads N] [--dropout R] [--recurrent-dropout R]
//                                  [--mask padded|holes] [--dtype f32|f64] [--memory]
//                                  [--show-threads]
#include <fmt/core.h>
#include <rnnkit/rnnkit.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
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
  std::string mask;
  std::string dtype = "f32";
  bool memory = false;
  bool show_threads = false;
};

// "padded": each sequence keeps a random length in [T/2, T], padded at the end (the fused path
// runs it). "holes": every step is masked with probability 1/4 (the stepped path).
Tensor make_mask(const std::string& kind, std::int64_t batch, std::int64_t timesteps,
                 Generator& generator) {
  std::vector<double> values(static_cast<std::size_t>(batch * timesteps), 0.0);
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto length = static_cast<std::int64_t>(
        generator.uniform(static_cast<double>(timesteps / 2), static_cast<double>(timesteps) + 1));
    for (std::int64_t t = 0; t < timesteps; ++t) {
      const bool real =
          kind == "padded" ? t < length : t == 0 || generator.uniform(0.0, 1.0) >= 0.25;
      values[static_cast<std::size_t>(b * timesteps + t)] = real ? 1.0 : 0.0;
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
  app.add_option("--threads", w.threads,
                 "OpenMP threads for every kernel (0: rnnkit's per-problem choice)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--dropout", w.dropout, "Input dropout rate")->check(CLI::Range(0.0, 0.99));
  app.add_option("--recurrent-dropout", w.recurrent_dropout, "Recurrent dropout rate")
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--mask", w.mask,
                 "A random mask: \"padded\" at the end (fused path) or with \"holes\" "
                 "(stepped path)")
      ->check(CLI::IsMember({"padded", "holes"}));
  app.add_option("--dtype", w.dtype, "f32 or f64")->check(CLI::IsMember({"f32", "f64"}));
  app.add_flag("--memory", w.memory, "Also print the peak resident memory");
  app.add_flag("--show-threads", w.show_threads,
               "Also print the thread count chosen for each RNN kernel");
  CLI11_PARSE(app, argc, argv);

  if (w.threads > 0) set_num_threads(w.threads);
  set_global_seed(0);
  const DType dtype = parse_float_dtype(w.dtype);
  Generator generator(0);
  const Tensor x = Tensor::normal({w.batch, w.timesteps, w.inputs}, 0.0, 1.0, generator, dtype);
  const Tensor y = Tensor::normal({w.batch, 1}, 0.0, 1.0, generator, dtype);
  const Tensor mask =
      w.mask.empty() ? Tensor() : make_mask(w.mask, w.batch, w.timesteps, generator);

  models::Sequential model(layers::SimpleRNN(w.units, {.dropout = w.dropout,
                                                       .recurrent_dropout = w.recurrent_dropout,
                                                       .dtype = dtype}),
                           layers::Dense(1, {.dtype = dtype}));
  model.compile({.optimizer = optim::Adam({.learning_rate = 1e-3}), .loss = "mse"});

  // The automatic thread choice times its trials on the first steps; they belong to warm-up.
  const int warm_up = automatic_threads() ? std::max(5, thread_choice_executions()) : 5;
  for (int i = 0; i < warm_up; ++i) model.train_on_batch(x, y, mask);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < w.steps; ++i) model.train_on_batch(x, y, mask);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string threads = automatic_threads() ? fmt::format("auto({})", num_threads())
                                                  : fmt::format("{}", num_threads());
  fmt::print("rnnkit threads={} B={} T={} I={} H={}: {:.3f} ms/step, {:.1f} steps/s\n", threads,
             w.batch, w.timesteps, w.inputs, w.units, 1e3 * seconds / w.steps, w.steps / seconds);
  if (w.memory) fmt::print("peak resident memory: {:.1f} MiB\n", peak_resident_kib() / 1024.0);
  if (w.show_threads) {
    const std::vector<ThreadChoice> choices = thread_choices();
    // Choices are timed only while no other process competes for the cores.
    if (choices.empty() && competing_threads() >= 0.5) {
      fmt::print("threads chosen: none settled ({:.1f} threads of other processes were ready)\n",
                 competing_threads());
    }
    for (const ThreadChoice& choice : choices) {
      fmt::print("threads chosen for {}: {}\n", choice.problem, choice.threads);
    }
  }
  return 0;
}

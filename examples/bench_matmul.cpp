// The machine's GEMM ceiling: the best rate of an N x N x N float32 matmul through rnnkit (one
// oneDNN matmul primitive). A training step made of GEMMs cannot run faster than its FLOPs at
// this rate, which is how compare_anchors.sh bounds the large configurations.
//
//   bench_matmul [N] [--threads T] [--repeats R]
#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

using namespace rnnkit;

int main(int argc, char** argv) {
  std::int64_t n = 2048;
  int threads = 0;
  int repeats = 10;
  CLI::App app("rnnkit float32 GEMM rate (the ceiling of GEMM-bound steps)");
  app.add_option("N", n, "Matrix size")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "OpenMP threads (0: every core)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--repeats", repeats, "Timed products; the best counts")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  if (threads > 0) set_num_threads(threads);
  Generator generator(0);
  const Tensor a = Tensor::uniform({n, n}, -1.0, 1.0, generator);
  const Tensor b = Tensor::uniform({n, n}, -1.0, 1.0, generator);
  NoGradGuard no_grad;
  (void)matmul(a, b);  // creates the primitive
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    (void)matmul(a, b);
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double flops =
      2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  fmt::print("matmul threads={} N={}: {:.1f} GFLOP/s (best of {})\n", num_threads(), n,
             flops / best / 1e9, repeats);
}

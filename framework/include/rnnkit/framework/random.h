#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

namespace rnnkit {

/// A seeded pseudo-random stream (64-bit Mersenne Twister). Not shared between threads.
class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0);
  void seed(std::uint64_t seed);
  /// Uniform on [low, high).
  double uniform(double low = 0.0, double high = 1.0);
  /// Normal with `mean` and `stddev`.
  double normal(double mean = 0.0, double stddev = 1.0);
  /// A fresh 64-bit value, e.g. the seed of another generator.
  std::uint64_t next_seed();

 private:
  std::mt19937_64 engine_;
};

/// Seeds the process-wide generator from which unseeded initializers, layers and dropout
/// draw their seeds: after set_global_seed(s) a whole program is reproducible.
void set_global_seed(std::uint64_t seed);
/// A seed drawn from the process-wide generator (thread-safe).
std::uint64_t draw_global_seed();
/// `seed` if given, else a seed drawn from the process-wide generator.
std::uint64_t resolve_seed(std::optional<std::uint64_t> seed);

}  // namespace rnnkit

#include "rnnkit/framework/random.h"

namespace rnnkit {
namespace {

std::mutex global_mutex;
Generator& global_generator() {
  static Generator generator(0x5eed);
  return generator;
}

}  // namespace

Generator::Generator(std::uint64_t seed) : engine_(seed) {}
void Generator::seed(std::uint64_t seed) { engine_.seed(seed); }

double Generator::uniform(double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(engine_);
}

double Generator::normal(double mean, double stddev) {
  return std::normal_distribution<double>(mean, stddev)(engine_);
}

std::uint64_t Generator::next_seed() { return engine_(); }

void set_global_seed(std::uint64_t seed) {
  std::lock_guard lock(global_mutex);
  global_generator().seed(seed);
}

std::uint64_t draw_global_seed() {
  std::lock_guard lock(global_mutex);
  return global_generator().next_seed();
}

std::uint64_t resolve_seed(std::optional<std::uint64_t> seed) {
  return seed ? *seed : draw_global_seed();
}

}  // namespace rnnkit

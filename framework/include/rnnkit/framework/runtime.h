#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnkit {

/// Counters of the process-wide oneDNN primitive cache.
struct PrimitiveCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;
  std::size_t size = 0;
  std::size_t capacity = 0;
};

/// A snapshot of the primitive cache's counters (thread-safe).
PrimitiveCacheStats primitive_cache_stats();
/// Bounds the cache (least recently used primitives are evicted); must be >= 1.
void set_primitive_cache_capacity(std::size_t capacity);
/// Drops every cached primitive and zeroes the counters.
void clear_primitive_cache();

/// Threads used by oneDNN and Eigen kernels (OpenMP); n >= 1.
void set_num_threads(int n);
int num_threads();

}  // namespace rnnkit

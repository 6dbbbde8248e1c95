#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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

/// Frees the memory rnnkit keeps for reuse: tensors and RNN workspaces freed by earlier steps
/// (at most 1 GiB in 4096 blocks), which later allocations of a similar size take instead of
/// asking the system again.
void release_cached_memory();
/// Bytes of memory kept for reuse.
std::size_t cached_memory_bytes();

/// Fixes the number of threads of oneDNN and Eigen kernels (OpenMP) at n, for every problem
/// size and whatever the load: the automatic choice below is turned off. n must lie in
/// [1, 4 * processors]: more threads than processors only slow these kernels down. Throws
/// std::invalid_argument otherwise, and changes nothing.
void set_num_threads(int n);
/// The most threads a kernel uses (OpenMP's team size: OMP_NUM_THREADS, set_num_threads() or
/// every core).
int num_threads();

/// Whether the SimpleRNN's float32 sequence kernels (the fused RNN and the stepped recurrence)
/// pick their thread count per problem size: each size's first executions (an untimed warm-up,
/// then one thread and num_threads() four times each, in turns) are timed and the count with
/// the lower median is kept for that size; after that one execution in 64 runs on the other
/// count, and the choice flips when the other count wins two such checks in a row by 10%. Small
/// problems often run faster on one thread than on two. Automatic mode also runs element-wise
/// kernels, reductions and matmuls too small to repay a second thread on one. While threads of
/// other processes are ready to run (the running count of /proc/loadavg less this process's,
/// read every 10 ms and averaged), every kernel runs on the cores they leave free, at least
/// one, untimed: OpenMP threads spin while they wait for each other, and a team larger than the
/// free cores is slowed by orders of magnitude. On by default; off when OMP_NUM_THREADS is set
/// or after set_num_threads(). The count can change the last bits of a result: oneDNN's RNN
/// backward splits the sum behind the kernel's gradient between threads at some sizes (one
/// input feature among them), so bit-identical runs need a fixed count.
bool automatic_threads();
/// How many executions of one problem the automatic choice takes to settle (its warm-up
/// included): a benchmark that wants settled timings warms up at least this many steps.
int thread_choice_executions();
/// The threads of other processes ready to run on this process's processors, a recent average,
/// as the automatic choice reads it (/proc/loadavg's running count less this process's running
/// threads, scaled to the processors this process may use).
double competing_threads();
/// Turns the automatic choice on or off, forgetting the choices made so far.
void set_automatic_threads(bool on);

/// One settled automatic choice: a kernel and its sizes, and the threads it runs on.
struct ThreadChoice {
  std::string problem;
  int threads = 1;
};
/// The automatic choices settled so far, sorted by problem.
std::vector<ThreadChoice> thread_choices();

}  // namespace rnnkit

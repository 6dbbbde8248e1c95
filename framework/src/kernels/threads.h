#pragma once

// OpenMP thread counts: the user's fixed setting, or a per-problem choice between one thread
// and all of them, settled by timing a kernel's first executions of each problem and revised
// when the other count keeps winning later checks. While other processes take cores, every
// kernel runs on the cores they leave free (kernels/threads_load.h), untimed.

#include <cstdint>
#include <functional>
#include <string>

namespace rnnkit::kernels {

/// Runs `kernel` with the thread count chosen for `problem` (a key naming the kernel and its
/// sizes). While the choice is open, the first execution runs untimed with all threads, then
/// one thread and all threads take turns, four times each; the faster by its median time is
/// kept. Then one execution in 64 runs on the other count, and the choice flips when that count
/// beats the median of the chosen one's 15 latest times by 10%, twice in a row.
/// With a fixed thread count, or a single thread available, it just runs `kernel`.
void run_with_chosen_threads(const std::string& problem, const std::function<void()>& kernel);

/// Runs `kernel` on one thread when its `work` (elements touched, or multiply-adds for a
/// matmul) is too small to repay waking a second one and the thread count is automatic;
/// otherwise on the current count. Used by the small oneDNN kernels (element-wise, matmul,
/// reductions), whose results do not depend on the count.
void run_sized(std::int64_t work, const std::function<void()>& kernel);

/// The team a kernel runs on outside run_sized() and run_with_chosen_threads(): the cores other
/// processes leave free when the count is automatic, else the current count; inside either,
/// the count they chose.
int unchosen_team();

/// Runs `kernel` with an OpenMP team of `threads`, restoring the caller's count afterwards.
/// oneDNN fixes some kernels' thread count when it creates a primitive, so a primitive runs on
/// the team it was created with.
void run_on_team(int threads, const std::function<void()>& kernel);

}  // namespace rnnkit::kernels

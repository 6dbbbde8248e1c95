#include "kernels/threads.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "kernels/threads_load.h"
#include "rnnkit/framework/runtime.h"

namespace rnnkit {
namespace kernels {
namespace {

// A thread count set through OMP_NUM_THREADS is the user's choice, as set_num_threads() is.
std::atomic<bool>& automatic() {
  static std::atomic<bool> instance(std::getenv("OMP_NUM_THREADS") == nullptr);
  return instance;
}

// How many ScopedThreads are open on this thread: inside one, a kernel keeps the team chosen.
thread_local int open_scopes = 0;

// Sets this thread's OpenMP team size for one scope.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads) : previous_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
    ++open_scopes;
  }
  ~ScopedThreads() {
    --open_scopes;
    omp_set_num_threads(previous_);
  }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

// One untimed warm-up, then one thread and all threads in turns, four times each, compared by
// their medians: a virtual core that is sometimes taken away makes all-thread times bimodal,
// and a best-of-n then picks a count by its lucky runs.
constexpr int trials = 9;
// After that, one execution in 64 runs on the other count: a count that has become slower (a
// core taken by other work) is dropped once the other beats the median of its recent times
// twice running.
constexpr int check_every = 64;
constexpr std::size_t recent_kept = 15;
constexpr double clear_win = 0.9;
constexpr int wins_to_switch = 2;
constexpr std::size_t max_problems = 4096;
// Below this much work (elements, or multiply-adds) a second thread costs more to wake and join
// than it saves: a few microseconds, about a 32 K-element pass or a 64x64x32 matmul.
constexpr std::int64_t small_work = std::int64_t{1} << 17;
constexpr int max_threads_per_processor = 4;

// How one execution runs, and what its time means.
struct Plan {
  enum Kind { untimed, trial, chosen, check } kind = untimed;
  bool single = false;  // one thread, else all
  int index = -1;       // the trial's index, for Kind::trial
};

double median(std::vector<double> times) {
  const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  if (times.size() % 2 == 1) return *middle;
  return (*middle + *std::max_element(times.begin(), middle)) / 2;
}

struct Choice {
  int started = 0;
  int finished = 0;
  std::vector<double> single_trials, all_trials;
  bool settled = false;
  bool single = false;
  // Once settled: the chosen count's latest times (a ring), and the checks in a row the other
  // count won.
  std::vector<double> recent;
  std::size_t next_recent = 0;
  int since_check = 0;
  int other_wins = 0;
};

class Choices {
 public:
  Plan next(const std::string& problem) {
    std::lock_guard lock(mutex_);
    if (choices_.size() >= max_problems && !choices_.contains(problem)) {
      choices_.erase(choices_.begin());
    }
    Choice& choice = choices_[problem];
    if (!choice.settled) {
      // Trials still running on another thread: run on every core, untimed.
      if (choice.started == trials) return {};
      const int trial = choice.started++;
      // Odd trials run on one thread; the warm-up and the even trials on all of them.
      return {.kind = Plan::trial, .single = trial % 2 == 1, .index = trial};
    }
    if (++choice.since_check == check_every) {
      choice.since_check = 0;
      return {.kind = Plan::check, .single = !choice.single};
    }
    return {.kind = Plan::chosen, .single = choice.single};
  }

  void record(const std::string& problem, const Plan& plan, double seconds) {
    std::lock_guard lock(mutex_);
    Choice& choice = choices_[problem];
    switch (plan.kind) {
      case Plan::untimed:
        break;
      case Plan::trial:
        if (plan.index > 0)
          (plan.single ? choice.single_trials : choice.all_trials).push_back(seconds);
        if (++choice.finished == trials) {
          choice.settled = true;
          choice.single = median(choice.single_trials) < median(choice.all_trials);
        }
        break;
      case Plan::chosen:
        if (plan.single == choice.single) remember(choice, seconds);
        break;
      case Plan::check:
        if (plan.single != choice.single) record_check(choice, seconds);
        break;
    }
  }

  std::vector<ThreadChoice> settled(int all) {
    std::lock_guard lock(mutex_);
    std::vector<ThreadChoice> result;
    for (const auto& [problem, choice] : choices_) {
      if (choice.settled) result.push_back({problem, choice.single ? 1 : all});
    }
    std::sort(result.begin(), result.end(),
              [](const ThreadChoice& a, const ThreadChoice& b) { return a.problem < b.problem; });
    return result;
  }

  void clear() {
    std::lock_guard lock(mutex_);
    choices_.clear();
  }

 private:
  static void remember(Choice& choice, double seconds) {
    if (choice.recent.size() < recent_kept) {
      choice.recent.push_back(seconds);
    } else {
      choice.recent[choice.next_recent] = seconds;
      choice.next_recent = (choice.next_recent + 1) % recent_kept;
    }
  }

  static void record_check(Choice& choice, double seconds) {
    if (choice.recent.empty()) return;
    const bool won = seconds < clear_win * median(choice.recent);
    choice.other_wins = won ? choice.other_wins + 1 : 0;
    if (choice.other_wins == wins_to_switch) {
      choice.single = !choice.single;
      choice.other_wins = 0;
      choice.recent.clear();
      choice.next_recent = 0;
    }
  }

  std::mutex mutex_;
  std::unordered_map<std::string, Choice> choices_;
};

Choices& choices() {
  static Choices instance;
  return instance;
}

}  // namespace

void run_sized(std::int64_t work, const std::function<void()>& kernel) {
  const int all = omp_get_max_threads();
  if (!automatic() || all == 1) return kernel();
  const ScopedThreads threads(work < small_work ? 1 : free_team(all));
  kernel();
}

int unchosen_team() {
  const int all = omp_get_max_threads();
  if (!automatic() || all == 1 || open_scopes > 0) return all;
  return free_team(all);
}

void run_on_team(int threads, const std::function<void()>& kernel) {
  if (threads == omp_get_max_threads()) return kernel();
  const ScopedThreads scope(threads);
  kernel();
}

void run_with_chosen_threads(const std::string& problem, const std::function<void()>& kernel) {
  const int all = omp_get_max_threads();
  if (!automatic() || all == 1) return kernel();
  // While other processes take cores, run on the free ones; such times say nothing about a
  // quiet machine, so they are neither trials nor checks.
  if (const int free = free_team(all); free < all) {
    const ScopedThreads threads(free);
    return kernel();
  }
  const Plan plan = choices().next(problem);
  const ScopedThreads threads(plan.single ? 1 : all);
  const auto start = std::chrono::steady_clock::now();
  kernel();
  choices().record(problem, plan,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace kernels

void set_num_threads(int n) {
  // More threads than processors only slow these kernels down, and past some thousands the
  // system cannot create them (oneDNN then crashes).
  const int most = kernels::max_threads_per_processor * omp_get_num_procs();
  if (n < 1 || n > most) {
    throw std::invalid_argument(fmt::format(
        "set_num_threads: expected 1 <= n <= {} ({} per processor, {} processors), got {}", most,
        kernels::max_threads_per_processor, omp_get_num_procs(), n));
  }
  omp_set_num_threads(n);
  kernels::automatic() = false;
}

int num_threads() { return omp_get_max_threads(); }

void set_automatic_threads(bool on) {
  kernels::automatic() = on;
  kernels::choices().clear();
}

bool automatic_threads() { return kernels::automatic(); }

int thread_choice_executions() { return kernels::trials; }

double competing_threads() { return kernels::current_load().others_ready; }

std::vector<ThreadChoice> thread_choices() {
  return kernels::choices().settled(omp_get_max_threads());
}

}  // namespace rnnkit

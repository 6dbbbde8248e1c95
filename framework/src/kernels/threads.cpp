#include "kernels/threads.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "rnnkit/framework/runtime.h"

namespace rnnkit {
namespace kernels {
namespace {

// A thread count set through OMP_NUM_THREADS is the user's choice, as set_num_threads() is.
std::atomic<bool>& automatic() {
  static std::atomic<bool> instance(std::getenv("OMP_NUM_THREADS") == nullptr);
  return instance;
}

// Sets this thread's OpenMP team size for one scope.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads) : previous_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~ScopedThreads() { omp_set_num_threads(previous_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

// One untimed warm-up, then one thread and all threads in turns, four times each: the best of
// four rides out this machine's bursts of noise, which misled a best of two.
constexpr int trials = 9;
// After that, one execution in 64 runs on the other count: a count that has become slower (a
// core taken by other work) is dropped once the other beats its best recent time twice running.
constexpr int check_every = 64;
constexpr double clear_win = 0.9;
constexpr int wins_to_switch = 2;
constexpr std::size_t max_problems = 4096;

// How one execution runs, and what its time means.
struct Plan {
  enum Kind { untimed, trial, chosen, check } kind = untimed;
  bool single = false;  // one thread, else all
  int index = -1;       // the trial's index, for Kind::trial
};

struct Choice {
  int started = 0;
  int finished = 0;
  double best_single = std::numeric_limits<double>::infinity();
  double best_all = std::numeric_limits<double>::infinity();
  bool settled = false;
  bool single = false;
  // Once settled: the chosen count's best time since the last check, and the checks in a row
  // the other count won.
  double best_since_check = std::numeric_limits<double>::infinity();
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
        if (plan.index % 2 == 1) choice.best_single = std::min(choice.best_single, seconds);
        if (plan.index > 0 && plan.index % 2 == 0) {
          choice.best_all = std::min(choice.best_all, seconds);
        }
        if (++choice.finished == trials) {
          choice.settled = true;
          choice.single = choice.best_single < choice.best_all;
        }
        break;
      case Plan::chosen:
        if (plan.single == choice.single) {
          choice.best_since_check = std::min(choice.best_since_check, seconds);
        }
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
  static void record_check(Choice& choice, double seconds) {
    const bool won = seconds < clear_win * choice.best_since_check;
    choice.other_wins = won ? choice.other_wins + 1 : 0;
    choice.best_since_check = std::numeric_limits<double>::infinity();
    if (choice.other_wins == wins_to_switch) {
      choice.single = !choice.single;
      choice.other_wins = 0;
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

void run_with_chosen_threads(const std::string& problem, const std::function<void()>& kernel) {
  const int all = omp_get_max_threads();
  if (!automatic() || all == 1) return kernel();
  const Plan plan = choices().next(problem);
  const ScopedThreads threads(plan.single ? 1 : all);
  const auto start = std::chrono::steady_clock::now();
  kernel();
  choices().record(problem, plan,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace kernels

void set_num_threads(int n) {
  if (n < 1) {
    throw std::invalid_argument(fmt::format("set_num_threads: expected n >= 1, got {}", n));
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

std::vector<ThreadChoice> thread_choices() {
  return kernels::choices().settled(omp_get_max_threads());
}

}  // namespace rnnkit

#define BOOST_TEST_MODULE thread_choice
#include <rnnkit/framework/runtime.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "kernels/threads.h"
#include "kernels/threads_load.h"

// The automatic thread choice against kernels whose speed on one thread and on two is known:
// they sleep 1 ms on the fast count and 4 ms on the slow one.

using namespace rnnkit;
using namespace std::chrono_literals;

namespace {

// Two threads on a quiet machine, whatever the machine's real load; restores the fixed single
// thread the suite runs with (OMP_NUM_THREADS=1) and the system's load probe.
struct TwoThreadsAutomatic {
  TwoThreadsAutomatic() {
    set_num_threads(2);
    set_automatic_threads(true);
    kernels::set_load_probe([] { return kernels::Load{.processors = 2, .others_ready = 0}; });
  }
  ~TwoThreadsAutomatic() {
    kernels::set_load_probe({});
    set_num_threads(1);
  }
};

int chosen(const std::string& problem) {
  for (const ThreadChoice& choice : thread_choices()) {
    if (choice.problem == problem) return choice.threads;
  }
  return 0;
}

// Runs `problem` `count` times; one thread is the slow count when `single_slow()` says so.
template <class SingleSlow>
void run(const std::string& problem, int count, SingleSlow single_slow) {
  for (int i = 0; i < count; ++i) {
    kernels::run_with_chosen_threads(problem, [&] {
      const bool single = num_threads() == 1;
      std::this_thread::sleep_for(single == single_slow(single) ? 4ms : 1ms);
    });
  }
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(the_trials_pick_the_faster_count, TwoThreadsAutomatic) {
  run("one thread slow", thread_choice_executions(), [](bool) { return true; });
  run("two threads slow", thread_choice_executions(), [](bool) { return false; });
  BOOST_TEST(chosen("one thread slow") == 2);
  BOOST_TEST(chosen("two threads slow") == 1);
}

BOOST_FIXTURE_TEST_CASE(a_count_that_became_slower_is_dropped_after_two_lost_checks,
                        TwoThreadsAutomatic) {
  const std::string problem = "cores taken later";
  run(problem, thread_choice_executions(), [](bool) { return true; });
  BOOST_TEST_REQUIRE(chosen(problem) == 2);
  // Now two threads are the slow count. The first check (the 64th execution) is one win.
  run(problem, 100, [](bool) { return false; });
  BOOST_TEST(chosen(problem) == 2);
  // The second check (the 128th) makes two in a row: one thread from then on.
  run(problem, 28, [](bool) { return false; });
  BOOST_TEST(chosen(problem) == 1);
}

BOOST_FIXTURE_TEST_CASE(one_fast_check_alone_changes_nothing, TwoThreadsAutomatic) {
  const std::string problem = "one lucky check";
  run(problem, thread_choice_executions(), [](bool) { return true; });
  BOOST_TEST_REQUIRE(chosen(problem) == 2);
  // One thread is fast at the first check only; at the second it is slow again.
  int single_runs = 0;
  run(problem, 128, [&](bool single) { return !single || ++single_runs > 1; });
  BOOST_TEST(single_runs == 2);
  BOOST_TEST(chosen(problem) == 2);
}

BOOST_FIXTURE_TEST_CASE(small_kernels_run_on_one_thread_unless_the_count_is_fixed,
                        TwoThreadsAutomatic) {
  const auto threads_seen = [](std::int64_t work) {
    int seen = 0;
    kernels::run_sized(work, [&] { seen = num_threads(); });
    return seen;
  };
  BOOST_TEST(threads_seen(1000) == 1);
  BOOST_TEST(threads_seen(std::int64_t{1} << 24) == 2);
  BOOST_TEST(num_threads() == 2);  // the caller's count is restored
  set_num_threads(2);              // a fixed count: every kernel uses it
  BOOST_TEST(threads_seen(1000) == 2);
}

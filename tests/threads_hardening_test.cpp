#define BOOST_TEST_MODULE threads_hardening
#include <omp.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/runtime.h>
#include <rnnkit/framework/tensor.h>

#include <boost/test/unit_test.hpp>
#include <climits>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/threads.h"
#include "kernels/threads_load.h"

// Thread-count bounds, and the automatic choice on a machine whose cores other processes take:
// the load is a probe the tests set, never the machine's.

using namespace rnnkit;

namespace {

// Restores the fixed single thread the suite runs with (OMP_NUM_THREADS=1) and the system's
// load probe.
struct TwoThreadsAutomatic {
  TwoThreadsAutomatic() {
    set_num_threads(2);
    set_automatic_threads(true);
  }
  ~TwoThreadsAutomatic() {
    kernels::set_load_probe({});
    set_num_threads(1);
  }
};

void set_others_ready(double others) {
  kernels::set_load_probe(
      [others] { return kernels::Load{.processors = 2, .others_ready = others}; });
}

int threads_of_sized(std::int64_t work) {
  int seen = 0;
  kernels::run_sized(work, [&] { seen = num_threads(); });
  return seen;
}

int threads_of_chosen(const std::string& problem) {
  int seen = 0;
  kernels::run_with_chosen_threads(problem, [&] { seen = num_threads(); });
  return seen;
}

constexpr std::int64_t large_work = std::int64_t{1} << 24;

}  // namespace

BOOST_AUTO_TEST_CASE(a_thread_count_far_beyond_the_processors_is_refused_and_changes_nothing) {
  const TwoThreadsAutomatic restore;
  set_num_threads(2);
  for (const int n : {1000000, INT_MAX}) {
    try {
      set_num_threads(n);
      BOOST_FAIL("set_num_threads(" << n << ") was accepted");
    } catch (const std::invalid_argument& error) {
      const std::string message = error.what();
      BOOST_TEST(message.find("set_num_threads") != std::string::npos, message);
      BOOST_TEST(message.find("per processor") != std::string::npos, message);
      BOOST_TEST(message.find("got " + std::to_string(n)) != std::string::npos, message);
    }
    BOOST_TEST(num_threads() == 2);
    BOOST_TEST(!automatic_threads());
  }
}

BOOST_AUTO_TEST_CASE(a_non_positive_count_is_refused_and_changes_nothing) {
  const TwoThreadsAutomatic restore;
  BOOST_CHECK_EXCEPTION(set_num_threads(0), std::invalid_argument, [](const auto& error) {
    return std::string(error.what()).find("got 0") != std::string::npos;
  });
  BOOST_TEST(num_threads() == 2);
  BOOST_TEST(automatic_threads());
}

BOOST_FIXTURE_TEST_CASE(large_kernels_use_the_cores_other_processes_leave_free,
                        TwoThreadsAutomatic) {
  set_others_ready(0);
  BOOST_TEST(threads_of_sized(large_work) == 2);
  set_others_ready(1);
  BOOST_TEST(threads_of_sized(large_work) == 1);
  set_others_ready(5);
  BOOST_TEST(threads_of_sized(large_work) == 1);
  set_others_ready(0);
  BOOST_TEST(threads_of_sized(large_work) == 2);
  BOOST_TEST(num_threads() == 2);  // the caller's count is restored
}

BOOST_FIXTURE_TEST_CASE(chosen_kernels_run_on_the_free_cores_while_others_compete,
                        TwoThreadsAutomatic) {
  const std::string problem = "busy machine";
  set_others_ready(1);
  for (int i = 0; i < 3 * thread_choice_executions(); ++i) {
    BOOST_TEST_REQUIRE(threads_of_chosen(problem) == 1);
  }
  // Executions on a busy machine are no trials: the choice is still open when it is quiet.
  BOOST_TEST(thread_choices().empty());
  set_others_ready(0);
  BOOST_TEST(threads_of_chosen(problem) == 2);  // the trials' untimed warm-up
}

BOOST_FIXTURE_TEST_CASE(a_fixed_count_is_kept_whatever_the_load, TwoThreadsAutomatic) {
  set_num_threads(2);
  set_others_ready(1);
  BOOST_TEST(threads_of_sized(large_work) == 2);
  BOOST_TEST(threads_of_chosen("fixed") == 2);
}

BOOST_FIXTURE_TEST_CASE(every_other_kernel_runs_on_the_free_cores_unless_a_choice_is_in_force,
                        TwoThreadsAutomatic) {
  set_others_ready(0);
  BOOST_TEST(kernels::unchosen_team() == 2);
  set_others_ready(1);
  BOOST_TEST(kernels::unchosen_team() == 1);
  // A load that rises during a chosen execution (here the trials' warm-up, on two threads)
  // leaves the rest of that execution on its team.
  set_others_ready(0);
  int inside = 0;
  kernels::run_with_chosen_threads("load rises", [&] {
    set_others_ready(1);
    inside = kernels::unchosen_team();
  });
  BOOST_TEST(inside == 2);
  set_num_threads(2);
  BOOST_TEST(kernels::unchosen_team() == 2);
}

BOOST_FIXTURE_TEST_CASE(a_kernel_runs_on_the_team_asked_for_and_the_count_is_restored,
                        TwoThreadsAutomatic) {
  int seen = 0;
  kernels::run_on_team(1, [&] { seen = num_threads(); });
  BOOST_TEST(seen == 1);
  BOOST_TEST(num_threads() == 2);
}

// oneDNN fixes some kernels' thread partition when it creates a primitive, so a kernel the load
// puts on one thread gets a primitive of its own, and each team's primitive is reused.
BOOST_FIXTURE_TEST_CASE(each_team_runs_a_primitive_made_for_it, TwoThreadsAutomatic) {
  Generator generator(1);
  const Tensor x = Tensor::uniform({std::int64_t{1} << 18}, -1.0, 1.0, generator);
  clear_primitive_cache();
  set_others_ready(0);
  const std::vector<double> on_two = tanh(x).to_vector();
  const std::uint64_t made_for_two = primitive_cache_stats().misses;
  BOOST_TEST_REQUIRE(made_for_two > 0u);
  set_others_ready(1);
  const std::vector<double> on_one = tanh(x).to_vector();
  BOOST_TEST(primitive_cache_stats().misses == 2 * made_for_two);
  BOOST_TEST(primitive_cache_stats().hits == 0u);
  set_others_ready(0);
  tanh(x);
  BOOST_TEST(primitive_cache_stats().misses == 2 * made_for_two);
  BOOST_TEST(primitive_cache_stats().hits == made_for_two);
  BOOST_TEST(on_one == on_two);  // element-wise: the same bits on any team
}

BOOST_AUTO_TEST_CASE(the_machines_load_is_read_from_proc_and_shown_by_competing_threads) {
  // The real reading: this process's processors, and a finite, non-negative count of other
  // processes' ready threads (whatever else runs on the machine now).
  const kernels::Load load = kernels::system_load();
  BOOST_TEST(load.processors == omp_get_num_procs());
  BOOST_TEST(std::isfinite(load.others_ready));
  BOOST_TEST(load.others_ready >= 0.0);
  // competing_threads() is what the automatic choice reads.
  TwoThreadsAutomatic restore;
  set_others_ready(1.5);
  BOOST_TEST(competing_threads() == 1.5);
  kernels::set_load_probe({});
  BOOST_TEST(competing_threads() >= 0.0);
}

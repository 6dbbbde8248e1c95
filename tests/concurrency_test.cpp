#define BOOST_TEST_MODULE concurrency
#include <rnnkit/framework/random.h>
#include <rnnkit/initializers/initializers.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using layers::Dense;
using layers::SimpleRNN;
using models::Sequential;
using testing::random_tensor;
using testing::same_values;

namespace {

// A model configuration that picks one of SimpleRNN's paths; every random draw (initializers,
// dropout masks) has an explicit seed, and fit does not shuffle, so a model's training never
// touches the process-wide random stream.
struct Setup {
  std::string name;
  DType dtype = DType::f32;
  double recurrent_dropout = 0.0;
};

std::ostream& operator<<(std::ostream& out, const Setup& setup) { return out << setup.name; }

const std::vector<Setup> setups = {
    {.name = "fused oneDNN path (float32)"},
    {.name = "per-step path (recurrent dropout)", .recurrent_dropout = 0.2},
    {.name = "per-step path (float64)", .dtype = DType::f64},
};

// Builds and trains one model from `seed`; returns its weights.
std::vector<Tensor> train(const Setup& setup, std::uint64_t seed) {
  Sequential model(
      SimpleRNN(8, {.kernel_initializer = initializers::GlorotUniform({.seed = seed}),
                    .recurrent_initializer = initializers::Orthogonal({.seed = seed + 1}),
                    .dropout = 0.1,
                    .recurrent_dropout = setup.recurrent_dropout,
                    .seed = seed + 2,
                    .dtype = setup.dtype}),
      Dense(1, {.kernel_initializer = initializers::GlorotUniform({.seed = seed + 3}),
                .dtype = setup.dtype}));
  model.compile({.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse"});
  model.fit(random_tensor({64, 12, 3}, setup.dtype, seed + 4),
            random_tensor({64, 1}, setup.dtype, seed + 5),
            {.batch_size = 8, .epochs = 4, .verbose = 0, .shuffle = false});
  return model.get_weights();
}

// Runs every task in its own thread at once; rethrows the first exception any of them threw.
void run_together(const std::vector<std::function<void()>>& tasks) {
  std::vector<std::exception_ptr> errors(tasks.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        tasks[i]();
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace

BOOST_DATA_TEST_CASE(two_models_trained_at_once_match_the_same_models_trained_in_turn,
                     boost::unit_test::data::make(setups), setup) {
  const std::vector<Tensor> first = train(setup, 100);
  const std::vector<Tensor> second = train(setup, 200);
  BOOST_TEST_REQUIRE(!same_values(first, second));  // the seeds do make different models
  // Repeated, so that the threads interleave differently each time.
  for (int round = 0; round < 3; ++round) {
    std::vector<Tensor> first_concurrent, second_concurrent;
    run_together({[&] { first_concurrent = train(setup, 100); },
                  [&] { second_concurrent = train(setup, 200); }});
    BOOST_TEST(same_values(first_concurrent, first));
    BOOST_TEST(same_values(second_concurrent, second));
  }
}

BOOST_AUTO_TEST_CASE(the_process_wide_stream_hands_out_each_seed_once_across_threads) {
  // Shared, so which thread gets which seed depends on timing, but no draw is lost or repeated:
  // together the threads get exactly the seeds one thread would have drawn.
  constexpr int draws = 2000;
  set_global_seed(11);
  std::vector<std::uint64_t> alone(2 * draws);
  for (std::uint64_t& seed : alone) seed = draw_global_seed();

  set_global_seed(11);
  std::vector<std::uint64_t> first(draws), second(draws);
  run_together({[&] { std::ranges::generate(first, draw_global_seed); },
                [&] { std::ranges::generate(second, draw_global_seed); }});
  std::vector<std::uint64_t> together = first;
  together.insert(together.end(), second.begin(), second.end());
  std::ranges::sort(together);
  std::ranges::sort(alone);
  BOOST_TEST(together == alone);
}

BOOST_AUTO_TEST_CASE(default_layer_names_stay_unique_across_threads) {
  constexpr int layers_per_thread = 200;
  std::vector<std::string> first, second;
  auto make = [](std::vector<std::string>& names) {
    for (int i = 0; i < layers_per_thread; ++i) names.push_back(Dense(1).name());
  };
  run_together({[&] { make(first); }, [&] { make(second); }});
  std::vector<std::string> all = first;
  all.insert(all.end(), second.begin(), second.end());
  std::ranges::sort(all);
  BOOST_TEST((std::ranges::adjacent_find(all) == all.end()));
}

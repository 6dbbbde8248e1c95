#define BOOST_TEST_MODULE hardening_layers
#include <rnnkit/layers/rnn.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/layers/simple_rnn_cell.h>
#include <rnnkit/models/sequential.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using layers::SimpleRNN;
using testing::same_values;

namespace {

double sum_abs(const Tensor& x) {
  double total = 0.0;
  for (double v : x.to_vector()) total += std::abs(v);
  return total;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(build_with_unknown_dimensions)

BOOST_AUTO_TEST_CASE(rnn_build_accepts_unknown_batch_and_timesteps) {
  SimpleRNN rnn(4);
  rnn.build({-1, -1, 3});
  BOOST_TEST(rnn.built());
  BOOST_TEST((rnn.cell().kernel().value().shape() == Shape{3, 4}));
  const Tensor y = rnn(Tensor::ones({2, 6, 3}));
  BOOST_TEST((y.shape() == Shape{2, 4}));
}

BOOST_AUTO_TEST_CASE(time_major_build_accepts_unknown_timesteps_and_batch) {
  SimpleRNN rnn(4, {.time_major = true});
  rnn.build({-1, -1, 3});
  BOOST_TEST((rnn.cell().kernel().value().shape() == Shape{3, 4}));
}

BOOST_AUTO_TEST_CASE(rnn_build_agrees_with_sequential_build) {
  models::Sequential model{SimpleRNN(4)};
  model.build({-1, 3});
  SimpleRNN rnn(4);
  rnn.build({-1, -1, 3});
  const auto& built_by_model = dynamic_cast<const SimpleRNN&>(*model.layers().at(0));
  BOOST_TEST(
      (built_by_model.cell().kernel().value().shape() == rnn.cell().kernel().value().shape()));
}

BOOST_AUTO_TEST_CASE(unknown_features_are_refused_naming_the_shape) {
  SimpleRNN rnn(4);
  RNNKIT_CHECK_THROWS(rnn.build({-1, -1, -1}), std::invalid_argument, "SimpleRNN", "features",
                      "[-1, -1, -1]");
  BOOST_TEST(!rnn.built());
}

BOOST_AUTO_TEST_CASE(negative_sizes_other_than_unknown_are_refused_naming_the_shape) {
  SimpleRNN rnn(4);
  RNNKIT_CHECK_THROWS(rnn.build({-2, 5, 3}), std::invalid_argument, "SimpleRNN", "[-2, 5, 3]");
  BOOST_TEST(!rnn.built());
}

BOOST_AUTO_TEST_CASE(stateful_build_needs_the_batch_size) {
  SimpleRNN rnn(4, {.stateful = true});
  RNNKIT_CHECK_THROWS(rnn.build({-1, 5, 3}), std::invalid_argument, "SimpleRNN", "stateful",
                      "batch size", "[-1, 5, 3]");
  BOOST_TEST(!rnn.built());
  rnn.build({2, -1, 3});
  BOOST_TEST((rnn.states().at(0).shape() == Shape{2, 4}));
}

BOOST_AUTO_TEST_CASE(a_built_layer_refuses_other_features_with_unknown_sizes) {
  SimpleRNN rnn(4);
  rnn.build({-1, -1, 3});
  const std::vector<Tensor> before = rnn.get_weights();
  RNNKIT_CHECK_THROWS(rnn.build({-1, -1, 5}), std::invalid_argument, "SimpleRNN", "[-1, -1, 5]");
  BOOST_TEST(same_values(rnn.get_weights(), before));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(get_initial_state_arguments)

BOOST_AUTO_TEST_CASE(a_negative_batch_size_is_refused_by_the_cell) {
  layers::SimpleRNNCell cell(4, {.name = "cell"});
  RNNKIT_CHECK_THROWS(cell.get_initial_state(-1, DType::f32), std::invalid_argument,
                      "SimpleRNNCell 'cell'", "get_initial_state", "batch_size", "-1");
}

BOOST_AUTO_TEST_CASE(a_non_float_dtype_is_refused_by_the_cell) {
  layers::SimpleRNNCell cell(4, {.name = "cell"});
  RNNKIT_CHECK_THROWS(cell.get_initial_state(2, DType::i64), std::invalid_argument,
                      "SimpleRNNCell 'cell'", "get_initial_state", "dtype", "int64");
}

BOOST_AUTO_TEST_CASE(valid_arguments_give_zero_states) {
  layers::SimpleRNNCell cell(4);
  const std::vector<Tensor> states = cell.get_initial_state(2, DType::f64);
  BOOST_TEST_REQUIRE(states.size() == 1u);
  BOOST_TEST((states[0].shape() == Shape{2, 4}));
  BOOST_TEST(states[0].dtype() == DType::f64);
  BOOST_TEST(sum_abs(states[0]) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

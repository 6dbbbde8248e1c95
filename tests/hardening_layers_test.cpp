#define BOOST_TEST_MODULE hardening_layers
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/layers/abstract_rnn_cell.h>
#include <rnnkit/layers/masking.h>
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
using layers::RNN;
using layers::SimpleRNN;
using testing::same_values;

namespace {

double sum_abs(const Tensor& x) {
  double total = 0.0;
  for (double v : x.to_vector()) total += std::abs(v);
  return total;
}

double sum_squares(const Tensor& x) {
  double total = 0.0;
  for (double v : x.to_vector()) total += v * v;
  return total;
}

std::vector<double> loss_values(const layers::Layer& layer) {
  std::vector<double> out;
  for (const Tensor& loss : layer.losses()) out.push_back(loss.item());
  return out;
}

/// Keras's regularizer test layer: SimpleRNN(5) with every weight regularized and an activity
/// regularizer. The factors are exact in float32, so the expected penalties are exact too.
SimpleRNN regularized_rnn() {
  return SimpleRNN(5, {.kernel_regularizer = regularizers::L1(0.5),
                       .recurrent_regularizer = regularizers::L1(0.25),
                       .bias_regularizer = regularizers::L2(0.75),
                       .activity_regularizer = regularizers::L1(0.125)});
}

/// The weight penalties of regularized_rnn() computed from the weights' values.
std::vector<double> expected_weight_penalties(const std::vector<Tensor>& weights) {
  return {0.5 * sum_abs(weights[0]), 0.25 * sum_abs(weights[1]), 0.75 * sum_squares(weights[2])};
}

void check_values(const std::vector<double>& actual, const std::vector<double>& expected) {
  BOOST_TEST_REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    BOOST_TEST(actual[i] == expected[i], boost::test_tools::tolerance(1e-6));
  }
}

/// What a cell's step returns when it breaks its contract with RNN.
enum class Misbehaviour { none, growing_state, rank3_output, no_states, short_initial_state };

/// A user cell, out = tanh(x·K + h·R), that breaks its contract on request.
class UnrulyCell : public layers::AbstractRNNCell {
 public:
  explicit UnrulyCell(Misbehaviour misbehaviour)
      : AbstractRNNCell({}, "unruly_cell"), misbehaviour_(misbehaviour) {}
  std::string class_name() const override { return "UnrulyCell"; }
  std::vector<std::int64_t> state_size() const override { return {3}; }
  std::int64_t output_size() const override { return 3; }
  void build(const Shape& input_shape) override {
    kernel_ = add_weight("kernel", {input_shape[1], 3}, "glorot_uniform");
    recurrent_ = add_weight("recurrent_kernel", {3, 3}, "orthogonal");
  }
  layers::CellOutput call(const Tensor& inputs, const std::vector<Tensor>& states, bool) override {
    const Tensor out =
        tanh(matmul(inputs, kernel_.value()) + matmul(states[0], recurrent_.value()));
    const std::int64_t batch = inputs.size(0);
    switch (misbehaviour_) {
      case Misbehaviour::growing_state:
        return {out, {concat({states[0], Tensor::ones({batch, 1}, states[0].dtype())}, 1)}};
      case Misbehaviour::rank3_output:
        return {out.reshape({batch, 1, 3}), {out}};
      case Misbehaviour::no_states:
        return {out, {}};
      default:
        return {out, {out}};
    }
  }
  std::vector<Tensor> get_initial_state(std::int64_t batch_size, DType dtype) const override {
    if (misbehaviour_ == Misbehaviour::short_initial_state) {
      return {Tensor::zeros({batch_size, 2}, dtype)};
    }
    return AbstractRNNCell::get_initial_state(batch_size, dtype);
  }
  void set_misbehaviour(Misbehaviour misbehaviour) { misbehaviour_ = misbehaviour; }

 private:
  Misbehaviour misbehaviour_;
  Variable kernel_, recurrent_;
};

UnrulyCell& unruly(RNN& rnn) { return dynamic_cast<UnrulyCell&>(rnn.cell()); }

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

BOOST_AUTO_TEST_SUITE(what_a_cell_returns_is_checked)

BOOST_AUTO_TEST_CASE(a_state_that_grows_is_refused_at_the_first_step) {
  RNN rnn(UnrulyCell(Misbehaviour::growing_state), {.return_state = true});
  RNNKIT_CHECK_THROWS(rnn(Tensor::ones({2, 45, 2})), std::invalid_argument, "RNN 'rnn",
                      "UnrulyCell 'unruly_cell", "step 0", "state 0", "[2, 3]", "[2, 4]");
}

BOOST_AUTO_TEST_CASE(a_rank3_output_is_refused_naming_the_shapes) {
  RNN rnn(UnrulyCell(Misbehaviour::rank3_output));
  RNNKIT_CHECK_THROWS(rnn(Tensor::ones({2, 4, 2})), std::invalid_argument, "UnrulyCell", "step 0",
                      "output", "[2, 3]", "[2, 1, 3]");
}

BOOST_AUTO_TEST_CASE(a_rank3_output_is_refused_under_a_mask_too) {
  RNN rnn(UnrulyCell(Misbehaviour::rank3_output));
  const Tensor mask = Tensor::from_values({2, 4}, {1, 1, 0, 1, 1, 0, 1, 1}, DType::boolean);
  RNNKIT_CHECK_THROWS(rnn(Tensor::ones({2, 4, 2}), {.mask = mask}), std::invalid_argument,
                      "UnrulyCell", "step 0", "output", "[2, 3]", "[2, 1, 3]");
}

BOOST_AUTO_TEST_CASE(a_missing_state_is_refused_under_a_mask) {
  RNN rnn(UnrulyCell(Misbehaviour::no_states));
  const Tensor mask = Tensor::from_values({2, 4}, {1, 1, 0, 1, 1, 0, 1, 1}, DType::boolean);
  RNNKIT_CHECK_THROWS(rnn(Tensor::ones({2, 4, 2}), {.mask = mask}), std::invalid_argument,
                      "UnrulyCell", "0 state tensors at step 0", "state_size() lists 1");
}

BOOST_AUTO_TEST_CASE(a_wrong_initial_state_from_the_cell_is_refused) {
  RNN rnn(UnrulyCell(Misbehaviour::short_initial_state));
  RNNKIT_CHECK_THROWS(rnn(Tensor::ones({2, 4, 2})), std::invalid_argument, "UnrulyCell",
                      "get_initial_state", "state 0", "[2, 3]", "[2, 2]");
}

BOOST_AUTO_TEST_CASE(the_step_counts_from_the_start_of_processing) {
  RNN rnn(UnrulyCell(Misbehaviour::none), {.go_backwards = true});
  rnn(Tensor::ones({2, 4, 2}));
  unruly(rnn).set_misbehaviour(Misbehaviour::growing_state);
  RNNKIT_CHECK_THROWS(rnn(Tensor::ones({2, 4, 2})), std::invalid_argument, "step 0");
}

BOOST_AUTO_TEST_CASE(a_refused_call_leaves_a_stateful_layer_unchanged) {
  RNN rnn(UnrulyCell(Misbehaviour::none),
          {.stateful = true, .activity_regularizer = regularizers::L1(0.5)});
  rnn(Tensor::ones({2, 4, 2}));
  const std::vector<Tensor> weights = rnn.get_weights();
  const std::vector<Tensor> states = rnn.states();
  const std::vector<double> losses = loss_values(rnn);
  unruly(rnn).set_misbehaviour(Misbehaviour::growing_state);
  RNNKIT_CHECK_THROWS(rnn(Tensor::ones({2, 4, 2})), std::invalid_argument, "step 0");
  BOOST_TEST(same_values(rnn.get_weights(), weights));
  BOOST_TEST(same_values(rnn.states(), states));
  BOOST_TEST(loss_values(rnn) == losses);
}

BOOST_AUTO_TEST_CASE(a_well_behaved_cell_runs_as_before) {
  RNN rnn(UnrulyCell(Misbehaviour::none), {.return_sequences = true, .return_state = true});
  const Tensor mask = Tensor::from_values({2, 4}, {1, 1, 0, 1, 1, 0, 1, 1}, DType::boolean);
  auto [sequence, state] = rnn(Tensor::ones({2, 4, 2}), {.mask = mask});
  BOOST_TEST((sequence.shape() == Shape{2, 4, 3}));
  BOOST_TEST((state.shape() == Shape{2, 3}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(weight_penalties_exist_from_build)

BOOST_AUTO_TEST_CASE(keras_regularizer_test_three_losses_after_build_four_after_a_call) {
  SimpleRNN rnn = regularized_rnn();
  BOOST_TEST(rnn.losses().empty());
  rnn.build({-1, -1, 2});
  BOOST_TEST(rnn.losses().size() == 3u);
  const Tensor out = rnn(Tensor::ones({2, 3, 2}));
  BOOST_TEST(rnn.losses().size() == 4u);
  std::vector<double> expected = expected_weight_penalties(rnn.get_weights());
  expected.push_back(0.125 * sum_abs(out) / 2.0);
  check_values(loss_values(rnn), expected);
}

BOOST_AUTO_TEST_CASE(penalties_after_build_are_those_of_the_initial_weights) {
  SimpleRNN rnn = regularized_rnn();
  rnn.build({-1, -1, 2});
  check_values(loss_values(rnn), expected_weight_penalties(rnn.get_weights()));
  BOOST_TEST(rnn.losses()[0].item() > 0.0);
}

BOOST_AUTO_TEST_CASE(penalties_follow_set_weights) {
  SimpleRNN rnn = regularized_rnn();
  rnn.build({-1, -1, 2});
  const std::vector<double> before = loss_values(rnn);
  const std::vector<Tensor> weights = {Tensor::full({2, 5}, 0.5), Tensor::full({5, 5}, -2.0),
                                       Tensor::full({5}, 4.0)};
  rnn.set_weights(weights);
  check_values(loss_values(rnn), {0.5 * 5.0, 0.25 * 50.0, 0.75 * 80.0});
  BOOST_TEST(loss_values(rnn) != before);
}

BOOST_AUTO_TEST_CASE(penalties_follow_set_weights_after_a_call_and_keep_the_activity_term) {
  SimpleRNN rnn = regularized_rnn();
  const Tensor out = rnn(Tensor::ones({2, 3, 2}));
  const double activity = 0.125 * sum_abs(out) / 2.0;
  rnn.set_weights({Tensor::full({2, 5}, 0.5), Tensor::full({5, 5}, -2.0), Tensor::full({5}, 4.0)});
  check_values(loss_values(rnn), {0.5 * 5.0, 0.25 * 50.0, 0.75 * 80.0, activity});
}

BOOST_AUTO_TEST_CASE(a_cell_has_its_penalties_from_build) {
  layers::SimpleRNNCell cell(3, {.kernel_regularizer = regularizers::L1(0.5)});
  cell.maybe_build({-1, 2});
  BOOST_TEST_REQUIRE(cell.losses().size() == 1u);
  BOOST_TEST(cell.losses()[0].item() == 0.5 * sum_abs(cell.kernel().value()),
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(the_penalties_of_a_call_carry_the_gradient_to_the_weights) {
  SimpleRNN rnn(3, {.kernel_regularizer = regularizers::L1(0.5), .dtype = DType::f64});
  rnn(Tensor::ones({2, 3, 2}, DType::f64));
  BOOST_TEST_REQUIRE(rnn.losses().size() == 1u);
  rnn.losses()[0].backward();
  const std::vector<double> kernel = rnn.cell().kernel().value().to_vector();
  const std::vector<double> gradient = rnn.cell().kernel().value().grad().to_vector();
  for (std::size_t i = 0; i < kernel.size(); ++i) {
    BOOST_TEST(gradient[i] == (kernel[i] > 0 ? 0.5 : -0.5));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(masking_mask_outside_a_model)

BOOST_AUTO_TEST_CASE(compute_mask_marks_the_steps_that_are_not_all_mask_value) {
  layers::Masking masking({.mask_value = 0.5});
  const Tensor x = Tensor::from_values({2, 3, 2}, {1, 2, 0.5, 0.5, 0.5, 3, 0.5, 0.5, 0, 0, 4, 4});
  const Tensor mask = masking.compute_mask(x);
  BOOST_TEST(mask.dtype() == DType::boolean);
  BOOST_TEST((mask.shape() == Shape{2, 3}));
  BOOST_TEST((mask.to_vector() == std::vector<double>{1, 0, 1, 0, 1, 1}));
}

BOOST_AUTO_TEST_CASE(compute_mask_is_the_mask_forward_hands_on) {
  layers::Masking masking;
  const Tensor x = Tensor::from_values({1, 3, 1}, {2, 0, 3});
  BOOST_TEST(masking.compute_mask(x).to_vector() == masking.forward(x, {}, false).mask.to_vector());
}

BOOST_AUTO_TEST_CASE(compute_mask_refuses_a_rank_1_input) {
  layers::Masking masking({.name = "pad"});
  RNNKIT_CHECK_THROWS(masking.compute_mask(Tensor::ones({3})), std::invalid_argument,
                      "Masking 'pad'", "min_ndim=2", "[3]");
}

BOOST_AUTO_TEST_SUITE_END()

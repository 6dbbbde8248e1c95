#define BOOST_TEST_MODULE simple_rnn
#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/initializers/initializer.h>
#include <rnnkit/layers/rnn.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/layers/simple_rnn_cell.h>
#include <rnnkit/optim/sgd.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <memory>

#include "simple_rnn_support.h"
#include "test_support.h"

using namespace rnnkit;
using layers::RNN;
using layers::SimpleRNN;
using layers::SimpleRNNCell;
using testing::case_for;
using testing::check_close;
using testing::fixed;
using testing::make_problem;
using testing::options_for;
using testing::random_tensor;
using testing::reference_rnn;
using testing::tensor_of;
namespace bdata = boost::unit_test::data;

namespace {

// Values of every weight, for "unchanged after an error" checks.
std::vector<std::vector<double>> weight_values(const layers::Layer& layer) {
  std::vector<std::vector<double>> out;
  for (const Tensor& w : layer.get_weights()) out.push_back(w.to_vector());
  return out;
}

std::vector<double> state_values(const RNN& layer) { return layer.states().at(0).to_vector(); }

Tensor eye(std::int64_t n, DType dtype) {
  Tensor out = Tensor::zeros({n, n}, dtype);
  for (std::int64_t i = 0; i < n; ++i) out.set({i, i}, 1.0);
  return out;
}

/// A user-defined cell written only against the public interface: out = tanh(x·K + h·R).
class MinimalCell : public layers::AbstractRNNCell {
 public:
  MinimalCell(std::int64_t units, DType dtype)
      : AbstractRNNCell({.dtype = dtype}, "minimal_cell"), units_(units) {}
  std::string class_name() const override { return "MinimalCell"; }
  std::vector<std::int64_t> state_size() const override { return {units_}; }
  std::int64_t output_size() const override { return units_; }
  void build(const Shape& input_shape) override {
    kernel_ = add_weight("kernel", {input_shape[1], units_}, "glorot_uniform");
    recurrent_ = add_weight("recurrent_kernel", {units_, units_}, "orthogonal");
  }
  layers::CellOutput call(const Tensor& inputs, const std::vector<Tensor>& states, bool) override {
    Tensor out = tanh(matmul(inputs, kernel_.value()) + matmul(states[0], recurrent_.value()));
    return {out, {out}};
  }

 private:
  std::int64_t units_;
  Variable kernel_, recurrent_;
};

/// A user initializer: entry i of the flattened weight is (i + 1) / 10, negated when i is odd.
class AlternatingRamp : public initializers::Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype) const override {
    std::int64_t count = 1;
    for (std::int64_t d : shape) count *= d;
    std::vector<double> values;
    for (std::int64_t i = 0; i < count; ++i) {
      values.push_back((i % 2 == 0 ? 1.0 : -1.0) * static_cast<double>(i + 1) / 10.0);
    }
    return Tensor::from_values(shape, values, dtype);
  }
  std::string class_name() const override { return "AlternatingRamp"; }
};

/// A user regularizer: 0.5 · Σx⁴.
class QuarticPenalty : public regularizers::Regularizer {
 public:
  Tensor operator()(const Tensor& x) const override { return mul(sum(pow(x, 4.0)), 0.5); }
  std::string class_name() const override { return "QuarticPenalty"; }
};

/// A user constraint: halves every entry.
class Halve : public constraints::Constraint {
 public:
  Tensor operator()(const Tensor& w) const override { return mul(w, 0.5); }
  std::string class_name() const override { return "Halve"; }
};

// One SGD step (learning rate 0.5, exact in float32) on the sum of every weight's entries: each
// entry's gradient is 1, so the update alone moves every entry by -0.5.
void step_on_weight_sum(layers::Layer& layer) {
  Tensor loss;
  for (const Variable& v : layer.trainable_weights()) {
    loss = loss.defined() ? add(loss, sum(v.value())) : sum(v.value());
  }
  loss.backward();
  optim::SGD sgd({.learning_rate = 0.5});
  sgd.apply(layer.trainable_weights());
}

// Keras MaxNorm over axis 0 of a row-major [rows, cols] matrix (spec §6), written out.
std::vector<double> max_norm_columns(const std::vector<double>& w, std::int64_t rows,
                                     std::int64_t cols, double max_value) {
  std::vector<double> out(w.size());
  for (std::int64_t c = 0; c < cols; ++c) {
    double squares = 0;
    for (std::int64_t r = 0; r < rows; ++r) squares += w[r * cols + c] * w[r * cols + c];
    const double norm = std::sqrt(squares);
    const double scale = std::min(norm, max_value) / (1e-7 + norm);
    for (std::int64_t r = 0; r < rows; ++r) out[r * cols + c] = w[r * cols + c] * scale;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(seed_examples)

BOOST_AUTO_TEST_CASE(rnn_of_a_cell_and_simple_rnn_return_the_documented_shapes) {
  set_global_seed(1);
  const Tensor x = random_tensor({32, 10, 8}, DType::f32, 3);
  RNN rnn(SimpleRNNCell(4));
  const Tensor last = rnn(x);
  BOOST_TEST((last.shape() == Shape{32, 4}));

  SimpleRNN layer({.units = 4, .return_sequences = true, .return_state = true});
  auto [sequence, state] = layer(x);
  BOOST_TEST((sequence.shape() == Shape{32, 10, 4}));
  BOOST_TEST((state.shape() == Shape{32, 4}));

  // Both follow the recurrence with their own freshly initialised weights.
  for (auto* l : std::vector<layers::Layer*>{&rnn, &layer}) {
    const auto w = l->get_weights();
    testing::ReferenceCase c{.batch = 32,
                             .time = 10,
                             .features = 8,
                             .units = 4,
                             .x = x.to_vector(),
                             .kernel = w[0].to_vector(),
                             .recurrent = w[1].to_vector(),
                             .bias = w[2].to_vector()};
    const auto expected = reference_rnn(c);
    if (l == &rnn) {
      check_close(last, tensor_of({32, 4}, expected.last, DType::f64), 1e-5, 1e-6);
    } else {
      check_close(sequence, tensor_of({32, 10, 4}, expected.sequence, DType::f64), 1e-5, 1e-6);
      check_close(state, tensor_of({32, 4}, expected.state, DType::f64), 1e-5, 1e-6);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(weights)

BOOST_AUTO_TEST_CASE(names_shapes_order_and_defaults_follow_keras) {
  layers::reset_layer_names();
  const Tensor x = random_tensor({2, 3, 5}, DType::f32);
  SimpleRNN a(4);
  SimpleRNN b(4, {.use_bias = false});
  BOOST_TEST(!a.built());
  BOOST_TEST(a.weights().empty());
  RNNKIT_CHECK_THROWS(a.count_params(), std::logic_error, "simple_rnn", "not built");
  a(x);
  b(x);
  BOOST_TEST(a.built());
  const auto wa = a.weights();
  BOOST_TEST_REQUIRE(wa.size() == 3u);
  BOOST_TEST(wa[0].name() == "simple_rnn/simple_rnn_cell/kernel:0");
  BOOST_TEST(wa[1].name() == "simple_rnn/simple_rnn_cell/recurrent_kernel:0");
  BOOST_TEST(wa[2].name() == "simple_rnn/simple_rnn_cell/bias:0");
  BOOST_TEST((wa[0].value().shape() == Shape{5, 4}));
  BOOST_TEST((wa[1].value().shape() == Shape{4, 4}));
  BOOST_TEST((wa[2].value().shape() == Shape{4}));
  BOOST_TEST(a.count_params() == 5 * 4 + 4 * 4 + 4);
  const auto wb = b.weights();
  BOOST_TEST_REQUIRE(wb.size() == 2u);
  BOOST_TEST(wb[0].name() == "simple_rnn_1/simple_rnn_cell_1/kernel:0");
  BOOST_TEST(b.count_params() == 5 * 4 + 4 * 4);

  RNN wrapped(SimpleRNNCell(3));
  SimpleRNN named(2, {.name = "encoder"});
  wrapped(x);
  named(x);
  BOOST_TEST(wrapped.weights()[0].name() == "rnn/simple_rnn_cell_2/kernel:0");
  BOOST_TEST(named.weights()[0].name() == "encoder/simple_rnn_cell_3/kernel:0");

  // Defaults: glorot_uniform kernel within sqrt(6 / (F + U)), orthogonal recurrent kernel,
  // zero bias.
  const double limit = std::sqrt(6.0 / (5 + 4));
  for (double v : wa[0].value().to_vector()) BOOST_TEST(std::abs(v) <= limit);
  const Tensor r = wa[1].value();
  check_close(matmul(transpose(r), r), eye(4, DType::f32), 1e-5, 1e-5);
  for (double v : wa[2].value().to_vector()) BOOST_TEST(v == 0.0);
  BOOST_TEST(a.kernel_initializer().get().class_name() == "GlorotUniform");
  BOOST_TEST(a.recurrent_initializer().get().class_name() == "Orthogonal");
  BOOST_TEST(a.bias_initializer().get().class_name() == "Zeros");
  BOOST_TEST(a.units() == 4);
  BOOST_TEST(a.activation().name() == "tanh");
  BOOST_TEST(a.use_bias());
  BOOST_TEST(!b.use_bias());
  BOOST_TEST(a.dropout() == 0.0);
  BOOST_TEST(a.recurrent_dropout() == 0.0);
  BOOST_TEST(!a.kernel_regularizer());
  BOOST_TEST(!a.kernel_constraint());
  BOOST_TEST(a.cell().name() == "simple_rnn_cell");
  BOOST_TEST(a.dtype() == DType::f32);
}

BOOST_AUTO_TEST_CASE(set_weights_checks_everything_before_assigning) {
  const auto p = make_problem(DType::f32, 2, 3, 3, 2);
  SimpleRNN rnn(options_for(p, {}));
  rnn(p.x);
  const auto before = weight_values(rnn);
  RNNKIT_CHECK_THROWS(rnn.set_weights({p.kernel}), std::invalid_argument, rnn.name(),
                      "expected 3 values", "got 1");
  const Tensor new_kernel = random_tensor({3, 2}, DType::f64, 99);
  RNNKIT_CHECK_THROWS(rnn.set_weights({new_kernel, Tensor::zeros({3, 3}), Tensor::zeros({2})}),
                      std::invalid_argument, "recurrent_kernel", "[2, 2]", "[3, 3]");
  RNNKIT_CHECK_THROWS(rnn.set_weights({new_kernel, p.recurrent, Tensor::zeros({2}, DType::i64)}),
                      std::invalid_argument, "bias", "int64");
  BOOST_TEST((weight_values(rnn) == before));

  rnn.set_weights({new_kernel, p.recurrent, Tensor::ones({2})});
  check_close(rnn.get_weights()[0], new_kernel, 1e-7, 0);
  // get_weights returns copies.
  Tensor copy = rnn.get_weights()[2];
  copy.fill_(5.0);
  for (double v : rnn.get_weights()[2].to_vector()) BOOST_TEST(v == 1.0);
}

BOOST_AUTO_TEST_CASE(trainable_false_freezes_every_weight) {
  const Tensor x = random_tensor({2, 3, 2}, DType::f32);
  SimpleRNN rnn(2, {.trainable = false});
  rnn(x);
  BOOST_TEST(rnn.trainable_weights().empty());
  BOOST_TEST(rnn.non_trainable_weights().size() == 3u);
  BOOST_TEST(!rnn.weights()[0].value().requires_grad());
  BOOST_TEST(!rnn.cell().trainable());
  rnn.set_trainable(true);
  BOOST_TEST(rnn.trainable_weights().size() == 3u);
  BOOST_TEST(rnn.weights()[0].value().requires_grad());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(recurrence)

BOOST_DATA_TEST_CASE(outputs_and_state_match_the_plain_loop_reference,
                     bdata::make({"tanh", "relu", "sigmoid", "linear"}) *
                         bdata::make({true, false}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({DType::f64, DType::f32}),
                     activation, use_bias, go_backwards, return_sequences, dtype) {
  const auto p = make_problem(dtype);
  SimpleRNN rnn(options_for(p, {.activation = activation,
                                .use_bias = use_bias,
                                .return_sequences = return_sequences,
                                .return_state = true,
                                .go_backwards = go_backwards}));
  auto [output, state] = rnn(p.x, {.initial_state = {p.h0}});
  auto c = case_for(p, activation, use_bias);
  c.h0 = p.h0.to_vector();
  c.go_backwards = go_backwards;
  const auto expected = reference_rnn(c);
  const Shape shape = return_sequences ? Shape{p.batch, p.time, p.units} : Shape{p.batch, p.units};
  check_close(output, tensor_of(shape, return_sequences ? expected.sequence : expected.last, dtype),
              testing::rtol_for(dtype), testing::atol_for(dtype));
  check_close(state, tensor_of({p.batch, p.units}, expected.state, dtype), testing::rtol_for(dtype),
              testing::atol_for(dtype));
}

BOOST_DATA_TEST_CASE(go_backwards_processes_last_to_first_and_is_not_flipped_back,
                     bdata::make({DType::f64, DType::f32}), dtype) {
  // relu on positive values with unit weights: each output is the sum of the inputs consumed.
  const Tensor x = Tensor::from_values({1, 3, 1}, {1, 10, 100}, dtype);
  const auto options = [&](bool backwards) {
    return layers::SimpleRNNOptions{.units = 1,
                                    .activation = "relu",
                                    .kernel_initializer = "ones",
                                    .recurrent_initializer = "ones",
                                    .return_sequences = true,
                                    .go_backwards = backwards,
                                    .dtype = dtype};
  };
  SimpleRNN forward(options(false)), backward(options(true));
  BOOST_TEST((Tensor(forward(x)).to_vector() == std::vector<double>{1, 11, 111}));
  BOOST_TEST((Tensor(backward(x)).to_vector() == std::vector<double>{100, 110, 111}));
  // The mask is reversed with the inputs: original step 2 is processed first, and masked.
  const Tensor mask = Tensor::from_values({1, 3}, {1, 1, 0}, DType::boolean);
  BOOST_TEST((Tensor(backward(x, {.mask = mask})).to_vector() == std::vector<double>{0, 10, 11}));
}

BOOST_DATA_TEST_CASE(masked_steps_carry_output_and_state,
                     bdata::make({DType::f64, DType::f32}) * bdata::make({false, true}) *
                         bdata::make({false, true}),
                     dtype, go_backwards, zero_output_for_mask) {
  const auto p = make_problem(dtype, 3, 5, 2, 3);
  // Row 0: leading and trailing masked steps; row 1: alternating; row 2: all masked.
  const std::vector<double> mask_values{0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0};
  const Tensor mask = Tensor::from_values({3, 5}, mask_values, DType::boolean);
  SimpleRNN rnn(options_for(p, {.return_sequences = true,
                                .return_state = true,
                                .go_backwards = go_backwards,
                                .zero_output_for_mask = zero_output_for_mask}));
  auto [sequence, state] = rnn(p.x, {.mask = mask, .initial_state = {p.h0}});
  auto c = case_for(p, "tanh");
  c.h0 = p.h0.to_vector();
  c.mask = mask_values;
  c.go_backwards = go_backwards;
  c.zero_output_for_mask = zero_output_for_mask;
  const auto expected = reference_rnn(c);
  check_close(sequence, tensor_of({3, 5, 3}, expected.sequence, dtype), testing::rtol_for(dtype),
              testing::atol_for(dtype));
  check_close(state, tensor_of({3, 3}, expected.state, dtype), testing::rtol_for(dtype),
              testing::atol_for(dtype));
  // Spec facts, read directly: the all-masked row outputs zeros and keeps its initial state.
  for (std::int64_t k = 0; k < 5; ++k) {
    for (std::int64_t u = 0; u < 3; ++u) BOOST_TEST(sequence.at({2, k, u}) == 0.0);
  }
  for (std::int64_t u = 0; u < 3; ++u) BOOST_TEST(state.at({2, u}) == p.h0.at({2, u}));
  // Leading masked steps output zeros even with a non-zero initial state (row 0's first
  // processed step is masked in both directions).
  for (std::int64_t u = 0; u < 3; ++u) BOOST_TEST(sequence.at({0, 0, u}) == 0.0);

  // Any numeric mask works, non-zero keeping the step.
  std::vector<double> numeric(mask_values);
  for (double& v : numeric) v *= 2.5;
  auto [numeric_sequence, numeric_state] =
      rnn(p.x, {.mask = Tensor::from_values({3, 5}, numeric, DType::f32), .initial_state = {p.h0}});
  BOOST_TEST((numeric_sequence.to_vector() == sequence.to_vector()));
}

BOOST_AUTO_TEST_CASE(last_output_equals_state_unless_the_row_is_all_masked) {
  const auto p = make_problem(DType::f64, 2, 4, 2, 2);
  SimpleRNN rnn(options_for(p, {.return_state = true}));
  const Tensor mask = Tensor::from_values({2, 4}, {1, 0, 1, 0, 0, 0, 0, 0}, DType::boolean);
  auto [last, state] = rnn(p.x, {.mask = mask, .initial_state = {p.h0}});
  for (std::int64_t u = 0; u < 2; ++u) {
    BOOST_TEST(last.at({0, u}) == state.at({0, u}));
    BOOST_TEST(last.at({1, u}) == 0.0);
    BOOST_TEST(state.at({1, u}) == p.h0.at({1, u}));
  }
  auto [plain_last, plain_state] = rnn(p.x);
  BOOST_TEST((plain_last.to_vector() == plain_state.to_vector()));
}

BOOST_DATA_TEST_CASE(time_major_transposes_inputs_mask_and_sequence,
                     bdata::make({DType::f64, DType::f32}) * bdata::make({false, true}), dtype,
                     masked) {
  const auto p = make_problem(dtype, 2, 3, 2, 2);
  const std::vector<double> mask_values{1, 0, 1, 1, 1, 0};
  SimpleRNN batch_major(options_for(p, {.return_sequences = true, .return_state = true}));
  SimpleRNN time_major(
      options_for(p, {.return_sequences = true, .return_state = true, .time_major = true}));
  std::vector<double> x_tm(p.x.numel()), mask_tm(6);
  const auto x = p.x.to_vector();
  for (int b = 0; b < 2; ++b) {
    for (int t = 0; t < 3; ++t) {
      mask_tm[t * 2 + b] = mask_values[b * 3 + t];
      for (int f = 0; f < 2; ++f) x_tm[(t * 2 + b) * 2 + f] = x[(b * 3 + t) * 2 + f];
    }
  }
  layers::RNNCallOptions bm_call, tm_call;
  if (masked) {
    bm_call.mask = Tensor::from_values({2, 3}, mask_values, DType::boolean);
    tm_call.mask = Tensor::from_values({3, 2}, mask_tm, DType::boolean);
  }
  auto [seq_bm, state_bm] = batch_major(p.x, bm_call);
  auto [seq_tm, state_tm] = time_major(Tensor::from_values({3, 2, 2}, x_tm, dtype), tm_call);
  std::vector<double> expected(12);
  for (int b = 0; b < 2; ++b) {
    for (int t = 0; t < 3; ++t) {
      for (int u = 0; u < 2; ++u) expected[(t * 2 + b) * 2 + u] = seq_bm.at({b, t, u});
    }
  }
  check_close(seq_tm, tensor_of({3, 2, 2}, expected, dtype), testing::rtol_for(dtype),
              testing::atol_for(dtype));
  check_close(state_tm, state_bm, testing::rtol_for(dtype), testing::atol_for(dtype));
}

BOOST_AUTO_TEST_CASE(unroll_gives_the_same_results) {
  const auto p = make_problem(DType::f32);
  SimpleRNN rolled(options_for(p, {.return_sequences = true}));
  SimpleRNN unrolled(options_for(p, {.return_sequences = true, .unroll = true}));
  check_close(unrolled(p.x), rolled(p.x), 1e-5, 1e-6);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stateful)

BOOST_AUTO_TEST_CASE(carries_state_between_calls_and_resets) {
  const auto p = make_problem(DType::f64, 2, 3, 3, 2);
  const Tensor x1 = p.x;
  const Tensor x2 = random_tensor({2, 3, 3}, DType::f64, 77);
  SimpleRNN st(options_for(p, {.return_sequences = true, .stateful = true}));
  SimpleRNN plain(options_for(p, {.return_sequences = true, .return_state = true}));
  BOOST_TEST(!st.states().at(0).defined());
  const Tensor y1 = st(x1);
  const Tensor y2 = st(x2);
  // Two stateful calls continue each sample like one call over the joined sequence.
  auto [joined, joined_state] = plain(concat({x1, x2}, 1));
  check_close(y2, slice(joined, 1, 3, 6), 1e-12, 1e-12);
  check_close(st.states()[0], joined_state, 1e-12, 1e-12);

  st.reset_states();
  for (double v : state_values(st)) BOOST_TEST(v == 0.0);
  check_close(st(x1), y1, 1e-12, 1e-12);

  const Tensor values = random_tensor({2, 2}, DType::f64, 5);
  st.reset_states({values});
  auto [from_values, unused] = plain(x2, {.initial_state = {values}});
  check_close(st(x2), from_values, 1e-12, 1e-12);
}

BOOST_AUTO_TEST_CASE(initial_state_is_ignored_while_the_kept_state_is_non_zero) {
  const auto p = make_problem(DType::f64, 2, 3, 3, 2);
  const Tensor x2 = random_tensor({2, 3, 3}, DType::f64, 78);
  SimpleRNN st(options_for(p, {.stateful = true}));
  SimpleRNN plain(options_for(p, {}));
  // Fresh (kept state all zeros): the given initial_state is used.
  check_close(st(p.x, {.initial_state = {p.h0}}), plain(p.x, {.initial_state = {p.h0}}), 1e-12,
              1e-12);
  // Kept state non-zero: the given initial_state is ignored.
  const auto kept = state_values(st);
  const Tensor expected = plain(x2, {.initial_state = {tensor_of({2, 2}, kept, DType::f64)}});
  check_close(st(x2, {.initial_state = {Tensor::full({2, 2}, 0.7, DType::f64)}}), expected, 1e-12,
              1e-12);
  // After a reset it is used again.
  st.reset_states();
  check_close(st(p.x, {.initial_state = {p.h0}}), plain(p.x, {.initial_state = {p.h0}}), 1e-12,
              1e-12);
}

BOOST_AUTO_TEST_CASE(no_gradient_flows_across_calls) {
  const auto p = make_problem(DType::f64, 2, 3, 3, 2);
  SimpleRNN st(options_for(p, {.stateful = true}));
  Tensor x1 = p.x.clone().set_requires_grad();
  st(x1);
  Tensor x2 = random_tensor({2, 3, 3}, DType::f64, 9).set_requires_grad();
  sum(Tensor(st(x2))).backward();
  BOOST_TEST(!x1.has_grad());
  BOOST_TEST(x2.has_grad());
}

BOOST_AUTO_TEST_CASE(errors_name_expected_and_found_and_change_nothing) {
  const auto p = make_problem(DType::f64, 2, 3, 3, 2);
  SimpleRNN plain(options_for(p, {}));
  RNNKIT_CHECK_THROWS(plain.reset_states(), std::logic_error, "stateful");
  RNNKIT_CHECK_THROWS(plain.reset_states({p.h0}), std::logic_error, "stateful");
  BOOST_TEST(!plain.states().at(0).defined());

  SimpleRNN st(options_for(p, {.stateful = true}));
  RNNKIT_CHECK_THROWS(st.reset_states(), std::invalid_argument, "batch size");
  st(p.x);
  const auto kept = state_values(st);
  const auto weights = weight_values(st);
  RNNKIT_CHECK_THROWS(st.reset_states({p.h0, p.h0}), std::invalid_argument, "expects 1 states",
                      "received 2");
  RNNKIT_CHECK_THROWS(st.reset_states({Tensor::zeros({3, 2}, DType::f64)}), std::invalid_argument,
                      "state 0", "[2, 2]", "[3, 2]");
  RNNKIT_CHECK_THROWS(st.reset_states({Tensor::zeros({2, 2}, DType::boolean)}),
                      std::invalid_argument, "state 0", "bool");
  RNNKIT_CHECK_THROWS(st(random_tensor({3, 3, 3}, DType::f64)), std::invalid_argument,
                      "expected shape=[2, None, 3]", "found shape=[3, 3, 3]");
  BOOST_TEST((state_values(st) == kept));
  BOOST_TEST((weight_values(st) == weights));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dropout)

BOOST_DATA_TEST_CASE(input_mask_is_drawn_once_per_call_and_reused_every_step,
                     bdata::make({DType::f64, DType::f32}), dtype) {
  // Identity kernel, zero recurrence, relu on non-negative values: output_t = mask ⊙ x_t.
  const std::int64_t batch = 8, time = 5, units = 4;
  SimpleRNN rnn({.units = units,
                 .activation = "relu",
                 .kernel_initializer = fixed(eye(units, dtype)),
                 .recurrent_initializer = "zeros",
                 .dropout = 0.5,
                 .return_sequences = true,
                 .seed = 7,
                 .dtype = dtype});
  const Tensor x = Tensor::ones({batch, time, units}, dtype);
  const Tensor first = rnn(x, {.training = true});
  int zeros = 0, kept = 0;
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t u = 0; u < units; ++u) {
      const double m = first.at({b, 0, u});
      BOOST_TEST((m == 0.0 || m == 2.0), "mask value " << m << " is neither 0 nor 1/(1-0.5)");
      (m == 0.0 ? zeros : kept) += 1;
      for (std::int64_t t = 1; t < time; ++t) BOOST_TEST(first.at({b, t, u}) == m);
    }
  }
  BOOST_TEST(zeros > 0);
  BOOST_TEST(kept > 0);
  // After the call the cell still holds the mask it used (Keras caches it until the next call).
  const Tensor cached =
      rnn.cell().get_dropout_mask_for_cell(Tensor::ones({batch, units}, dtype), true).at(0);
  BOOST_TEST((cached.to_vector() == select(first, 1, 0).to_vector()));
  // A new call draws a new mask.
  const Tensor second = rnn(x, {.training = true});
  BOOST_TEST((second.to_vector() != first.to_vector()));
  // Inference: no dropout at all.
  for (double v : Tensor(rnn(x)).to_vector()) BOOST_TEST(v == 1.0);
}

BOOST_AUTO_TEST_CASE(dropout_output_matches_the_reference_with_the_mask_used) {
  for (DType dtype : {DType::f64, DType::f32}) {
    const auto p = make_problem(dtype);
    SimpleRNN rnn(options_for(p, {.dropout = 0.3, .return_sequences = true, .seed = 3}));
    const Tensor out = rnn(p.x, {.training = true});
    auto c = case_for(p, "tanh");
    c.input_mask = rnn.cell().get_dropout_mask_for_cell(select(p.x, 1, 0), true).at(0).to_vector();
    check_close(out, tensor_of({p.batch, p.time, p.units}, reference_rnn(c).sequence, dtype),
                testing::rtol_for(dtype), testing::atol_for(dtype));
  }
}

BOOST_AUTO_TEST_CASE(recurrent_mask_is_reused_every_step) {
  // Zero kernel, identity recurrence, linear, h0 = ones: h_t = m^(t+1) = m * 2^t, m in {0, 2}.
  const std::int64_t batch = 6, time = 4, units = 3;
  SimpleRNN rnn({.units = units,
                 .activation = "linear",
                 .kernel_initializer = "zeros",
                 .recurrent_initializer = fixed(eye(units, DType::f64)),
                 .recurrent_dropout = 0.5,
                 .return_sequences = true,
                 .seed = 11,
                 .dtype = DType::f64});
  const Tensor x = Tensor::ones({batch, time, 2}, DType::f64);
  const Tensor h0 = Tensor::ones({batch, units}, DType::f64);
  const Tensor out = rnn(x, {.training = true, .initial_state = {h0}});
  int zeros = 0;
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t u = 0; u < units; ++u) {
      const double m = out.at({b, 0, u});
      BOOST_TEST((m == 0.0 || m == 2.0));
      zeros += m == 0.0;
      for (std::int64_t t = 1; t < time; ++t) {
        BOOST_TEST(out.at({b, t, u}) == m * std::pow(2.0, static_cast<double>(t)));
      }
    }
  }
  BOOST_TEST(zeros > 0);
  BOOST_TEST(zeros < batch * units);
  for (double v : Tensor(rnn(x, {.initial_state = {h0}})).to_vector()) BOOST_TEST(v == 1.0);
}

BOOST_AUTO_TEST_CASE(cell_masks_are_cached_until_reset_like_keras) {
  SimpleRNNCell cell(3, {.dropout = 0.5, .recurrent_dropout = 0.25, .seed = 3});
  const Tensor x = Tensor::ones({4, 5});
  const auto m1 = cell.get_dropout_mask_for_cell(x, true);
  BOOST_TEST_REQUIRE(m1.size() == 1u);
  BOOST_TEST((m1[0].shape() == Shape{4, 5}));
  for (double v : m1[0].to_vector()) BOOST_TEST((v == 0.0 || v == 2.0));
  BOOST_TEST((cell.get_dropout_mask_for_cell(x, true)[0].to_vector() == m1[0].to_vector()));
  cell.reset_dropout_mask();
  BOOST_TEST((cell.get_dropout_mask_for_cell(x, true)[0].to_vector() != m1[0].to_vector()));
  cell.reset_dropout_mask();
  const auto pair = cell.get_dropout_mask_for_cell(x, true, 2);
  BOOST_TEST_REQUIRE(pair.size() == 2u);
  BOOST_TEST((pair[0].to_vector() != pair[1].to_vector()));

  // Inference masks are ones, and the training flag seen first is baked into the cache.
  cell.reset_dropout_mask();
  for (double v : cell.get_dropout_mask_for_cell(x, false)[0].to_vector()) BOOST_TEST(v == 1.0);
  for (double v : cell.get_dropout_mask_for_cell(x, true)[0].to_vector()) BOOST_TEST(v == 1.0);

  const Tensor h = Tensor::ones({4, 3});
  for (double v : cell.get_recurrent_dropout_mask_for_cell(h, true)[0].to_vector()) {
    BOOST_TEST((v == 0.0 || std::abs(v - 4.0 / 3.0) < 1e-6));
  }
  BOOST_TEST(SimpleRNNCell(3).get_dropout_mask_for_cell(x, true).empty());
}

BOOST_AUTO_TEST_CASE(a_directly_called_cell_reuses_its_mask_across_calls) {
  SimpleRNNCell cell(3, {.dropout = 0.5, .seed = 5, .dtype = DType::f64});
  const Tensor x = random_tensor({4, 6}, DType::f64, 2);
  const Tensor h = Tensor::zeros({4, 3}, DType::f64);
  const auto first = cell(x, {h}, true).output.to_vector();
  BOOST_TEST((cell(x, {h}, true).output.to_vector() == first));
  cell.reset_dropout_masks();
  BOOST_TEST((cell(x, {h}, true).output.to_vector() != first));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(losses)

BOOST_AUTO_TEST_CASE(weight_and_activity_terms_of_the_last_call) {
  const auto p = make_problem(DType::f64, 2, 3, 2, 2);
  SimpleRNN rnn(options_for(p, {.kernel_regularizer = "l2",
                                .recurrent_regularizer = regularizers::L1L2(0.25, 0.75),
                                .bias_regularizer = regularizers::L1(0.5),
                                .activity_regularizer = "l2",
                                .return_sequences = true,
                                .return_state = true}));
  BOOST_TEST(rnn.losses().empty());
  auto [sequence, state] = rnn(p.x);
  const double l2 = static_cast<double>(0.01f);  // Keras stores factors as float32
  auto sum_of = [](const Tensor& t, auto f) {
    double s = 0;
    for (double v : t.to_vector()) s += f(v);
    return s;
  };
  auto squared = [](double v) { return v * v; };
  auto absolute = [](double v) { return std::abs(v); };
  const auto& losses = rnn.losses();
  BOOST_TEST_REQUIRE(losses.size() == 5u);
  BOOST_TEST(losses[0].item() == l2 * sum_of(p.kernel, squared),
             boost::test_tools::tolerance(1e-12));
  // 0.25 and 0.75 are exact in float32.
  BOOST_TEST(losses[1].item() ==
                 0.25 * sum_of(p.recurrent, absolute) + 0.75 * sum_of(p.recurrent, squared),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(losses[2].item() == 0.5 * sum_of(p.bias, absolute),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(losses[3].item() == l2 * sum_of(sequence, squared) / 2.0,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(losses[4].item() == l2 * sum_of(state, squared) / 2.0,
             boost::test_tools::tolerance(1e-12));
  // A second call replaces them.
  rnn(p.x);
  BOOST_TEST(rnn.losses().size() == 5u);
  // They are differentiable: d(l2 Σ K²)/dK = 2 l2 K.
  rnn.losses()[0].backward();
  check_close(rnn.cell().kernel().value().grad(), mul(p.kernel, 2.0 * l2), 1e-12, 1e-15);
}

BOOST_AUTO_TEST_CASE(activity_term_divides_by_the_batch_of_each_returned_tensor) {
  const auto p = make_problem(DType::f64, 4, 3, 2, 2);
  SimpleRNN rnn(options_for(p, {.activity_regularizer = regularizers::L1(1.0)}));
  const Tensor last = rnn(p.x);
  BOOST_TEST_REQUIRE(rnn.losses().size() == 1u);
  double total = 0;
  for (double v : last.to_vector()) total += std::abs(v);
  BOOST_TEST(rnn.losses()[0].item() == total / 4.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(constraints_and_user_pieces)

BOOST_AUTO_TEST_CASE(constraints_reach_the_variables_and_act_only_after_an_optimizer_step) {
  const std::vector<double> kernel0{0.6, -0.8, 0.8, 0.6}, recurrent0{-0.5, 0.2, 0.1, -0.3},
      bias0{1.2, -1.6};
  SimpleRNN rnn(2, {.kernel_initializer = fixed(tensor_of({2, 2}, kernel0, DType::f64)),
                    .recurrent_initializer = fixed(tensor_of({2, 2}, recurrent0, DType::f64)),
                    .bias_initializer = fixed(tensor_of({2}, bias0, DType::f64)),
                    .kernel_constraint = constraints::MaxNorm({.max_value = 0.1}),
                    .recurrent_constraint = "non_neg",
                    .bias_constraint = constraints::UnitNorm(),
                    .dtype = DType::f64});
  rnn(random_tensor({2, 3, 2}, DType::f64, 5));
  const auto& cell = rnn.cell();
  BOOST_TEST(cell.kernel().constraint().get() == rnn.kernel_constraint().get());
  BOOST_TEST(cell.kernel().constraint().get()->class_name() == "MaxNorm");
  BOOST_TEST(cell.recurrent_kernel().constraint().get()->class_name() == "NonNeg");
  BOOST_TEST(cell.bias().constraint().get()->class_name() == "UnitNorm");

  // Building (and calling) leaves the initial values alone, though each breaks its constraint.
  BOOST_TEST((weight_values(rnn) == std::vector<std::vector<double>>{kernel0, recurrent0, bias0}));

  // So does set_weights.
  const std::vector<double> kernel1{0.9, -0.2, 0.4, 1.1}, recurrent1{0.7, 0.3, -0.4, 0.6},
      bias1{2.0, 0.5};
  rnn.set_weights({tensor_of({2, 2}, kernel1, DType::f64),
                   tensor_of({2, 2}, recurrent1, DType::f64), tensor_of({2}, bias1, DType::f64)});
  BOOST_TEST((weight_values(rnn) == std::vector<std::vector<double>>{kernel1, recurrent1, bias1}));

  // One step: the update (every entry - 0.5), then the constraint.
  step_on_weight_sum(rnn);
  const auto w = rnn.get_weights();
  const std::vector<double> kernel_updated{0.4, -0.7, -0.1, 0.6};
  check_close(w[0], tensor_of({2, 2}, max_norm_columns(kernel_updated, 2, 2, 0.1), DType::f64),
              1e-12, 1e-15);
  // The update gives {0.2, -0.2, -0.9, 0.1}; constraining first would leave {.., -0.2, -0.5, ..}.
  check_close(w[1], tensor_of({2, 2}, {0.2, 0.0, 0.0, 0.1}, DType::f64), 1e-12, 1e-15);
  // The update gives {1.5, 0.0}, of norm 1.5.
  check_close(w[2], tensor_of({2}, {1.5 / (1.5 + 1e-7), 0.0}, DType::f64), 1e-12, 1e-15);
}

BOOST_AUTO_TEST_CASE(user_initializers_regularizers_and_constraints_work_through_the_arguments) {
  SimpleRNN rnn(2, {.kernel_initializer = AlternatingRamp(),
                    .recurrent_initializer = AlternatingRamp(),
                    .kernel_regularizer = [](const Tensor& w) { return mul(sum(abs(w)), 0.3); },
                    .recurrent_regularizer = QuarticPenalty(),
                    .kernel_constraint = [](const Tensor& w) { return clip(w, -0.25, 0.25); },
                    .recurrent_constraint = Halve(),
                    .dtype = DType::f64});
  BOOST_TEST(rnn.kernel_initializer().get().class_name() == "AlternatingRamp");
  BOOST_TEST(rnn.recurrent_regularizer().get()->class_name() == "QuarticPenalty");
  BOOST_TEST(rnn.recurrent_constraint().get()->class_name() == "Halve");
  rnn(random_tensor({2, 3, 3}, DType::f64, 6));

  const std::vector<double> kernel0{0.1, -0.2, 0.3, -0.4, 0.5, -0.6},
      recurrent0{0.1, -0.2, 0.3, -0.4};
  const auto w0 = rnn.get_weights();
  check_close(w0[0], tensor_of({3, 2}, kernel0, DType::f64), 1e-15, 0);
  check_close(w0[1], tensor_of({2, 2}, recurrent0, DType::f64), 1e-15, 0);

  // 0.3 · (0.1 + ... + 0.6) and 0.5 · (0.1⁴ + 0.2⁴ + 0.3⁴ + 0.4⁴).
  const auto& losses = rnn.losses();
  BOOST_TEST_REQUIRE(losses.size() == 2u);
  BOOST_TEST(losses[0].item() == 0.3 * 2.1, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(losses[1].item() == 0.5 * 0.0354, boost::test_tools::tolerance(1e-12));

  // The update moves every entry by -0.5; the kernel is then clipped to [-0.25, 0.25], the
  // recurrent kernel halved, and the unconstrained bias left at -0.5.
  step_on_weight_sum(rnn);
  const auto w1 = rnn.get_weights();
  check_close(w1[0], tensor_of({3, 2}, {-0.25, -0.25, -0.2, -0.25, 0.0, -0.25}, DType::f64),
              1e-12, 1e-15);
  check_close(w1[1], tensor_of({2, 2}, {-0.2, -0.35, -0.1, -0.45}, DType::f64), 1e-12, 1e-15);
  check_close(w1[2], tensor_of({2}, {-0.5, -0.5}, DType::f64), 1e-12, 1e-15);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(call_errors_name_layer_argument_expected_and_given) {
  const auto p = make_problem(DType::f32, 2, 4, 3, 2);
  SimpleRNN fresh(options_for(p, {}));
  RNNKIT_CHECK_THROWS(fresh(Tensor::zeros({2, 3})), std::invalid_argument, fresh.name(),
                      "expected ndim=3", "found ndim=2", "[2, 3]");
  RNNKIT_CHECK_THROWS(fresh(p.x, {.initial_state = {Tensor::zeros({2, 5})}}), std::invalid_argument,
                      "initial_state[0]", "[2, 2]", "[2, 5]");
  BOOST_TEST(!fresh.built());
  BOOST_TEST(fresh.weights().empty());

  SimpleRNN rnn(options_for(p, {}));
  rnn(p.x);
  const auto before = weight_values(rnn);
  RNNKIT_CHECK_THROWS(rnn(Tensor::zeros({2, 3})), std::invalid_argument, "ndim=3");
  RNNKIT_CHECK_THROWS(rnn(Tensor::zeros({2, 4, 5})), std::invalid_argument, rnn.name(),
                      "expected shape=[None, None, 3]", "found shape=[2, 4, 5]");
  RNNKIT_CHECK_THROWS(rnn(p.x, {.mask = Tensor::ones({2, 3}, DType::boolean)}),
                      std::invalid_argument, "mask", "[2, 4]", "[2, 3]");
  RNNKIT_CHECK_THROWS(rnn(p.x, {.initial_state = {Tensor::zeros({2, 2}), Tensor::zeros({2, 2})}}),
                      std::invalid_argument, "1 states", "2 values", "initial_state");
  RNNKIT_CHECK_THROWS(rnn(Tensor::zeros({2, 0, 3})), std::invalid_argument, "at least one timestep",
                      "[2, 0, 3]");
  RNNKIT_CHECK_THROWS(rnn(Tensor::zeros({2, 4, 3}, DType::boolean)), std::invalid_argument,
                      "inputs", "float32 or float64", "bool");
  RNNKIT_CHECK_THROWS(rnn(Tensor()), std::invalid_argument, "inputs", "undefined");
  BOOST_TEST((weight_values(rnn) == before));
}

BOOST_AUTO_TEST_CASE(constructor_errors) {
  RNNKIT_CHECK_THROWS(SimpleRNN(0), std::invalid_argument, "SimpleRNN",
                      "units must be a positive integer", "got 0");
  RNNKIT_CHECK_THROWS(SimpleRNN({.units = -3}), std::invalid_argument, "units", "-3");
  RNNKIT_CHECK_THROWS(SimpleRNN({.units = 2, .name = "enc"}).count_params(), std::logic_error,
                      "enc");
  RNNKIT_CHECK_THROWS(SimpleRNN(4, {.units = 5}), std::invalid_argument, "units given twice");
  RNNKIT_CHECK_THROWS(SimpleRNN(4, {.dropout = 1.0}), std::invalid_argument, "dropout", "[0, 1)",
                      "1");
  RNNKIT_CHECK_THROWS(SimpleRNN(4, {.dropout = -0.1}), std::invalid_argument, "dropout", "-0.1");
  RNNKIT_CHECK_THROWS(SimpleRNN(4, {.recurrent_dropout = std::numeric_limits<double>::quiet_NaN()}),
                      std::invalid_argument, "recurrent_dropout", "nan");
  RNNKIT_CHECK_THROWS(SimpleRNN(4, {.dtype = DType::boolean}), std::invalid_argument, "dtype",
                      "bool");
  RNNKIT_CHECK_THROWS(SimpleRNNCell(0), std::invalid_argument, "SimpleRNNCell", "units");
  RNNKIT_CHECK_THROWS(SimpleRNNCell(2, {.recurrent_dropout = 1.5}), std::invalid_argument,
                      "SimpleRNNCell", "recurrent_dropout");
}

BOOST_AUTO_TEST_CASE(an_unknown_activation_name_is_rejected_by_the_layer_it_is_given_to) {
  layers::reset_layer_names();
  RNNKIT_CHECK_THROWS(SimpleRNN(4, {.activation = "tanhh"}), std::invalid_argument,
                      "SimpleRNN: argument 'activation': unknown name \"tanhh\"",
                      "expected one of: ", "elu, exponential, gelu", "tanh");
  RNNKIT_CHECK_THROWS(SimpleRNN(4, {.activation = "Tanh", .name = "encoder"}),
                      std::invalid_argument, "SimpleRNN 'encoder': argument 'activation'",
                      "unknown name \"Tanh\"", "expected one of");
  RNNKIT_CHECK_THROWS(SimpleRNNCell(2, {.activation = ""}), std::invalid_argument,
                      "SimpleRNNCell: argument 'activation': unknown name \"\"", "relu");
  RNNKIT_CHECK_THROWS(RNN(SimpleRNNCell(2, {.activation = "relu6x"})), std::invalid_argument,
                      "SimpleRNNCell: argument 'activation'", "relu6x");
  // The rejected layers and cells drew no default names.
  SimpleRNN first(4);
  BOOST_TEST(first.name() == "simple_rnn");
  BOOST_TEST(first.cell().name() == "simple_rnn_cell");
}

BOOST_AUTO_TEST_CASE(an_activation_holds_an_unknown_name_until_checked_or_called) {
  const Activation unknown("tanhh");
  BOOST_TEST(unknown.name() == "tanhh");
  BOOST_TEST(!unknown.is_known());
  BOOST_TEST(!unknown.is_builtin());
  const Tensor x = Tensor::from_values({3}, {-1.0, 0.0, 2.0}, DType::f64);
  RNNKIT_CHECK_THROWS(unknown(x), std::invalid_argument,
                      "activation: unknown name \"tanhh\"; expected one of: ", "sigmoid");
  RNNKIT_CHECK_THROWS(unknown.check("Dense 'out'"), std::invalid_argument,
                      "Dense 'out': argument 'activation': unknown name \"tanhh\"", "linear");
  RNNKIT_CHECK_THROWS(unknown.check("Dense", "recurrent_activation"), std::invalid_argument,
                      "Dense: argument 'recurrent_activation'");

  const Activation relu_by_name(std::string("relu"));
  BOOST_TEST(relu_by_name.is_known());
  BOOST_TEST(relu_by_name.is_builtin());
  BOOST_CHECK_NO_THROW(relu_by_name.check("SimpleRNN"));
  BOOST_TEST((relu_by_name(x).to_vector() == std::vector<double>{0.0, 0.0, 2.0}));
  BOOST_TEST(Activation().name() == "linear");
  const Activation doubled = [](const Tensor& t) { return mul(t, 2.0); };
  BOOST_TEST(doubled.is_known());
  BOOST_TEST(!doubled.is_builtin());
  BOOST_TEST((doubled(x).to_vector() == std::vector<double>{-2.0, 0.0, 4.0}));

  const auto names = Activation::names();
  BOOST_TEST(std::is_sorted(names.begin(), names.end()));
  BOOST_TEST(std::count(names.begin(), names.end(), "tanh") == 1);
  BOOST_TEST(std::count(names.begin(), names.end(), "tanhh") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cells)

BOOST_AUTO_TEST_CASE(a_direct_cell_call_is_one_step) {
  const auto p = make_problem(DType::f64, 3, 1, 4, 2);
  SimpleRNNCell cell({.units = 2,
                      .kernel_initializer = fixed(p.kernel),
                      .recurrent_initializer = fixed(p.recurrent),
                      .bias_initializer = fixed(p.bias),
                      .dtype = DType::f64});
  BOOST_TEST((cell.state_size() == std::vector<std::int64_t>{2}));
  BOOST_TEST(cell.output_size() == 2);
  const Tensor x = select(p.x, 1, 0);
  auto [out, states] = cell(x, {p.h0});
  auto c = case_for(p, "tanh");
  c.h0 = p.h0.to_vector();
  check_close(out, tensor_of({3, 2}, reference_rnn(c).last, DType::f64), 1e-12, 1e-12);
  BOOST_TEST_REQUIRE(states.size() == 1u);
  BOOST_TEST((states[0].to_vector() == out.to_vector()));
  BOOST_TEST(cell.weights()[0].name() == cell.name() + "/kernel:0");

  const auto zeros = cell.get_initial_state(x);
  BOOST_TEST((zeros.at(0).shape() == Shape{3, 2}));
  BOOST_TEST(zeros[0].dtype() == DType::f64);
  BOOST_TEST(cell.get_initial_state(5, DType::f32).at(0).dtype() == DType::f32);

  const auto before = weight_values(cell);
  RNNKIT_CHECK_THROWS(cell(p.x, {p.h0}), std::invalid_argument, "inputs", "[batch, features]");
  RNNKIT_CHECK_THROWS(cell(x, {Tensor::zeros({3, 3}, DType::f64)}), std::invalid_argument,
                      "states[0]", "[3, 2]", "[3, 3]");
  RNNKIT_CHECK_THROWS(cell(random_tensor({3, 5}), {p.h0}), std::invalid_argument,
                      "expected shape=[None, 4]", "[3, 5]");
  BOOST_TEST((weight_values(cell) == before));
}

BOOST_DATA_TEST_CASE(rnn_runs_a_user_defined_cell_with_every_option,
                     bdata::make({false, true}) * bdata::make({false, true}), go_backwards,
                     masked) {
  const auto p = make_problem(DType::f64, 2, 4, 3, 2);
  RNN rnn(MinimalCell(2, DType::f64), {.return_sequences = true, .go_backwards = go_backwards});
  const std::vector<double> mask_values{1, 0, 1, 1, 0, 0, 1, 0};
  layers::RNNCallOptions call{.initial_state = {p.h0}};
  if (masked) call.mask = Tensor::from_values({2, 4}, mask_values, DType::boolean);
  const Tensor sequence = rnn(p.x, call);
  const auto w = rnn.get_weights();
  BOOST_TEST_REQUIRE(w.size() == 2u);
  BOOST_TEST(rnn.weights()[0].name() == rnn.name() + "/" + rnn.cell().name() + "/kernel:0");
  testing::ReferenceCase c{.batch = 2,
                           .time = 4,
                           .features = 3,
                           .units = 2,
                           .x = p.x.to_vector(),
                           .kernel = w[0].to_vector(),
                           .recurrent = w[1].to_vector(),
                           .h0 = p.h0.to_vector(),
                           .mask = masked ? mask_values : std::vector<double>{},
                           .go_backwards = go_backwards};
  check_close(sequence, tensor_of({2, 4, 2}, reference_rnn(c).sequence, DType::f64), 1e-12, 1e-12);
}

BOOST_AUTO_TEST_CASE(a_user_defined_cell_returns_and_keeps_its_state) {
  const auto p = make_problem(DType::f64, 2, 4, 3, 2);
  const Tensor x2 = random_tensor({2, 4, 3}, DType::f64, 31);
  RNN rnn(MinimalCell(2, DType::f64), {.return_state = true, .stateful = true});
  auto [out1, state1] = rnn(p.x);
  const auto w = rnn.get_weights();
  testing::ReferenceCase c{.batch = 2,
                           .time = 4,
                           .features = 3,
                           .units = 2,
                           .x = p.x.to_vector(),
                           .kernel = w.at(0).to_vector(),
                           .recurrent = w.at(1).to_vector()};
  const auto first = reference_rnn(c);
  check_close(out1, tensor_of({2, 2}, first.last, DType::f64), 1e-12, 1e-12);
  check_close(state1, tensor_of({2, 2}, first.state, DType::f64), 1e-12, 1e-12);
  check_close(rnn.states().at(0), tensor_of({2, 2}, first.state, DType::f64), 1e-12, 1e-12);

  // The second call starts from the kept state.
  auto [out2, state2] = rnn(x2);
  c.x = x2.to_vector();
  c.h0 = first.state;
  const auto second = reference_rnn(c);
  check_close(out2, tensor_of({2, 2}, second.last, DType::f64), 1e-12, 1e-12);
  check_close(state2, tensor_of({2, 2}, second.state, DType::f64), 1e-12, 1e-12);

  rnn.reset_states();
  for (double v : state_values(rnn)) BOOST_TEST(v == 0.0);
}

BOOST_AUTO_TEST_CASE(a_user_defined_cell_trains_through_rnn) {
  set_global_seed(4);
  const Tensor x = random_tensor({16, 5, 2}, DType::f64, 21);
  // Target: a fixed function of the sequence the cell can approximate.
  Tensor target = Tensor::zeros({16, 1}, DType::f64);
  for (std::int64_t b = 0; b < 16; ++b) {
    double s = 0;
    for (std::int64_t t = 0; t < 5; ++t) s += 0.3 * x.at({b, t, 0}) - 0.2 * x.at({b, t, 1});
    target.set({b, 0}, std::tanh(s));
  }
  RNN rnn(MinimalCell(1, DType::f64));
  auto loss_of = [&] { return mean(square(Tensor(rnn(x, {.training = true})) - target)); };
  const double initial = loss_of().item();
  for (int step = 0; step < 60; ++step) {
    const Tensor loss = loss_of();
    for (const Variable& v : rnn.trainable_weights()) Tensor(v.value()).clear_grad();
    loss.backward();
    NoGradGuard no_grad;
    for (Variable v : rnn.trainable_weights()) v.assign(v.value() - 0.5 * v.value().grad());
  }
  const double final_loss = loss_of().item();
  BOOST_TEST(final_loss < 0.25 * initial, "loss went from " << initial << " to " << final_loss);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(api)

BOOST_AUTO_TEST_CASE(results_unpack_with_return_state_and_convert_without) {
  const auto p = make_problem(DType::f32, 2, 3, 2, 2);
  SimpleRNN plain(options_for(p, {}));
  const Tensor y = plain(p.x);
  BOOST_TEST((y.shape() == Shape{2, 2}));
  const layers::RNNOutput r = plain(p.x);
  RNNKIT_CHECK_THROWS(r.get<1>(), std::logic_error, "state");
  SimpleRNN with_state(options_for(p, {.return_state = true}));
  RNNKIT_CHECK_THROWS(static_cast<void>(static_cast<Tensor>(with_state(p.x))), std::logic_error,
                      "return_state");
  auto [out, state] = with_state(p.x);
  BOOST_TEST((out.to_vector() == state.to_vector()));
}

BOOST_AUTO_TEST_CASE(layers_are_movable_values_a_model_can_hold_type_erased) {
  const auto p = make_problem(DType::f64, 2, 3, 2, 2);
  SimpleRNN rnn(options_for(p, {.return_sequences = true}));
  const std::string name = rnn.name();
  const Tensor expected = rnn(p.x);
  std::vector<std::unique_ptr<layers::Layer>> model;
  model.push_back(std::make_unique<SimpleRNN>(std::move(rnn)));
  const Tensor mask = Tensor::ones({2, 3}, DType::boolean);
  const layers::LayerOutput out = model[0]->forward(p.x, mask, false);
  BOOST_TEST_REQUIRE(out.outputs.size() == 1u);
  BOOST_TEST((out.outputs[0].to_vector() == expected.to_vector()));
  BOOST_TEST(out.mask.shares_storage_with(mask));
  BOOST_TEST(model[0]->name() == name);
  BOOST_TEST(model[0]->weights().size() == 3u);
  BOOST_TEST(!model[0]->stateful());
  RNNKIT_CHECK_THROWS(model[0]->reset_states(), std::logic_error, "stateful");

  SimpleRNN last(options_for(p, {.return_state = true}));
  const layers::LayerOutput two = last.forward(p.x, Tensor(), false);
  BOOST_TEST(two.outputs.size() == 2u);
  BOOST_TEST(!two.mask.defined());
  SimpleRNNCell cell(2);
  RNNKIT_CHECK_THROWS(cell.forward(p.x, Tensor(), false), std::logic_error, "SimpleRNNCell");
}

BOOST_AUTO_TEST_SUITE_END()

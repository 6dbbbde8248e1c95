#define BOOST_TEST_MODULE simple_rnn_paths
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/layers/simple_rnn.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "simple_rnn_support.h"
#include "test_support.h"

using namespace rnnkit;
using layers::SimpleRNN;
using testing::check_close;
using testing::make_problem;
using testing::options_for;
using testing::random_tensor;
namespace bdata = boost::unit_test::data;

namespace {

// float32 on both paths; the paths accumulate in different orders (oneDNN's RNN kernel vs
// separate matmuls), so they agree to a few float32 ulps, relative to the values' scale.
constexpr double path_rtol = 1e-5;
constexpr double path_atol = 1e-6;

struct Run {
  Tensor output, state, x_grad, h0_grad;
  std::vector<Tensor> weight_grads;
  std::string output_op;
};

struct PathCase {
  std::string activation;
  bool use_bias, return_sequences, go_backwards, initial_state, stateful, dropout;
};

// Calls `layer` (with return_state) and backpropagates random projections of both outputs.
Run call_and_backward(SimpleRNN& layer, const Tensor& x, const Tensor& h0,
                      const layers::RNNCallOptions& call) {
  auto [output, state] = layer(x, call);
  const Tensor w_out = random_tensor(output.shape(), output.dtype(), 50);
  const Tensor w_state = random_tensor(state.shape(), state.dtype(), 51);
  (sum(output * w_out) + sum(state * w_state)).backward();
  Run r{.output = output,
        .state = state,
        .x_grad = x.grad(),
        .h0_grad = h0.has_grad() ? h0.grad() : Tensor(),
        .weight_grads = {},
        .output_op = output.grad_fn() ? output.grad_fn()->name : "none"};
  for (const Variable& v : layer.weights()) r.weight_grads.push_back(v.value().grad());
  return r;
}

Run run(const PathCase& c, bool unroll) {
  const auto p = make_problem(DType::f32, 3, 6, 4, 5);
  SimpleRNN layer(options_for(p, {.activation = c.activation,
                                  .use_bias = c.use_bias,
                                  .dropout = c.dropout ? 0.3 : 0.0,
                                  .return_sequences = c.return_sequences,
                                  .return_state = true,
                                  .go_backwards = c.go_backwards,
                                  .stateful = c.stateful,
                                  .unroll = unroll,
                                  .seed = 17}));
  if (c.stateful) layer(random_tensor({3, 6, 4}, DType::f32, 40), {.training = true});
  Tensor x = p.x.clone().set_requires_grad();
  Tensor h0 = p.h0.clone().set_requires_grad();
  layers::RNNCallOptions call{.training = true};
  if (c.initial_state) call.initial_state = {h0};
  return call_and_backward(layer, x, h0, call);
}

// Whether the graph that produced `t` holds an op named `name`.
bool graph_contains(const Tensor& t, const std::string& name) {
  std::vector<std::shared_ptr<Node>> pending;
  if (t.grad_fn()) pending.push_back(t.grad_fn());
  while (!pending.empty()) {
    const std::shared_ptr<Node> node = pending.back();
    pending.pop_back();
    if (node->name == name) return true;
    for (const Edge& edge : node->inputs) {
      if (edge.node) pending.push_back(edge.node);
    }
  }
  return false;
}

struct MaskedCase {
  bool return_sequences = false;
  bool go_backwards = false;
  bool zero_output_for_mask = false;
  bool initial_state = false;
  bool recurrent_dropout = false;
  DType dtype = DType::f32;
};

// Rows of 6, 3, 1 and 5 real steps; at the start (left padding) under go_backwards, so that in
// processing order every row is real steps then padding.
Tensor padded_mask(bool at_start) {
  const std::vector<int> lengths{6, 3, 1, 5};
  std::vector<double> values;
  for (int length : lengths) {
    for (int t = 0; t < 6; ++t) values.push_back((at_start ? 6 - 1 - t : t) < length ? 1.0 : 0.0);
  }
  return Tensor::from_values({4, 6}, values, DType::boolean);
}

// Row 1 has a real step after padding, row 3 its only real steps in the middle: not
// right-padded in either processing order.
Tensor holed_mask() {
  return Tensor::from_values(
      {4, 6}, {1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0},
      DType::boolean);
}

// The whole-sequence op that ran, or "steps" for the step loop of autograd ops.
std::string sequence_op(const Tensor& output) {
  for (const char* op : {"fused_simple_rnn", "stepped_simple_rnn"}) {
    if (graph_contains(output, op)) return op;
  }
  return "steps";
}

Run run_masked(const MaskedCase& c, const Tensor& mask, bool unroll) {
  const auto p = make_problem(c.dtype, 4, 6, 4, 5);
  SimpleRNN layer(options_for(p, {.recurrent_dropout = c.recurrent_dropout ? 0.3 : 0.0,
                                  .return_sequences = c.return_sequences,
                                  .return_state = true,
                                  .go_backwards = c.go_backwards,
                                  .unroll = unroll,
                                  .seed = 23,
                                  .zero_output_for_mask = c.zero_output_for_mask}));
  Tensor x = p.x.clone().set_requires_grad();
  Tensor h0 = random_tensor({4, 5}, c.dtype, 52).set_requires_grad();
  layers::RNNCallOptions call{.mask = mask, .training = true};
  if (c.initial_state) call.initial_state = {h0};
  Run r = call_and_backward(layer, x, h0, call);
  r.output_op = sequence_op(r.output);
  return r;
}

// Values and every gradient of two runs of one configuration.
void check_runs_agree(const Run& a, const Run& b, double rtol, double atol) {
  check_close(a.output, b.output, rtol, atol);
  check_close(a.state, b.state, rtol, atol);
  check_close(a.x_grad, b.x_grad, rtol, atol);
  BOOST_TEST_REQUIRE(a.h0_grad.defined() == b.h0_grad.defined());
  if (a.h0_grad.defined()) check_close(a.h0_grad, b.h0_grad, rtol, atol);
  BOOST_TEST_REQUIRE(a.weight_grads.size() == b.weight_grads.size());
  for (std::size_t i = 0; i < a.weight_grads.size(); ++i) {
    check_close(a.weight_grads[i], b.weight_grads[i], rtol, atol);
  }
}

}  // namespace

BOOST_DATA_TEST_CASE(right_padded_masks_run_fused_and_agree_with_the_step_loop,
                     bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}),
                     return_sequences, go_backwards, zero_output_for_mask, initial_state) {
  const MaskedCase c{return_sequences, go_backwards, zero_output_for_mask, initial_state};
  const Tensor mask = padded_mask(go_backwards);
  const Run fused = run_masked(c, mask, false);
  const Run per_step = run_masked(c, mask, true);
  BOOST_TEST(fused.output_op == "fused_simple_rnn");
  BOOST_TEST(per_step.output_op == "steps");
  check_close(fused.output, per_step.output, path_rtol, path_atol);
  check_close(fused.state, per_step.state, path_rtol, path_atol);
  check_close(fused.x_grad, per_step.x_grad, path_rtol, path_atol);
  BOOST_TEST_REQUIRE(fused.h0_grad.defined() == initial_state);
  BOOST_TEST_REQUIRE(per_step.h0_grad.defined() == initial_state);
  if (initial_state) check_close(fused.h0_grad, per_step.h0_grad, path_rtol, path_atol);
  for (std::size_t i = 0; i < fused.weight_grads.size(); ++i) {
    check_close(fused.weight_grads[i], per_step.weight_grads[i], path_rtol, path_atol);
  }
}

BOOST_AUTO_TEST_CASE(masks_with_a_real_step_after_padding_or_none_run_stepped) {
  const MaskedCase c{.return_sequences = true};
  // Row 2 has no real step at all.
  const Tensor empty_row = Tensor::from_values(
      {4, 6}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1},
      DType::boolean);
  for (const Tensor& mask : {holed_mask(), empty_row, padded_mask(/*at_start=*/true)}) {
    const Run stepped = run_masked(c, mask, false);
    const Run loop = run_masked(c, mask, true);
    BOOST_TEST(stepped.output_op == "stepped_simple_rnn");
    BOOST_TEST(loop.output_op == "steps");
    check_runs_agree(stepped, loop, path_rtol, path_atol);
  }
}

// stepped_simple_rnn against the step loop of autograd ops (unroll), with holes in the mask and
// with recurrent dropout (the same seed draws the same masks on both), float32 and float64.
BOOST_DATA_TEST_CASE(stepped_and_step_loop_paths_agree_on_values_and_gradients,
                     bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({DType::f32, DType::f64}),
                     masked, return_sequences, go_backwards, zero_output_for_mask, initial_state,
                     recurrent_dropout, dtype) {
  if (!masked && !recurrent_dropout && dtype == DType::f32) return;  // that one runs fused
  const MaskedCase c{return_sequences, go_backwards, zero_output_for_mask,
                     initial_state,    recurrent_dropout, dtype};
  const Tensor mask = masked ? holed_mask() : Tensor();
  const Run stepped = run_masked(c, mask, false);
  const Run loop = run_masked(c, mask, true);
  BOOST_TEST(stepped.output_op == "stepped_simple_rnn");
  BOOST_TEST(loop.output_op == "steps");
  BOOST_TEST(stepped.h0_grad.defined() == initial_state);
  if (dtype == DType::f64) {
    check_runs_agree(stepped, loop, 1e-13, 1e-14);
  } else {
    check_runs_agree(stepped, loop, path_rtol, path_atol);
  }
}

BOOST_AUTO_TEST_CASE(the_stepped_float32_path_agrees_with_float64) {
  const MaskedCase c32{.return_sequences = true, .initial_state = true, .recurrent_dropout = true};
  MaskedCase c64 = c32;
  c64.dtype = DType::f64;
  const Run single = run_masked(c32, holed_mask(), false);
  const Run dual = run_masked(c64, holed_mask(), false);
  BOOST_TEST(single.output_op == "stepped_simple_rnn");
  check_close(single.output.to(DType::f64), dual.output, path_rtol, path_atol);
  check_close(single.x_grad.to(DType::f64), dual.x_grad, path_rtol, path_atol);
  check_close(single.h0_grad.to(DType::f64), dual.h0_grad, path_rtol, path_atol);
  for (std::size_t i = 0; i < single.weight_grads.size(); ++i) {
    check_close(single.weight_grads[i].to(DType::f64), dual.weight_grads[i], path_rtol, path_atol);
  }
}

BOOST_DATA_TEST_CASE(fused_and_per_step_paths_agree_on_values_and_gradients,
                     bdata::make({"tanh", "relu", "sigmoid"}) * bdata::make({true, false}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}),
                     activation, use_bias, return_sequences, go_backwards, initial_state, stateful,
                     dropout) {
  const PathCase c{activation,    use_bias, return_sequences, go_backwards,
                   initial_state, stateful, dropout};
  const Run fused = run(c, false);
  const Run per_step = run(c, true);
  // The witness that each path really ran.
  BOOST_TEST(fused.output_op == "fused_simple_rnn");
  BOOST_TEST(per_step.output_op != "fused_simple_rnn");

  check_close(fused.output, per_step.output, path_rtol, path_atol);
  check_close(fused.state, per_step.state, path_rtol, path_atol);
  check_close(fused.x_grad, per_step.x_grad, path_rtol, path_atol);
  BOOST_TEST_REQUIRE(fused.h0_grad.defined() == per_step.h0_grad.defined());
  // A given initial state gets a gradient unless a non-zero kept state overrides it (§2.7).
  BOOST_TEST(fused.h0_grad.defined() == (initial_state && !stateful));
  if (fused.h0_grad.defined()) check_close(fused.h0_grad, per_step.h0_grad, path_rtol, path_atol);
  BOOST_TEST_REQUIRE(fused.weight_grads.size() == per_step.weight_grads.size());
  BOOST_TEST(fused.weight_grads.size() == (use_bias ? 3u : 2u));
  for (std::size_t i = 0; i < fused.weight_grads.size(); ++i) {
    check_close(fused.weight_grads[i], per_step.weight_grads[i], path_rtol, path_atol);
  }
}

BOOST_AUTO_TEST_CASE(the_fused_float32_path_agrees_with_float64) {
  const auto p64 = make_problem(DType::f64, 4, 20, 6, 8);
  auto p32 = p64;
  for (Tensor* t : {&p32.x, &p32.kernel, &p32.recurrent, &p32.bias, &p32.h0})
    *t = t->to(DType::f32);
  p32.dtype = DType::f32;
  SimpleRNN single(options_for(p32, {.return_sequences = true}));
  SimpleRNN dual(options_for(p64, {.return_sequences = true}));
  const Tensor y32 = single(p32.x, {.initial_state = {p32.h0}});
  const Tensor y64 = dual(p64.x, {.initial_state = {p64.h0}});
  check_close(y32.to(DType::f64), y64, path_rtol, path_atol);
}

BOOST_AUTO_TEST_CASE(each_configuration_runs_the_fastest_path_that_can) {
  auto op_of = [](layers::SimpleRNNOptions o, layers::RNNCallOptions call,
                  DType dtype = DType::f32) {
    const auto p = make_problem(dtype, 2, 3, 2, 2);
    SimpleRNN layer(options_for(p, std::move(o)));
    return sequence_op(layer(p.x, std::move(call)));
  };
  const Tensor holed = Tensor::from_values({2, 3}, {1, 0, 1, 1, 1, 1}, DType::boolean);
  BOOST_TEST(op_of({}, {}) == "fused_simple_rnn");
  BOOST_TEST(op_of({}, {.mask = Tensor::ones({2, 3}, DType::boolean)}) == "fused_simple_rnn");
  BOOST_TEST(op_of({}, {.mask = holed}) == "stepped_simple_rnn");
  BOOST_TEST(op_of({.recurrent_dropout = 0.2}, {.training = true}) == "stepped_simple_rnn");
  BOOST_TEST(op_of({.recurrent_dropout = 0.2}, {}) == "fused_simple_rnn");
  BOOST_TEST(op_of({}, {}, DType::f64) == "stepped_simple_rnn");
  BOOST_TEST(op_of({.activation = "relu"}, {.mask = holed}, DType::f64) == "stepped_simple_rnn");
  // No whole-sequence op has these: the step loop of autograd ops runs.
  BOOST_TEST(op_of({.activation = "linear"}, {}) == "steps");
  BOOST_TEST(op_of({.activation = [](const Tensor& t) { return tanh(t); }}, {}) == "steps");
  BOOST_TEST(op_of({.unroll = true}, {}) == "steps");
  BOOST_TEST(op_of({.unroll = true}, {}, DType::f64) == "steps");
}

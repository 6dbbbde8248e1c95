#define BOOST_TEST_MODULE stepped_rnn
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/runtime.h>
#include <rnnkit/framework/stepped_rnn.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_support.h"

// stepped_simple_rnn as an op: its contract with bad arguments, saved tensors, which inputs get
// gradients, and thread counts. Its values and gradients are checked against the step loop of
// autograd ops and by finite differences through SimpleRNN (simple_rnn_paths,
// simple_rnn_gradcheck).

using namespace rnnkit;
using rnnkit::testing::random_tensor;
namespace data = boost::unit_test::data;

namespace {

struct Args {
  Tensor projected, h0, recurrent_kernel, mask, recurrent_mask;
};

constexpr std::int64_t batch = 3, steps = 5, units = 4;

Args make_args(DType dtype) {
  return {random_tensor({batch, steps, units}, dtype, 1).set_requires_grad(),
          random_tensor({batch, units}, dtype, 2, -0.5, 0.5).set_requires_grad(),
          random_tensor({units, units}, dtype, 3, -0.5, 0.5).set_requires_grad(),
          Tensor::from_values({batch, steps}, {1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1},
                              DType::boolean),
          random_tensor({batch, units}, dtype, 4, 0.0, 2.0)};
}

// Large enough that the kernels have work to split between threads; every third step masked.
Args make_large_args(DType dtype) {
  const std::int64_t b = 32, t = 50, u = 64;
  std::vector<double> bits;
  for (std::int64_t i = 0; i < b * t; ++i) bits.push_back(i % 3 != 0 ? 1.0 : 0.0);
  return {random_tensor({b, t, u}, dtype, 1).set_requires_grad(),
          random_tensor({b, u}, dtype, 2, -0.5, 0.5).set_requires_grad(),
          random_tensor({u, u}, dtype, 3, -0.15, 0.15).set_requires_grad(),
          Tensor::from_values({b, t}, bits, DType::boolean),
          random_tensor({b, u}, dtype, 4, 0.0, 2.0)};
}

SteppedRnnOptions all_options(const Args& a) {
  return {.mask = a.mask, .recurrent_mask = a.recurrent_mask, .with_sequence = true};
}

// Backpropagates fixed random projections of all three outputs.
void backpropagate(const SteppedRnnOutputs& out) {
  const DType dtype = out.last_output.dtype();
  (sum(out.sequence * random_tensor(out.sequence.shape(), dtype, 10)) +
   sum(out.last_output * random_tensor(out.last_output.shape(), dtype, 11)) +
   sum(out.last_state * random_tensor(out.last_state.shape(), dtype, 12)))
      .backward();
}

// Runs the op with every option and backpropagates; the outputs, then the inputs' gradients.
std::vector<Tensor> outputs_and_gradients(const Args& a) {
  for (Tensor t : {a.projected, a.h0, a.recurrent_kernel}) t.clear_grad();
  const SteppedRnnOutputs out =
      stepped_simple_rnn(a.projected, a.h0, a.recurrent_kernel, "tanh", all_options(a));
  backpropagate(out);
  return {out.sequence,       out.last_output, out.last_state,
          a.projected.grad(), a.h0.grad(),     a.recurrent_kernel.grad()};
}

// Restores the fixed single thread the suite runs with (OMP_NUM_THREADS=1).
struct SingleThreadAfterwards {
  ~SingleThreadAfterwards() { set_num_threads(1); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(stepped_rnn_supports_both_float_types_with_three_activations) {
  for (const char* name : {"tanh", "relu", "sigmoid"}) {
    BOOST_TEST(stepped_rnn_supports(name, DType::f32), name);
    BOOST_TEST(stepped_rnn_supports(name, DType::f64), name);
    BOOST_TEST(!stepped_rnn_supports(name, DType::i64), name);
  }
  for (const char* name : {"elu", "linear", "softmax", ""}) {
    BOOST_TEST(!stepped_rnn_supports(name, DType::f32), name);
  }
}

BOOST_AUTO_TEST_CASE(invalid_arguments_are_rejected_before_anything_runs) {
  const Args a = make_args(DType::f32);
  const auto versions = [&] {
    return std::vector<std::uint64_t>{a.projected.version(), a.h0.version(),
                                      a.recurrent_kernel.version()};
  };
  const auto before = versions();
  const Tensor u = a.recurrent_kernel;
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(a.projected, a.h0, u, "elu"), std::invalid_argument,
                      "stepped_simple_rnn", "activation", "\"elu\"", "tanh");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(Tensor(), a.h0, u, "tanh"), std::invalid_argument,
                      "stepped_simple_rnn", "'projected'", "undefined");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(a.projected.reshape({15, 4}), a.h0, u, "tanh"),
                      std::invalid_argument, "'projected'", "[batch, timesteps, units]", "[15, 4]");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(Tensor::zeros({3, 0, 4}), a.h0, u, "tanh"),
                      std::invalid_argument, "'projected'", ">= 1", "[3, 0, 4]");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(a.projected, a.h0.to(DType::f64), u, "tanh"),
                      std::invalid_argument, "'h0'", "float32", "float64");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(a.projected, Tensor::zeros({2, 4}), u, "tanh"),
                      std::invalid_argument, "'h0'", "[3, 4]", "[2, 4]");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(a.projected, a.h0, Tensor::zeros({4, 3}), "tanh"),
                      std::invalid_argument, "'recurrent_kernel'", "[4, 4]", "[4, 3]");
  RNNKIT_CHECK_THROWS(
      stepped_simple_rnn(a.projected, a.h0, u, "tanh", {.mask = Tensor::ones({3, 5}, DType::f32)}),
      std::invalid_argument, "'mask'", "bool", "float32");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(a.projected, a.h0, u, "tanh",
                                         {.mask = Tensor::ones({5, 3}, DType::boolean)}),
                      std::invalid_argument, "'mask'", "[3, 5]", "[5, 3]");
  RNNKIT_CHECK_THROWS(
      stepped_simple_rnn(a.projected, a.h0, u, "tanh", {.recurrent_mask = Tensor::ones({3, 5})}),
      std::invalid_argument, "'recurrent_mask'", "[3, 4]", "[3, 5]");
  RNNKIT_CHECK_THROWS(stepped_simple_rnn(a.projected, a.h0, u, "tanh",
                                         {.recurrent_mask = Tensor::ones({3, 4}, DType::f64)}),
                      std::invalid_argument, "'recurrent_mask'", "float32", "float64");
  BOOST_TEST(versions() == before);
  BOOST_TEST(!a.projected.has_grad());
}

BOOST_AUTO_TEST_CASE(masks_changed_in_place_after_the_call_do_not_change_the_gradients) {
  const Args reference = make_args(DType::f64);
  const std::vector<Tensor> expected = outputs_and_gradients(reference);
  for (const bool recurrent : {false, true}) {
    const Args a = make_args(DType::f64);
    const SteppedRnnOutputs out =
        stepped_simple_rnn(a.projected, a.h0, a.recurrent_kernel, "tanh", all_options(a));
    Tensor changed = recurrent ? a.recurrent_mask : a.mask;
    if (recurrent) {
      changed.set({0, 0}, 0.0);
    } else {
      changed.set({0, 1}, 1.0);
    }
    backpropagate(out);
    BOOST_TEST(a.projected.grad().to_vector() == expected[3].to_vector());
    BOOST_TEST(a.h0.grad().to_vector() == expected[4].to_vector());
    BOOST_TEST(a.recurrent_kernel.grad().to_vector() == expected[5].to_vector());
  }
}

BOOST_AUTO_TEST_CASE(only_the_inputs_that_require_grad_receive_one) {
  const Args a = make_args(DType::f64);
  const Tensor projected = a.projected.detach().clone();
  const Tensor h0 = a.h0.detach().clone();
  const Tensor kernel = a.recurrent_kernel.detach().clone().set_requires_grad();
  const SteppedRnnOutputs out = stepped_simple_rnn(projected, h0, kernel, "relu", all_options(a));
  sum(out.last_output).backward();
  BOOST_TEST(kernel.has_grad());
  BOOST_TEST(!projected.has_grad());
  BOOST_TEST(!h0.has_grad());

  // Nothing requires grad: no node is recorded, and the values are the same.
  const SteppedRnnOutputs inference =
      stepped_simple_rnn(projected, h0, kernel.detach(), "relu", all_options(a));
  BOOST_TEST(!inference.last_output.grad_fn());
  BOOST_TEST(inference.sequence.to_vector() == out.sequence.to_vector());
}

BOOST_AUTO_TEST_CASE(without_the_sequence_the_last_results_and_gradients_are_the_same) {
  const Args a = make_args(DType::f64);
  const SteppedRnnOutputs full =
      stepped_simple_rnn(a.projected, a.h0, a.recurrent_kernel, "sigmoid", all_options(a));
  SteppedRnnOptions last_only = all_options(a);
  last_only.with_sequence = false;
  const Args b = make_args(DType::f64);
  const SteppedRnnOutputs without =
      stepped_simple_rnn(b.projected, b.h0, b.recurrent_kernel, "sigmoid", last_only);
  BOOST_TEST(!without.sequence.defined());
  BOOST_TEST(without.last_output.to_vector() == full.last_output.to_vector());
  BOOST_TEST(without.last_state.to_vector() == full.last_state.to_vector());
  sum(full.last_output * 2.0 + full.last_state).backward();
  sum(without.last_output * 2.0 + without.last_state).backward();
  BOOST_TEST(b.projected.grad().to_vector() == a.projected.grad().to_vector());
  BOOST_TEST(b.h0.grad().to_vector() == a.h0.grad().to_vector());
  BOOST_TEST(b.recurrent_kernel.grad().to_vector() == a.recurrent_kernel.grad().to_vector());
}

BOOST_DATA_TEST_CASE(one_and_two_threads_give_the_same_results,
                     data::make({DType::f32, DType::f64}), dtype) {
  const SingleThreadAfterwards restore;
  const Args a = make_large_args(dtype);
  set_num_threads(1);
  const std::vector<Tensor> one = outputs_and_gradients(a);
  set_num_threads(2);
  const std::vector<Tensor> two = outputs_and_gradients(a);
  for (std::size_t i = 0; i < one.size(); ++i) {
    if (dtype == DType::f32) {
      // What lets the automatic thread choice run float32 on either count.
      BOOST_TEST(two[i].to_vector() == one[i].to_vector(), "result " << i);
    } else {
      // Eigen's float64 GEMM may split a sum between threads.
      rnnkit::testing::check_close(two[i], one[i], 1e-13, 1e-13);
    }
  }
}

BOOST_AUTO_TEST_CASE(repeated_steps_create_no_primitive_and_give_the_same_bits) {
  const Args a = make_args(DType::f32);
  const std::vector<Tensor> first = outputs_and_gradients(a);
  const auto misses = primitive_cache_stats().misses;
  const auto hits = primitive_cache_stats().hits;
  const std::vector<Tensor> second = outputs_and_gradients(a);
  BOOST_TEST(primitive_cache_stats().misses == misses);
  // Per step: the fused matmul forward; the activation's backward and the input-gradient matmul
  // backward; then the recurrent kernel's GEMM once.
  BOOST_TEST(primitive_cache_stats().hits >= hits + 3 * static_cast<std::uint64_t>(steps) + 1);
  for (std::size_t i = 0; i < first.size(); ++i) {
    BOOST_TEST(second[i].to_vector() == first[i].to_vector(), "result " << i);
  }
}

// The step's activation must treat NaN and Inf as the framework's relu op does (and Keras's
// step loop with it): a NaN pre-activation gives 0, and an infinite gradient at a dead unit
// gives NaN, not a silent 0.
BOOST_DATA_TEST_CASE(relu_treats_nan_and_inf_as_the_relu_op_does,
                     data::make({DType::f32, DType::f64}), dtype) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor h0 = Tensor::zeros({1, 1}, dtype);
  const Tensor kernel = Tensor::ones({1, 1}, dtype);

  const Tensor projected = Tensor::from_values({1, 2, 1}, {nan, 0.5}, dtype);
  const SteppedRnnOutputs out = stepped_simple_rnn(projected, h0, kernel, "relu");
  const Tensor expected =
      relu(add(select(projected, 1, 1), matmul(relu(select(projected, 1, 0)), kernel)));
  BOOST_TEST(out.last_output.to_vector() == expected.to_vector());

  const Tensor dead = Tensor::from_values({1, 1, 1}, {-1.0}, dtype).set_requires_grad();
  sum(stepped_simple_rnn(dead, h0, kernel, "relu").last_output * inf).backward();
  const Tensor x = Tensor::from_values({1, 1}, {-1.0}, dtype).set_requires_grad();
  sum(relu(x) * inf).backward();
  BOOST_TEST_REQUIRE(std::isnan(x.grad().to_vector()[0]));
  BOOST_TEST(std::isnan(dead.grad().to_vector()[0]));
}

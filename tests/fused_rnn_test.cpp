#define BOOST_TEST_MODULE fused_rnn
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/fused_rnn.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/runtime.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "kernels/onednn/vanilla_rnn.h"
#include "kernels/threads_load.h"
#include "test_support.h"

// The fused oneDNN SimpleRNN against the same recurrence composed from per-step autograd ops
// (matmul, add, activation, stack), in float32 and in float64.

using namespace rnnkit;
using rnnkit::testing::check_close;
using rnnkit::testing::random_tensor;
namespace data = boost::unit_test::data;

namespace {

struct Sizes {
  std::int64_t batch;
  std::int64_t time;
  std::int64_t features;
  std::int64_t units;
};

std::ostream& operator<<(std::ostream& out, const Sizes& s) {
  return out << "B=" << s.batch << " T=" << s.time << " F=" << s.features << " U=" << s.units;
}

const std::vector<Sizes> grid_sizes{{1, 1, 2, 3}, {3, 7, 5, 4}, {2, 120, 3, 6}};

struct RnnArgs {
  Tensor x, h0, kernel, recurrent_kernel, bias;  // bias undefined: no bias
};

// Scaled so the recurrence contracts (recurrent_kernel's spectral radius is about 0.6): rounding
// differences then stay bounded over 120 steps instead of compounding, and relu cannot explode.
RnnArgs make_args(const Sizes& s, bool with_bias, std::uint64_t seed = 1) {
  const double kernel_scale = 1.0 / std::sqrt(static_cast<double>(s.features));
  const double recurrent_scale = 1.0 / std::sqrt(static_cast<double>(s.units));
  return {
      random_tensor({s.batch, s.time, s.features}, DType::f32, seed),
      random_tensor({s.batch, s.units}, DType::f32, seed + 1, -0.5, 0.5),
      random_tensor({s.features, s.units}, DType::f32, seed + 2, -kernel_scale, kernel_scale),
      random_tensor({s.units, s.units}, DType::f32, seed + 3, -recurrent_scale, recurrent_scale),
      with_bias ? random_tensor({s.units}, DType::f32, seed + 4, -0.5, 0.5) : Tensor()};
}

// Fresh leaves holding the same values in `dtype`, every one requiring grad.
RnnArgs leaves(const RnnArgs& a, DType dtype) {
  const auto leaf = [dtype](const Tensor& t) {
    return t.defined() ? t.to(dtype).detach().clone().set_requires_grad() : Tensor();
  };
  return {leaf(a.x), leaf(a.h0), leaf(a.kernel), leaf(a.recurrent_kernel), leaf(a.bias)};
}

void clear_grads(const RnnArgs& a) {
  for (Tensor t : {a.x, a.h0, a.kernel, a.recurrent_kernel, a.bias}) {
    if (t.defined()) t.clear_grad();
  }
}

Tensor activate(const Tensor& x, const std::string& activation) {
  if (activation == "tanh") return tanh(x);
  if (activation == "relu") return relu(x);
  return sigmoid(x);
}

// h_t = act(x_t . kernel + h_{t-1} . recurrent_kernel + bias), one autograd op at a time.
FusedRnnOutputs composed_rnn(const RnnArgs& a, const std::string& activation) {
  Tensor h = a.h0;
  std::vector<Tensor> steps;
  for (std::int64_t t = 0; t < a.x.size(1); ++t) {
    Tensor pre = add(matmul(select(a.x, 1, t), a.kernel), matmul(h, a.recurrent_kernel));
    if (a.bias.defined()) pre = add(pre, a.bias);
    h = activate(pre, activation);
    steps.push_back(h);
  }
  return {stack(steps, 1), h};
}

FusedRnnOutputs fused_rnn(const RnnArgs& a, const std::string& activation) {
  return fused_simple_rnn(a.x, a.h0, a.kernel, a.recurrent_kernel, a.bias, activation);
}

// Outputs and the gradients of x, h0, kernel, recurrent_kernel, bias.
struct Result {
  Tensor sequence, last_state;
  std::vector<Tensor> grads;
};

const std::vector<std::string> grad_names{"x", "h0", "kernel", "recurrent_kernel", "bias"};

// Random projections of both outputs, so the loss sends a gradient into each.
struct Projections {
  explicit Projections(const Sizes& s)
      : sequence(random_tensor({s.batch, s.time, s.units}, DType::f32, 11)),
        last_state(random_tensor({s.batch, s.units}, DType::f32, 12)) {}
  Tensor sequence, last_state;
};

template <class Rnn>
Result run_with_gradients(const Rnn& rnn, const RnnArgs& a, const std::string& activation,
                          const Projections& p) {
  const FusedRnnOutputs out = rnn(a, activation);
  const DType dtype = a.x.dtype();
  Tensor loss = add(sum(mul(out.sequence, p.sequence.to(dtype))),
                    sum(mul(out.last_state, p.last_state.to(dtype))));
  loss.backward();
  const auto grad = [](const Tensor& t) { return t.defined() ? t.grad() : Tensor(); };
  return {out.sequence.detach(),
          out.last_state.detach(),
          {grad(a.x), grad(a.h0), grad(a.kernel), grad(a.recurrent_kernel), grad(a.bias)}};
}

double max_abs(const Tensor& t) {
  double m = 0.0;
  for (double v : t.to_vector()) m = std::max(m, std::abs(v));
  return m;
}

// Relative to each tensor's own scale: a gradient that sums T*B terms has elements that cancel
// to near zero, where only an error measured against the tensor's magnitude is meaningful.
void check_result(const Result& actual, const Result& expected, double rtol) {
  BOOST_TEST_CONTEXT("sequence") {
    check_close(actual.sequence, expected.sequence, rtol, rtol * max_abs(expected.sequence));
  }
  BOOST_TEST_CONTEXT("last_state") {
    check_close(actual.last_state, expected.last_state, rtol, rtol * max_abs(expected.last_state));
  }
  for (std::size_t i = 0; i < grad_names.size(); ++i) {
    BOOST_TEST_CONTEXT("gradient of " << grad_names[i]) {
      BOOST_TEST_REQUIRE(actual.grads[i].defined() == expected.grads[i].defined());
      if (expected.grads[i].defined()) {
        check_close(actual.grads[i], expected.grads[i], rtol, rtol * max_abs(expected.grads[i]));
      }
    }
  }
}

const auto activations = data::make(std::vector<std::string>{"tanh", "relu", "sigmoid"});

}  // namespace

// Both sides round in float32 (eps 6e-8), in different summation orders: each value is a sum of
// F + U + 1 terms of magnitude <= 1, and the contracting recurrence keeps per-step errors from
// compounding, so the differences stay at a few 1e-7 of each tensor's scale; 1e-5 is a 20x margin
// that still catches any wrong term (a missing bias or a transposed weight is an O(1) error).
BOOST_DATA_TEST_CASE(fused_matches_the_composed_float32_reference,
                     activations* data::make({true, false}) * data::make(grid_sizes), activation,
                     with_bias, sizes) {
  const RnnArgs args = make_args(sizes, with_bias);
  const Projections projections(sizes);
  const Result fused =
      run_with_gradients(fused_rnn, leaves(args, DType::f32), activation, projections);
  const Result composed =
      run_with_gradients(composed_rnn, leaves(args, DType::f32), activation, projections);
  check_result(fused, composed, 1e-5);
  BOOST_TEST(!fused.grads[4].defined() == !with_bias);
}

// The float64 reference sees exactly the float32 inputs, so what differs is only float32's own
// rounding, a few 1e-7 of each tensor's scale: 1e-4 bounds it with a wide margin.
BOOST_DATA_TEST_CASE(fused_matches_the_composed_float64_reference,
                     activations* data::make({true, false}) * data::make(grid_sizes), activation,
                     with_bias, sizes) {
  const RnnArgs args = make_args(sizes, with_bias);
  const Projections projections(sizes);
  const Result fused =
      run_with_gradients(fused_rnn, leaves(args, DType::f32), activation, projections);
  const Result composed =
      run_with_gradients(composed_rnn, leaves(args, DType::f64), activation, projections);
  check_result(fused, composed, 1e-4);
}

BOOST_DATA_TEST_CASE(inference_without_gradients_matches_the_reference,
                     activations* data::make(grid_sizes), activation, sizes) {
  const RnnArgs args = make_args(sizes, true);
  const FusedRnnOutputs expected = composed_rnn(args, activation);
  const FusedRnnOutputs fused = fused_rnn(args, activation);
  BOOST_TEST(!fused.sequence.requires_grad());
  check_close(fused.sequence, expected.sequence, 1e-5, 1e-5 * max_abs(expected.sequence));
  check_close(fused.last_state, expected.last_state, 1e-5, 1e-5 * max_abs(expected.last_state));
}

BOOST_AUTO_TEST_CASE(only_the_inputs_that_require_grad_receive_one) {
  const Sizes sizes{3, 7, 5, 4};
  const RnnArgs values = make_args(sizes, false);
  RnnArgs fused_args = values;
  fused_args.kernel = leaves(values, DType::f32).kernel;
  RnnArgs composed_args = values;
  composed_args.kernel = leaves(values, DType::f32).kernel;
  const Tensor projection = random_tensor({sizes.batch, sizes.units}, DType::f32, 5);
  // Only last_state is used: the sequence output's gradient is zero.
  sum(mul(fused_rnn(fused_args, "tanh").last_state, projection)).backward();
  sum(mul(composed_rnn(composed_args, "tanh").last_state, projection)).backward();
  check_close(fused_args.kernel.grad(), composed_args.kernel.grad(), 1e-5,
              1e-5 * max_abs(composed_args.kernel.grad()));
  BOOST_TEST(!fused_args.x.has_grad());
  BOOST_TEST(!fused_args.h0.has_grad());
  BOOST_TEST(!fused_args.recurrent_kernel.has_grad());
}

BOOST_AUTO_TEST_CASE(repeated_steps_with_unchanged_weights_create_and_reorder_nothing) {
  const Sizes sizes{3, 7, 5, 4};
  const RnnArgs args = leaves(make_args(sizes, true), DType::f32);
  const Projections projections(sizes);
  const auto step = [&] {
    clear_grads(args);
    return run_with_gradients(fused_rnn, args, "tanh", projections);
  };
  const auto reorders_before = kernels::onednn::weight_reorder_count();
  const Result first = step();
  const auto reorders_after_first = kernels::onednn::weight_reorder_count();
  // oneDNN 2.6's backward takes its weights as ldgoi, never Keras's ldigo: new weights are
  // reordered once.
  BOOST_TEST(reorders_after_first > reorders_before);
  const auto stats = primitive_cache_stats();
  const Result second = step();
  BOOST_TEST(primitive_cache_stats().misses == stats.misses);
  BOOST_TEST(kernels::onednn::weight_reorder_count() == reorders_after_first);
  // Bit-identical: the diff weights oneDNN accumulates into were zeroed again.
  BOOST_TEST(second.sequence.to_vector() == first.sequence.to_vector());
  for (std::size_t i = 0; i < grad_names.size(); ++i) {
    BOOST_TEST(second.grads[i].to_vector() == first.grads[i].to_vector(), grad_names[i]);
  }

  NoGradGuard no_grad;
  (void)fused_rnn(args, "tanh");
  const auto inference_stats = primitive_cache_stats();
  (void)fused_rnn(args, "tanh");
  const auto after = primitive_cache_stats();
  BOOST_TEST(after.misses == inference_stats.misses);
  // Exactly the RNN and the transposes of x and of the sequence ran: no weight reorder.
  BOOST_TEST(after.hits == inference_stats.hits + 3);
}

BOOST_AUTO_TEST_CASE(an_in_place_weight_update_is_used_by_the_next_call) {
  const Sizes sizes{3, 7, 5, 4};
  const RnnArgs args = leaves(make_args(sizes, true), DType::f32);
  const Projections projections(sizes);
  const Result before = run_with_gradients(fused_rnn, args, "tanh", projections);
  Tensor inference_before;
  {
    NoGradGuard no_grad;
    inference_before = fused_rnn(args, "tanh").sequence;
  }
  // An SGD step written through mutable_data, as an optimizer does; it bumps the versions.
  for (Tensor weights : {args.kernel, args.recurrent_kernel}) {
    const std::vector<double> grad = weights.grad().to_vector();
    float* w = weights.mutable_data<float>();
    for (std::size_t i = 0; i < grad.size(); ++i) w[i] -= 0.5f * static_cast<float>(grad[i]);
  }
  clear_grads(args);

  const Result after = run_with_gradients(fused_rnn, args, "tanh", projections);
  const Result expected =
      run_with_gradients(composed_rnn, leaves(args, DType::f32), "tanh", projections);
  check_result(after, expected, 1e-5);
  BOOST_TEST(max_abs(sub(after.sequence, before.sequence)) > 1e-2);

  NoGradGuard no_grad;
  const Tensor inference_after = fused_rnn(args, "tanh").sequence;
  check_close(inference_after, expected.sequence, 1e-5, 1e-5 * max_abs(expected.sequence));
  BOOST_TEST(max_abs(sub(inference_after, inference_before)) > 1e-2);
}

BOOST_AUTO_TEST_CASE(backward_refuses_weights_changed_after_the_forward) {
  const RnnArgs args = leaves(make_args({2, 3, 2, 3}, true), DType::f32);
  const Tensor loss = sum(fused_rnn(args, "relu").sequence);
  Tensor kernel = args.kernel;
  kernel.mutable_data<float>()[0] += 1.0f;
  RNNKIT_CHECK_THROWS(loss.backward(), std::logic_error, "fused_simple_rnn", "modified in place");
}

BOOST_AUTO_TEST_CASE(retained_graph_backward_twice_doubles_every_gradient) {
  const Sizes sizes{3, 7, 5, 4};
  const RnnArgs args = leaves(make_args(sizes, true), DType::f32);
  const Projections projections(sizes);
  const Tensor loss = sum(mul(fused_rnn(args, "sigmoid").sequence, projections.sequence));
  loss.backward({.retain_graph = true});
  std::vector<Tensor> once;
  for (const Tensor* t : {&args.x, &args.h0, &args.kernel, &args.recurrent_kernel, &args.bias}) {
    once.push_back(t->grad().clone());
  }
  loss.backward();
  const std::vector<const Tensor*> inputs{&args.x, &args.h0, &args.kernel, &args.recurrent_kernel,
                                          &args.bias};
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    BOOST_TEST_CONTEXT("gradient of " << grad_names[i]) {
      check_close(inputs[i]->grad(), mul(once[i], 2.0), 1e-6, 1e-6 * max_abs(once[i]));
    }
  }
}

BOOST_AUTO_TEST_CASE(fused_rnn_supports_float32_with_the_primitive_activations) {
  for (const char* name : {"tanh", "relu", "sigmoid"}) {
    BOOST_TEST(fused_rnn_supports(name, DType::f32), name);
    BOOST_TEST(!fused_rnn_supports(name, DType::f64), name);
  }
  for (const char* name : {"elu", "linear", "hard_sigmoid", "softmax", ""}) {
    BOOST_TEST(!fused_rnn_supports(name, DType::f32), name);
  }
}

BOOST_AUTO_TEST_CASE(invalid_arguments_are_rejected_before_anything_runs) {
  const RnnArgs a = make_args({3, 7, 5, 4}, true);
  const auto versions = [&] {
    return std::vector<std::uint64_t>{a.x.version(), a.h0.version(), a.kernel.version(),
                                      a.recurrent_kernel.version(), a.bias.version()};
  };
  const auto versions_before = versions();
  const auto misses_before = primitive_cache_stats().misses;
  const Tensor f64_x = a.x.to(DType::f64);
  const Tensor f64_bias = a.bias.to(DType::f64);

  RNNKIT_CHECK_THROWS(fused_simple_rnn(a.x, a.h0, a.kernel, a.recurrent_kernel, a.bias, "elu"),
                      std::invalid_argument, "fused_simple_rnn", "activation", "\"elu\"", "tanh");
  RNNKIT_CHECK_THROWS(fused_simple_rnn(f64_x, a.h0, a.kernel, a.recurrent_kernel, a.bias, "tanh"),
                      std::invalid_argument, "fused_simple_rnn", "'x'", "float32", "float64");
  RNNKIT_CHECK_THROWS(fused_simple_rnn(a.x, a.h0, a.kernel, a.recurrent_kernel, f64_bias, "tanh"),
                      std::invalid_argument, "fused_simple_rnn", "'bias'", "float32", "float64");
  RNNKIT_CHECK_THROWS(
      fused_simple_rnn(Tensor(), a.h0, a.kernel, a.recurrent_kernel, a.bias, "tanh"),
      std::invalid_argument, "fused_simple_rnn", "'x'", "undefined");
  RNNKIT_CHECK_THROWS(fused_simple_rnn(a.x, Tensor(), a.kernel, a.recurrent_kernel, a.bias, "tanh"),
                      std::invalid_argument, "fused_simple_rnn", "'h0'", "undefined");
  RNNKIT_CHECK_THROWS(
      fused_simple_rnn(a.x.reshape({21, 5}), a.h0, a.kernel, a.recurrent_kernel, a.bias, "tanh"),
      std::invalid_argument, "fused_simple_rnn", "'x'", "[batch, timesteps, features]", "[21, 5]");
  RNNKIT_CHECK_THROWS(fused_simple_rnn(Tensor::zeros({3, 0, 5}), a.h0, a.kernel, a.recurrent_kernel,
                                       a.bias, "tanh"),
                      std::invalid_argument, "fused_simple_rnn", "'x'", ">= 1", "[3, 0, 5]");
  RNNKIT_CHECK_THROWS(fused_simple_rnn(Tensor::zeros({0, 7, 5}), Tensor::zeros({0, 4}), a.kernel,
                                       a.recurrent_kernel, a.bias, "tanh"),
                      std::invalid_argument, "fused_simple_rnn", "'x'", ">= 1", "[0, 7, 5]");
  RNNKIT_CHECK_THROWS(
      fused_simple_rnn(a.x, a.h0, Tensor::zeros({4, 4}), a.recurrent_kernel, a.bias, "tanh"),
      std::invalid_argument, "fused_simple_rnn", "'kernel'", "[5, 4]", "[4, 4]");
  RNNKIT_CHECK_THROWS(
      fused_simple_rnn(a.x, a.h0, Tensor::zeros({20}), a.recurrent_kernel, a.bias, "tanh"),
      std::invalid_argument, "fused_simple_rnn", "'kernel'", "[features, units]", "[20]");
  RNNKIT_CHECK_THROWS(fused_simple_rnn(a.x, a.h0, a.kernel, Tensor::zeros({4, 3}), a.bias, "tanh"),
                      std::invalid_argument, "fused_simple_rnn", "'recurrent_kernel'", "[4, 4]",
                      "[4, 3]");
  RNNKIT_CHECK_THROWS(
      fused_simple_rnn(a.x, a.h0, a.kernel, a.recurrent_kernel, Tensor::zeros({3}), "tanh"),
      std::invalid_argument, "fused_simple_rnn", "'bias'", "[4]", "[3]");
  RNNKIT_CHECK_THROWS(
      fused_simple_rnn(a.x, Tensor::zeros({2, 4}), a.kernel, a.recurrent_kernel, a.bias, "tanh"),
      std::invalid_argument, "fused_simple_rnn", "'h0'", "[3, 4]", "[2, 4]");

  BOOST_TEST(versions() == versions_before);
  BOOST_TEST(primitive_cache_stats().misses == misses_before);
}

BOOST_DATA_TEST_CASE(the_last_state_alone_matches_the_full_run, activations, activation) {
  const Sizes sizes{3, 7, 5, 4};
  const RnnArgs values = make_args(sizes, true);
  const RnnArgs full = leaves(values, DType::f32);
  const RnnArgs last_only = leaves(values, DType::f32);
  const Tensor projection = random_tensor({sizes.batch, sizes.units}, DType::f32, 5);
  const FusedRnnOutputs with_sequence = fused_rnn(full, activation);
  const FusedRnnOutputs without =
      fused_simple_rnn(last_only.x, last_only.h0, last_only.kernel, last_only.recurrent_kernel,
                       last_only.bias, activation, /*with_sequence=*/false);
  BOOST_TEST(!without.sequence.defined());
  BOOST_TEST(without.last_state.to_vector() == with_sequence.last_state.to_vector());
  // The full run's sequence output takes no gradient, so both backward passes see the same one.
  sum(mul(with_sequence.last_state, projection)).backward();
  sum(mul(without.last_state, projection)).backward();
  const std::vector<Tensor> expected{full.x, full.h0, full.kernel, full.recurrent_kernel,
                                     full.bias};
  const std::vector<Tensor> actual{last_only.x, last_only.h0, last_only.kernel,
                                   last_only.recurrent_kernel, last_only.bias};
  for (std::size_t i = 0; i < grad_names.size(); ++i) {
    BOOST_TEST(actual[i].grad().to_vector() == expected[i].grad().to_vector(), grad_names[i]);
  }
}

// Restores the fixed single thread the suite runs with (OMP_NUM_THREADS=1).
struct SingleThreadAfterwards {
  ~SingleThreadAfterwards() { set_num_threads(1); }
};

BOOST_AUTO_TEST_CASE(one_and_two_threads_give_the_same_bits) {
  const SingleThreadAfterwards restore;
  const Sizes sizes{16, 30, 8, 32};
  const RnnArgs args = leaves(make_args(sizes, true), DType::f32);
  const Projections projections(sizes);
  const auto run_on = [&](int threads) {
    set_num_threads(threads);
    clear_grads(args);
    return run_with_gradients(fused_rnn, args, "tanh", projections);
  };
  const Result one = run_on(1);
  const Result two = run_on(2);
  BOOST_TEST(two.sequence.to_vector() == one.sequence.to_vector());
  for (std::size_t i = 0; i < grad_names.size(); ++i) {
    BOOST_TEST(two.grads[i].to_vector() == one.grads[i].to_vector(), grad_names[i]);
  }
}

BOOST_AUTO_TEST_CASE(the_automatic_choice_settles_per_problem_and_keeps_the_results) {
  const SingleThreadAfterwards restore;
  // A quiet machine, whatever this one's load: on a busy one the choice runs untimed.
  kernels::set_load_probe([] { return kernels::Load{.processors = 2, .others_ready = 0}; });
  set_num_threads(2);
  BOOST_TEST(!automatic_threads());
  const Sizes sizes{4, 9, 3, 5};
  const RnnArgs args = leaves(make_args(sizes, true), DType::f32);
  const Projections projections(sizes);
  const auto step = [&] {
    clear_grads(args);
    return run_with_gradients(fused_rnn, args, "tanh", projections);
  };
  const Result fixed = step();

  set_automatic_threads(true);
  BOOST_TEST(automatic_threads());
  BOOST_TEST(thread_choices().empty());
  // All but the last execution of the trials leave the choice open; the last settles it.
  BOOST_TEST(thread_choice_executions() == 9);
  for (int i = 0; i < thread_choice_executions() - 1; ++i) step();
  BOOST_TEST(thread_choices().empty());
  const Result settled = step();
  const std::vector<ThreadChoice> choices = thread_choices();
  BOOST_TEST_REQUIRE(choices.size() == 2u);  // the forward and the backward primitive
  for (const ThreadChoice& choice : choices) {
    BOOST_TEST((choice.threads == 1 || choice.threads == 2), choice.problem);
    BOOST_TEST(choice.problem.find("4x9x3x5") != std::string::npos, choice.problem);
  }
  BOOST_TEST(settled.sequence.to_vector() == fixed.sequence.to_vector());
  for (std::size_t i = 0; i < grad_names.size(); ++i) {
    BOOST_TEST(settled.grads[i].to_vector() == fixed.grads[i].to_vector(), grad_names[i]);
  }
  // The choice ran on a scoped team size: the caller's setting is as it was.
  BOOST_TEST(num_threads() == 2);

  set_num_threads(1);
  BOOST_TEST(!automatic_threads());
  set_automatic_threads(true);
  BOOST_TEST(thread_choices().empty());
  set_automatic_threads(false);
  kernels::set_load_probe({});
}

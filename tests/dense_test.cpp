#define BOOST_TEST_MODULE dense
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/gradcheck.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/optim/sgd.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using rnnkit::testing::route_variable_gradients;
using layers::Dense;
using testing::check_close;
using testing::random_tensor;
namespace bdata = boost::unit_test::data;

namespace {

// The activations under test, written out element by element.
double activate(const std::string& name, double z) {
  if (name == "tanh") return std::tanh(z);
  if (name == "relu") return z > 0.0 ? z : 0.0;
  return z;
}

// out[r, u] = act(Σ_f x[r, f] kernel[f, u] + bias[u]) over the rows of `x` flattened to [R, F].
std::vector<double> by_hand(const Tensor& x, const Tensor& kernel, const Tensor& bias,
                            const std::string& activation) {
  const std::vector<double> xs = x.to_vector(), ks = kernel.to_vector();
  const std::int64_t features = kernel.size(0), units = kernel.size(1);
  const std::int64_t rows = x.numel() / features;
  std::vector<double> out;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t u = 0; u < units; ++u) {
      double z = bias.defined() ? bias.to_vector()[u] : 0.0;
      for (std::int64_t f = 0; f < features; ++f) z += xs[r * features + f] * ks[f * units + u];
      out.push_back(activate(activation, z));
    }
  }
  return out;
}

Tensor flat(const Tensor& t) { return t.reshape({t.numel()}); }

Shape input_shape(int rank) {
  if (rank == 2) return {3, 4};
  return rank == 3 ? Shape{2, 3, 4} : Shape{2, 2, 3, 4};
}

}  // namespace

BOOST_DATA_TEST_CASE(outputs_match_a_hand_computation,
                     bdata::make({2, 3, 4}) * bdata::make({true, false}) *
                         bdata::make({"linear", "tanh", "relu"}),
                     rank, use_bias, activation) {
  const Tensor x = random_tensor(input_shape(rank), DType::f64, 1);
  const Tensor kernel = random_tensor({4, 5}, DType::f64, 2);
  const Tensor bias = use_bias ? random_tensor({5}, DType::f64, 3) : Tensor();
  Dense layer(5, {.activation = activation, .use_bias = use_bias, .dtype = DType::f64});
  layer.build(x.shape());
  layer.set_weights(use_bias ? std::vector<Tensor>{kernel, bias} : std::vector<Tensor>{kernel});
  const Tensor out = layer(x);
  Shape expected_shape = x.shape();
  expected_shape.back() = 5;
  check_close(out, Tensor::from_values(expected_shape, by_hand(x, kernel, bias, activation),
                                       DType::f64),
              1e-12, 1e-12);
  BOOST_TEST(layer.losses().empty());
}

BOOST_AUTO_TEST_CASE(float32_matches_the_hand_computation_and_builds_lazily) {
  const Tensor x = random_tensor({2, 3, 4}, DType::f32, 4);
  Dense layer(3, {.activation = "tanh"});
  BOOST_TEST(!layer.built());
  BOOST_TEST(!layer.kernel().defined());
  const Tensor out = layer(x);
  BOOST_TEST(layer.built());
  BOOST_TEST((layer.kernel().value().shape() == Shape{4, 3}));
  BOOST_TEST((layer.bias().value().shape() == Shape{3}));
  BOOST_TEST(layer.weights().size() == 2u);
  BOOST_TEST(layer.count_params() == 4 * 3 + 3);
  BOOST_TEST((out.dtype() == DType::f32));
  check_close(out,
              Tensor::from_values({2, 3, 3},
                                  by_hand(x, layer.kernel().value(), layer.bias().value(), "tanh"),
                                  DType::f32),
              1e-5, 1e-6);
}

BOOST_AUTO_TEST_CASE(options_defaults_and_names) {
  layers::reset_layer_names();
  Dense a(2), b({.units = 3}), named(4, {.name = "head"});
  BOOST_TEST(a.name() == "dense");
  BOOST_TEST(b.name() == "dense_1");
  BOOST_TEST(named.name() == "head");
  BOOST_TEST(a.class_name() == "Dense");
  BOOST_TEST(a.units() == 2);
  BOOST_TEST(b.units() == 3);
  BOOST_TEST(a.activation().name() == "linear");
  BOOST_TEST(a.use_bias());
  BOOST_TEST(!a.kernel_regularizer());
  BOOST_TEST(!a.bias_regularizer());
  BOOST_TEST(!a.activity_regularizer());
  BOOST_TEST(!a.kernel_constraint());
  BOOST_TEST(!a.bias_constraint());
  BOOST_TEST((a.dtype() == DType::f32));
  a(Tensor::ones({1, 2}));
  BOOST_TEST(a.kernel().name() == "dense/kernel:0");
  BOOST_TEST(a.bias().name() == "dense/bias:0");
  // glorot_uniform kernel: within ±sqrt(6 / (fan_in + fan_out)); zeros bias.
  const double limit = std::sqrt(6.0 / (2 + 2));
  for (double v : a.kernel().value().to_vector()) BOOST_TEST(std::abs(v) <= limit);
  for (double v : a.bias().value().to_vector()) BOOST_TEST(v == 0.0);
  Dense no_bias(2, {.use_bias = false});
  no_bias(Tensor::ones({1, 3}));
  BOOST_TEST(no_bias.weights().size() == 1u);
  BOOST_TEST(!no_bias.bias().defined());
}

BOOST_DATA_TEST_CASE(gradients_of_inputs_kernel_and_bias,
                     bdata::make({2, 3}) * bdata::make({true, false}) *
                         bdata::make({"linear", "tanh"}),
                     rank, use_bias, activation) {
  std::vector<Tensor> inputs{random_tensor(input_shape(rank), DType::f64, 1),
                             random_tensor({4, 3}, DType::f64, 2, -0.7, 0.7)};
  if (use_bias) inputs.push_back(random_tensor({3}, DType::f64, 3, -0.3, 0.3));
  auto function = [&](const std::vector<Tensor>& in) {
    Dense layer(3, {.activation = activation,
                    .use_bias = use_bias,
                    .kernel_regularizer = "l2",
                    .bias_regularizer = use_bias ? regularizers::AnyRegularizer("l1") : nullptr,
                    .activity_regularizer = "l2",
                    .dtype = DType::f64});
    layer.build(in[0].shape());
    layer.set_weights(std::vector<Tensor>(in.begin() + 1, in.end()));
    std::vector<Tensor> parts{flat(layer(in[0]))};
    for (const Tensor& loss : layer.losses()) parts.push_back(flat(loss));
    return route_variable_gradients(concat(parts, 0), layer.weights(),
                                    std::vector<Tensor>(in.begin() + 1, in.end()));
  };
  RNNKIT_CHECK_GRADIENTS(function, inputs);
}

BOOST_AUTO_TEST_CASE(losses_are_the_regularizer_values) {
  const Tensor x = Tensor::from_values({2, 2}, {1.0, -2.0, 0.5, 3.0}, DType::f64);
  const Tensor kernel = Tensor::from_values({2, 2}, {0.5, -1.0, 2.0, 0.25}, DType::f64);
  const Tensor bias = Tensor::from_values({2}, {0.1, -0.2}, DType::f64);
  Dense layer(2, {.kernel_regularizer = regularizers::L2(0.1),
                  .bias_regularizer = regularizers::L1(0.3),
                  .activity_regularizer = regularizers::L1(0.5),
                  .dtype = DType::f64});
  layer.build({2, 2});
  layer.set_weights({kernel, bias});
  BOOST_TEST(layer.losses().size() == 2u);  // the weight penalties exist from build, as in Keras
  layer(x);
  BOOST_TEST_REQUIRE(layer.losses().size() == 3u);
  // Factors are stored as float32 (spec §5). kernel: 0.1 * (0.25 + 1 + 4 + 0.0625); bias:
  // 0.3 * (0.1 + 0.2).
  const double l2 = static_cast<float>(0.1), l1 = static_cast<float>(0.3);
  BOOST_TEST(layer.losses()[0].item() == l2 * 5.3125, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(layer.losses()[1].item() == l1 * 0.3, boost::test_tools::tolerance(1e-12));
  // outputs: [1*0.5 - 2*2 + 0.1, 1*-1 - 2*0.25 - 0.2] = [-3.4, -1.7],
  //          [0.5*0.5 + 3*2 + 0.1, 0.5*-1 + 3*0.25 - 0.2] = [6.35, 0.05];
  // activity: 0.5 * Σ|out| / batch 2.
  BOOST_TEST(layer.losses()[2].item() == 0.5 * (3.4 + 1.7 + 6.35 + 0.05) / 2.0,
             boost::test_tools::tolerance(1e-12));
  // On [B, T, F] the activity term is still divided by B only.
  layer(Tensor::ones({2, 3, 2}, DType::f64));
  // each step's output: [0.5 + 2 + 0.1, -1 + 0.25 - 0.2] = [2.6, -0.95], 6 steps in all.
  BOOST_TEST(layer.losses()[2].item() == 0.5 * 6 * (2.6 + 0.95) / 2.0,
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(constraints_are_applied_after_an_sgd_step) {
  Dense layer(2, {.kernel_constraint = constraints::NonNeg(),
                  .bias_constraint = constraints::NonNeg(),
                  .dtype = DType::f64});
  layer.build({1, 2});
  layer.set_weights({Tensor::from_values({2, 2}, {0.05, 0.2, 0.3, 0.4}, DType::f64),
                     Tensor::from_values({2}, {0.05, 0.5}, DType::f64)});
  // d sum(out) / d kernel[f, u] = x[f] = [1, 2]; d / d bias = 1; learning rate 0.1.
  sum(layer(Tensor::from_values({1, 2}, {1.0, 2.0}, DType::f64))).backward();
  optim::SGD sgd({.learning_rate = 0.1});
  sgd.apply(layer.trainable_weights());
  // kernel [0.05, 0.2, 0.3, 0.4] - 0.1 * [1, 1, 2, 2] = [-0.05, 0.1, 0.1, 0.2] -> NonNeg ->
  // [0, 0.1, 0.1, 0.2]; bias [0.05 - 0.1, 0.5 - 0.1] = [-0.05, 0.4] -> NonNeg -> [0, 0.4].
  check_close(layer.kernel().value(),
              Tensor::from_values({2, 2}, {0.0, 0.1, 0.1, 0.2}, DType::f64), 1e-12, 1e-12);
  check_close(layer.bias().value(), Tensor::from_values({2}, {0.0, 0.4}, DType::f64), 1e-12,
              1e-12);
}

BOOST_AUTO_TEST_CASE(forward_passes_the_mask_on_unchanged) {
  Dense layer(3, {.dtype = DType::f64});
  const Tensor x = random_tensor({2, 4, 5}, DType::f64, 7);
  Tensor mask = Tensor::zeros({2, 4}, DType::boolean);
  for (std::int64_t t = 0; t < 4; ++t) mask.set({1, t}, t != 1);
  const layers::LayerOutput out = layer.forward(x, mask, true);
  BOOST_TEST_REQUIRE(out.outputs.size() == 1u);
  BOOST_TEST((out.outputs[0].shape() == Shape{2, 4, 3}));
  BOOST_TEST(out.mask.to_vector() == mask.to_vector(), boost::test_tools::per_element());
  BOOST_TEST(!layer.forward(x, Tensor(), false).mask.defined());
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw_and_change_nothing) {
  layers::reset_layer_names();
  RNNKIT_CHECK_THROWS(Dense(0), std::invalid_argument, "Dense", "units", "positive", "0");
  RNNKIT_CHECK_THROWS(Dense(-2, {.name = "d"}), std::invalid_argument, "Dense 'd'", "units", "-2");
  RNNKIT_CHECK_THROWS(Dense(2, {.activation = "tanhh"}), std::invalid_argument, "Dense",
                      "activation", "tanhh");
  RNNKIT_CHECK_THROWS(Dense(2, {.units = 3}), std::invalid_argument, "Dense", "units", "2", "3");
  // Rejected layers draw no default name.
  BOOST_TEST(Dense(1).name() == "dense");

  Dense layer(2, {.dtype = DType::f64});
  RNNKIT_CHECK_THROWS(layer(Tensor::ones({3}, DType::f64)), std::invalid_argument, "Dense 'dense_1'",
                      "inputs", "min_ndim=2", "ndim=1", "[3]");
  RNNKIT_CHECK_THROWS(layer.build({4}), std::invalid_argument, "inputs", "min_ndim=2");
  RNNKIT_CHECK_THROWS(layer(Tensor()), std::invalid_argument, "inputs", "undefined");
  RNNKIT_CHECK_THROWS(layer(Tensor::zeros({2, 3}, DType::i64)), std::invalid_argument, "inputs",
                      "float");
  BOOST_TEST(!layer.built());
  BOOST_TEST(layer.weights().empty());

  layer(Tensor::ones({2, 3}, DType::f64));
  const std::vector<Tensor> before = layer.get_weights();
  const std::vector<Tensor> losses_before = layer.losses();
  RNNKIT_CHECK_THROWS(layer(Tensor::ones({2, 4}, DType::f64)), std::invalid_argument,
                      "Dense 'dense_1'", "inputs", "value 3", "[2, 4]");
  RNNKIT_CHECK_THROWS(layer(Tensor::ones({2, 5, 4}, DType::f64)), std::invalid_argument, "value 3",
                      "[2, 5, 4]");
  RNNKIT_CHECK_THROWS(layer.build({1, 7}), std::invalid_argument, "value 3", "[1, 7]");
  BOOST_TEST(layer.weights().size() == 2u);
  BOOST_TEST((layer.kernel().value().shape() == Shape{3, 2}));
  check_close(layer.kernel().value(), before[0], 0.0, 0.0);
  check_close(layer.bias().value(), before[1], 0.0, 0.0);
  BOOST_TEST(layer.losses().size() == losses_before.size());
}

#define BOOST_TEST_MODULE simple_rnn_gradcheck
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/gradcheck.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/layers/simple_rnn.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "simple_rnn_support.h"
#include "test_support.h"

using namespace rnnkit;
using rnnkit::testing::route_variable_gradients;
using layers::SimpleRNN;
using testing::fixed;
using testing::random_tensor;
namespace bdata = boost::unit_test::data;

namespace {

Tensor flat(const Tensor& t) { return t.reshape({t.numel()}); }

regularizers::AnyRegularizer regularizer_if(bool on, const char* name) {
  return on ? regularizers::AnyRegularizer(name) : regularizers::AnyRegularizer();
}

struct Config {
  std::string activation = "tanh";
  bool use_bias = true, return_sequences = false, go_backwards = false, initial_state = false,
       stateful = false, dropout = false, masked = false, recurrent_dropout = false,
       regularized = false, zero_output_for_mask = false, unroll = false;
  std::int64_t batch = 2, time = 3, features = 2, units = 2;
};

// Every gradient of one float64 SimpleRNN call (stepped_simple_rnn, or the step loop of
// autograd ops with unroll): inputs, initial state, kernel,
// recurrent kernel, bias. A fresh layer with the same seed per evaluation keeps the dropout
// masks fixed; a stateful layer's kept state is a fixed constant set by reset_states.
void check_layer_gradients(const Config& c) {
  const Shape x_shape{c.batch, c.time, c.features};
  std::vector<Tensor> inputs{random_tensor(x_shape, DType::f64, 1),
                             random_tensor({c.batch, c.units}, DType::f64, 2, -0.8, 0.8),
                             random_tensor({c.features, c.units}, DType::f64, 3, -0.7, 0.7),
                             random_tensor({c.units, c.units}, DType::f64, 4, -0.7, 0.7)};
  if (c.use_bias) inputs.push_back(random_tensor({c.units}, DType::f64, 5, -0.3, 0.3));
  Tensor mask = Tensor::zeros({c.batch, c.time}, DType::boolean);
  for (std::int64_t b = 0; b < c.batch; ++b) {
    for (std::int64_t t = 0; t < c.time; ++t) mask.set({b, t}, (b + 2 * t) % 3 != 0);
  }
  const Tensor kept = random_tensor({c.batch, c.units}, DType::f64, 6, -0.5, 0.5);

  auto function = [&](const std::vector<Tensor>& in) {
    SimpleRNN layer({.units = c.units,
                     .activation = c.activation,
                     .use_bias = c.use_bias,
                     .kernel_initializer = fixed(in[2]),
                     .recurrent_initializer = fixed(in[3]),
                     .bias_initializer = c.use_bias ? fixed(in[4]) : "zeros",
                     .kernel_regularizer = regularizer_if(c.regularized, "l2"),
                     .recurrent_regularizer = regularizer_if(c.regularized, "l1"),
                     .bias_regularizer = regularizer_if(c.regularized, "l2"),
                     .activity_regularizer = regularizer_if(c.regularized, "l2"),
                     .dropout = c.dropout ? 0.3 : 0.0,
                     .recurrent_dropout = c.recurrent_dropout ? 0.3 : 0.0,
                     .return_sequences = c.return_sequences,
                     .return_state = true,
                     .go_backwards = c.go_backwards,
                     .stateful = c.stateful,
                     .unroll = c.unroll,
                     .seed = 5,
                     .zero_output_for_mask = c.zero_output_for_mask,
                     .dtype = DType::f64});
    if (c.stateful) {
      layer(Tensor::zeros(x_shape, DType::f64));
      layer.reset_states({kept});
    }
    layers::RNNCallOptions call{.training = true};
    if (c.masked) call.mask = mask;
    if (c.initial_state) call.initial_state = {in[1]};
    auto [output, state] = layer(in[0], call);
    std::vector<Tensor> parts{flat(output), flat(state)};
    for (const Tensor& loss : layer.losses()) parts.push_back(flat(loss));
    const std::vector<Tensor> weights(in.begin() + 2, in.end());
    return route_variable_gradients(concat(parts, 0), layer.weights(), weights);
  };
  RNNKIT_CHECK_GRADIENTS(function, inputs);
}

}  // namespace

BOOST_DATA_TEST_CASE(every_gradient_of_every_configuration,
                     bdata::make({"tanh", "relu", "sigmoid"}) * bdata::make({true, false}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}),
                     activation, use_bias, return_sequences, go_backwards, initial_state, stateful,
                     dropout, masked, recurrent_dropout) {
  check_layer_gradients({.activation = activation,
                         .use_bias = use_bias,
                         .return_sequences = return_sequences,
                         .go_backwards = go_backwards,
                         .initial_state = initial_state,
                         .stateful = stateful,
                         .dropout = dropout,
                         .masked = masked,
                         .recurrent_dropout = recurrent_dropout});
}

BOOST_DATA_TEST_CASE(zero_output_for_mask_with_every_masked_option,
                     bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}),
                     return_sequences, go_backwards, initial_state, recurrent_dropout) {
  check_layer_gradients({.return_sequences = return_sequences,
                         .go_backwards = go_backwards,
                         .initial_state = initial_state,
                         .masked = true,
                         .recurrent_dropout = recurrent_dropout,
                         .zero_output_for_mask = true});
}

// unroll runs the step loop of autograd ops, which any custom cell runs too.
BOOST_DATA_TEST_CASE(the_step_loop_of_unroll,
                     bdata::make({"tanh", "relu"}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}) *
                         bdata::make({false, true}) * bdata::make({false, true}),
                     activation, return_sequences, go_backwards, masked, recurrent_dropout,
                     zero_output_for_mask) {
  check_layer_gradients({.activation = activation,
                         .return_sequences = return_sequences,
                         .go_backwards = go_backwards,
                         .initial_state = true,
                         .masked = masked,
                         .recurrent_dropout = recurrent_dropout,
                         .zero_output_for_mask = zero_output_for_mask,
                         .unroll = true});
}

BOOST_AUTO_TEST_CASE(regularization_losses_are_differentiated_too) {
  check_layer_gradients({.return_sequences = true, .initial_state = true, .regularized = true});
}

BOOST_AUTO_TEST_CASE(a_sequence_of_120_steps) {
  check_layer_gradients({.initial_state = true,
                         .dropout = true,
                         .masked = true,
                         .recurrent_dropout = true,
                         .time = 120});
}

BOOST_AUTO_TEST_CASE(unstack_routes_each_piece_back_to_its_slice) {
  auto function = [](const std::vector<Tensor>& in) {
    const auto steps = unstack(in[0], 1);
    const auto rows = unstack(in[0], -3);
    return concat({flat(steps[0] * steps[2]), flat(rows[1])}, 0);
  };
  RNNKIT_CHECK_GRADIENTS(function, (std::vector<Tensor>{random_tensor({2, 3, 2})}));
}

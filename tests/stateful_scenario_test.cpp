// Keras's own stateful RNN scenario (keras/layers/recurrent_test.py, test_stateful_rnns), run
// through Sequential: Embedding(mask_zero) feeding a stateful SimpleRNN.
#define BOOST_TEST_MODULE stateful_scenario
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/embedding.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using layers::Embedding;
using layers::SimpleRNN;
using models::Sequential;

namespace {

constexpr std::int64_t samples = 2;
constexpr std::int64_t timesteps = 5;
constexpr std::int64_t units = 2;

double max_of(const Tensor& t) {
  const std::vector<double> v = t.to_vector();
  return *std::max_element(v.begin(), v.end());
}

Tensor ids(const std::vector<double>& values) {
  return Tensor::from_values({samples, timesteps}, values, DType::i64);
}

}  // namespace

BOOST_AUTO_TEST_CASE(stateful_simple_rnn_behind_a_masking_embedding) {
  set_global_seed(1337);
  Sequential model;
  model.add(Embedding(4, 4, {.mask_zero = true, .input_length = timesteps}));
  auto& rnn = model.add(SimpleRNN(units, {.stateful = true}));
  model.build({timesteps}, samples);
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor ones = Tensor::ones({samples, timesteps}, DType::i64);

  const Tensor out1 = model.predict(ones, {.batch_size = samples});
  BOOST_TEST(out1.shape() == Shape({samples, units}));
  // Train once so that the states change.
  model.train_on_batch(ones, Tensor::ones({samples, units}));
  const Tensor out2 = model.predict(ones, {.batch_size = samples});
  // The state is carried, so the output differs.
  BOOST_TEST(max_of(out1) != max_of(out2));

  // The output changes after the layer's states are reset (the model itself did not change).
  rnn.reset_states();
  const Tensor out3 = model.predict(ones, {.batch_size = samples});
  BOOST_TEST(max_of(out2) != max_of(out3));

  // Resetting through the model is the same as through the layer.
  model.reset_states();
  const Tensor out4 = model.predict(ones, {.batch_size = samples});
  BOOST_TEST(out3.to_vector() == out4.to_vector(), boost::test_tools::per_element());

  // predict updated the states.
  const Tensor out5 = model.predict(ones, {.batch_size = samples});
  BOOST_TEST(max_of(out4) != max_of(out5));

  // Masked padding: left- and right-padded batches give the same output after a reset.
  rnn.reset_states();
  // Sample 0 is padded by one step, sample 1 by two, as in Keras's test.
  const Tensor left = model.predict(ids({0, 1, 1, 1, 1, 0, 0, 1, 1, 1}), {.batch_size = samples});
  rnn.reset_states();
  const Tensor right = model.predict(ids({1, 1, 1, 1, 0, 1, 1, 1, 0, 0}), {.batch_size = samples});
  BOOST_TEST(left.shape() == right.shape());
  for (std::size_t i = 0; i < left.to_vector().size(); ++i) {
    BOOST_TEST(left.to_vector()[i] == right.to_vector()[i], boost::test_tools::tolerance(1e-5));
  }
  // Four real steps give another output than three: the padding was seen as such.
  BOOST_TEST(left.at({0, 0}) != left.at({1, 0}));
}

BOOST_AUTO_TEST_CASE(a_stateful_model_needs_its_batch_size) {
  Sequential open_batch(SimpleRNN(units, {.stateful = true}));
  RNNKIT_CHECK_THROWS(open_batch.build({timesteps, 3}), std::invalid_argument, "stateful",
                      "batch_size");
  BOOST_TEST(!open_batch.built());
  // Built by its first call, the model keeps that batch size, in its config too.
  Sequential called(SimpleRNN(units, {.stateful = true}));
  called(Tensor::ones({4, timesteps, 3}));
  BOOST_TEST(called.output_shapes().back() == Shape({4, units}));
  const Sequential rebuilt = models::model_from_json(called.to_json());
  BOOST_TEST(rebuilt.output_shapes().back() == Shape({4, units}));
}

BOOST_AUTO_TEST_CASE(a_stateful_model_refuses_another_batch_size) {
  Sequential model(SimpleRNN(units, {.stateful = true}));
  model.build({timesteps, 3}, samples);
  RNNKIT_CHECK_THROWS(model.predict(Tensor::ones({3, timesteps, 3}), {.batch_size = 3}),
                      std::invalid_argument, "expected shape=[2, None, 3]", "[3, 5, 3]");
}

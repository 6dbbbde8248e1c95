#define BOOST_TEST_MODULE non_finite
#include <rnnkit/callbacks/callbacks.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/initializers/initializers.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/sgd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using callbacks::Callback;
using layers::Dense;
using layers::SimpleRNN;
using models::Logs;
using models::Sequential;
using testing::random_tensor;
using testing::same_values;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

// Records whether fit reached its callbacks at all.
struct Started : Callback {
  void on_train_begin(const Logs&) override { started = true; }
  bool started = false;
};

// A compiled Dense(2) model over 3 features, built unless `build` is false.
Sequential dense_model(bool build = true) {
  Sequential model(Dense(2, {.kernel_initializer = initializers::GlorotUniform({.seed = 3})}));
  model.compile({.optimizer = optim::SGD(), .loss = "mse"});
  if (build) model.build({3});
  return model;
}

// 10 samples x [10, 3] and y [10, 2], f32, without NaN or Inf.
struct Data {
  Tensor x = random_tensor({10, 3}, DType::f32, 1);
  Tensor y = random_tensor({10, 2}, DType::f32, 2);
};

// Fit must throw before anything changes: the weights, the optimizer's step counter, whether
// the model is built, and the callbacks (which must not even have started).
void check_fit_refused(Sequential& model, const Tensor& x, const Tensor& y,
                       models::FitOptions options, const std::vector<std::string>& parts) {
  const bool built = model.built();
  const std::vector<Tensor> weights = built ? model.get_weights() : std::vector<Tensor>{};
  const auto started = std::make_shared<Started>();
  options.callbacks.push_back(started);
  options.verbose = 0;
  RNNKIT_CHECK_THROWS(model.fit(x, y, options), std::invalid_argument, parts);
  BOOST_TEST(model.built() == built);
  if (built) BOOST_TEST(same_values(model.get_weights(), weights));
  BOOST_TEST(model.optimizer().iterations() == 0);
  BOOST_TEST(!started->started);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(non_finite_inputs)

BOOST_AUTO_TEST_CASE(nan_in_x_names_the_sample_and_its_batch) {
  Sequential model = dense_model();
  Data data;
  data.x.set({7, 1}, not_a_number);
  // Sample 7 with batch_size 4 is in batch 1 (samples 4..7).
  check_fit_refused(model, data.x, data.y, {.batch_size = 4},
                    {"fit: x holds nan at sample 7", "in batch 1 of batch_size 4",
                     "counted before shuffling", "allow_non_finite"});
}

BOOST_AUTO_TEST_CASE(inf_in_y_is_found_before_the_model_is_built) {
  Sequential model = dense_model(false);
  Data data;
  data.y.set({2, 0}, -infinity);
  check_fit_refused(model, data.x, data.y, {.batch_size = 2, .shuffle = false},
                    {"fit: y holds -inf at sample 2", "in batch 1 of batch_size 2;"});
}

BOOST_AUTO_TEST_CASE(float64_data_is_scanned_too) {
  Sequential model(Dense(2, {.dtype = DType::f64}));
  model.compile({.optimizer = optim::SGD(), .loss = "mse"});
  Tensor x = random_tensor({10, 3}, DType::f64, 1);
  x.set({9, 2}, infinity);
  check_fit_refused(model, x, random_tensor({10, 2}, DType::f64, 2), {.batch_size = 3},
                    {"x holds inf at sample 9", "in batch 3 of batch_size 3"});
}

BOOST_AUTO_TEST_CASE(a_sample_validation_split_holds_out_is_counted_in_validation_batches) {
  Sequential model = dense_model();
  Data data;
  data.x.set({9, 0}, not_a_number);
  // validation_split 0.2 of 10 samples trains on 0..7 and validates on 8..9: sample 9 is the
  // second sample of validation batch 0.
  check_fit_refused(model, data.x, data.y, {.batch_size = 4, .validation_split = 0.2},
                    {"x holds nan at sample 9", "in validation batch 0 of batch_size 4",
                     "validation_split holds out samples 8 on"});
}

BOOST_AUTO_TEST_CASE(validation_data_is_scanned) {
  Sequential model = dense_model();
  Data data;
  Tensor validation_y = random_tensor({6, 2}, DType::f32, 5);
  validation_y.set({5, 1}, not_a_number);
  check_fit_refused(
      model, data.x, data.y,
      {.batch_size = 4,
       .validation_data =
           models::ValidationData{.x = random_tensor({6, 3}, DType::f32, 4), .y = validation_y}},
      {"validation_data.y holds nan at sample 5", "in validation batch 1 of batch_size 4"});
}

BOOST_AUTO_TEST_CASE(evaluate_refuses_non_finite_data_unless_allowed) {
  Sequential model = dense_model();
  Data data;
  data.x.set({4, 0}, infinity);
  const std::vector<Tensor> weights = model.get_weights();
  RNNKIT_CHECK_THROWS(model.evaluate(data.x, data.y, {.batch_size = 3, .verbose = 0}),
                      std::invalid_argument, "evaluate: x holds inf at sample 4",
                      "in batch 1 of batch_size 3");
  const Logs logs =
      model.evaluate(data.x, data.y, {.batch_size = 3, .verbose = 0, .allow_non_finite = true});
  BOOST_TEST(!std::isfinite(logs.at("loss")));
  BOOST_TEST(same_values(model.get_weights(), weights));
}

BOOST_AUTO_TEST_CASE(allow_non_finite_trains_on_the_data_as_it_is) {
  Sequential model = dense_model();
  Data data;
  data.y.set({0, 0}, not_a_number);
  const models::History history =
      model.fit(data.x, data.y, {.batch_size = 10, .verbose = 0, .allow_non_finite = true});
  BOOST_TEST(model.optimizer().iterations() == 1);
  BOOST_TEST(std::isnan(history["loss"][0]));
  BOOST_TEST(std::isnan(model.get_weights()[0].to_vector()[0]));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(terminate_on_nan)

// One weight w (Dense(1), no bias, starting at 1) fitted to y = 0 from x = 1 with mse and SGD:
// loss = w^2, gradient 2w, so each step multiplies w by (1 - 2 lr) = -19999 for lr = 1e4. In
// float32 (max 3.4e38) the losses of steps 0..4, w^2 <= (19999^4)^2 = 2.6e34, are finite and
// step 5's, (19999^5)^2 = 1.0e43, overflows to inf.
constexpr double learning_rate = 1e4;
constexpr int finite_steps = 5;

Sequential diverging_model() {
  Sequential model(Dense(1, {.use_bias = false, .kernel_initializer = initializers::Ones()}));
  model.compile({.optimizer = optim::SGD({.learning_rate = learning_rate}), .loss = "mse"});
  return model;
}

BOOST_AUTO_TEST_CASE(the_step_that_overflows_the_loss_applies_no_update) {
  const Tensor x = Tensor::ones({8, 1});
  const Tensor y = Tensor::zeros({8, 1});
  Sequential model = diverging_model();
  const models::History history = model.fit(x, y,
                                            {.batch_size = 1,
                                             .epochs = 3,
                                             .verbose = 0,
                                             .callbacks = {callbacks::TerminateOnNaN()},
                                             .shuffle = false});
  BOOST_TEST(history.epoch().size() == 1u);
  BOOST_TEST(std::isinf(history["loss"][0]));
  BOOST_TEST(model.stop_training);
  BOOST_TEST(model.optimizer().iterations() == finite_steps);

  // The same model trained only the finite steps, one batch at a time, each with a finite loss.
  Sequential reference = diverging_model();
  for (int step = 0; step < finite_steps; ++step) {
    const Logs logs = reference.train_on_batch(Tensor::ones({1, 1}), Tensor::zeros({1, 1}));
    BOOST_TEST(std::isfinite(logs.at("loss")));
  }
  BOOST_TEST(!std::isfinite(
      reference.test_on_batch(Tensor::ones({1, 1}), Tensor::zeros({1, 1})).at("loss")));
  BOOST_TEST(same_values(model.get_weights(), reference.get_weights()));
  testing::check_close(model.get_weights()[0],
                       Tensor::full({1, 1}, std::pow(1.0 - 2.0 * learning_rate, finite_steps)),
                       1e-5, 0.0);

  // Without TerminateOnNaN every step is applied, as in Keras.
  Sequential unguarded = diverging_model();
  unguarded.fit(x, y, {.batch_size = 1, .verbose = 0, .shuffle = false});
  BOOST_TEST(unguarded.optimizer().iterations() == 8);
}

BOOST_AUTO_TEST_CASE(a_target_that_overflows_the_loss_stops_a_recurrent_model_on_good_weights) {
  // Targets of 1e30 square to 1e60, past float32's range: the 4th batch's loss is inf.
  auto make = [] {
    Sequential model(SimpleRNN(4, {.kernel_initializer = initializers::GlorotUniform({.seed = 1}),
                                   .recurrent_initializer = initializers::Orthogonal({.seed = 2})}),
                     Dense(1, {.kernel_initializer = initializers::GlorotUniform({.seed = 3})}));
    model.compile({.optimizer = optim::SGD({.learning_rate = 0.1}), .loss = "mse"});
    return model;
  };
  // Batch 0 (samples 0, 1) has a finite loss; batch 1 (samples 2, 3) holds the huge target.
  const Tensor x_first = random_tensor({2, 5, 2}, DType::f32, 7);
  const Tensor y_first = random_tensor({2, 1}, DType::f32, 8);
  const Tensor x = concat({x_first, random_tensor({4, 5, 2}, DType::f32, 9)}, 0);
  Tensor y = concat({y_first, random_tensor({4, 1}, DType::f32, 10)}, 0);
  y.set({3, 0}, 1e30);
  Sequential model = make();
  model.fit(x, y,
            {.batch_size = 2,
             .epochs = 2,
             .verbose = 0,
             .callbacks = {callbacks::TerminateOnNaN()},
             .shuffle = false});
  BOOST_TEST(model.optimizer().iterations() == 1);

  Sequential reference = make();
  reference.train_on_batch(x_first, y_first);
  BOOST_TEST(same_values(model.get_weights(), reference.get_weights()));
}

BOOST_AUTO_TEST_SUITE_END()

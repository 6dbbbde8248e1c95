#define BOOST_TEST_MODULE sequential
#include <rnnkit/callbacks/callbacks.h>
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>
#include <rnnkit/optim/sgd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using layers::Dense;
using layers::SimpleRNN;
using models::Sequential;
using testing::random_tensor;
using testing::same_values;

namespace {

// x [n, 6, 2] in [-1, 1); y [n, 1] = mean over time of the first feature minus the second.
struct Task {
  Tensor x;
  Tensor y;
};

Task make_task(std::int64_t n, std::uint64_t seed) {
  const Tensor x = random_tensor({n, 6, 2}, DType::f32, seed);
  std::vector<double> y(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    double total = 0.0;
    for (std::int64_t t = 0; t < 6; ++t) total += x.at({i, t, 0}) - x.at({i, t, 1});
    y[static_cast<std::size_t>(i)] = total / 6.0;
  }
  return {x, Tensor::from_values({n, 1}, y)};
}

Sequential rnn_model() { return Sequential(SimpleRNN(8), Dense(1)); }

double mean_squared(const Tensor& prediction, const Tensor& target) {
  const std::vector<double> p = prediction.to_vector();
  const std::vector<double> t = target.to_vector();
  double total = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) total += (p[i] - t[i]) * (p[i] - t[i]);
  return total / static_cast<double>(p.size());
}

}  // namespace

BOOST_AUTO_TEST_CASE(layers_are_chained_in_order_and_named_uniquely) {
  Sequential model("toy");
  auto& rnn = model.add(SimpleRNN(4, {.name = "encoder"}));
  model.add(Dense(2, {.name = "head"}));
  BOOST_TEST(model.name() == "toy");
  BOOST_TEST(model.size() == 2u);
  BOOST_TEST(&model.layer(0) == &rnn);
  BOOST_TEST(model.get_layer("head").class_name() == "Dense");
  RNNKIT_CHECK_THROWS(model.add(Dense(1, {.name = "head"})), std::invalid_argument, "'head'",
                      "already");
  RNNKIT_CHECK_THROWS(model.get_layer("nope"), std::invalid_argument, "nope", "encoder, head");
  RNNKIT_CHECK_THROWS(model.layer(2), std::out_of_range, "2");
  const Tensor y = model(random_tensor({3, 5, 7}, DType::f32));
  BOOST_TEST(y.shape() == Shape({3, 2}));
  BOOST_TEST(model.built());
  BOOST_TEST(model.input_shape() == Shape({5, 7}));
  BOOST_TEST(model.count_params() == (7 * 4 + 4 * 4 + 4) + (4 * 2 + 2));
}

BOOST_AUTO_TEST_CASE(summary_prints_keras_table) {
  Sequential model("sequential_summary");
  model.add(SimpleRNN(4, {.return_sequences = true, .name = "rnn"}));
  model.add(Dense(1, {.name = "out"}));
  std::ostringstream before;
  RNNKIT_CHECK_THROWS(model.summary(before), std::logic_error, "not built");
  model.build({10, 2});
  std::ostringstream out;
  model.summary(out);
  const std::string expected =
      "Model: \"sequential_summary\"\n"
      "_________________________________________________________________\n"
      " Layer (type)                Output Shape              Param #   \n"
      "=================================================================\n"
      " rnn (SimpleRNN)             (None, 10, 4)             28        \n"
      "                                                                 \n"
      " out (Dense)                 (None, 10, 1)             5         \n"
      "                                                                 \n"
      "=================================================================\n"
      "Total params: 33\n"
      "Trainable params: 33\n"
      "Non-trainable params: 0\n"
      "_________________________________________________________________\n";
  BOOST_TEST(out.str() == expected);
}

BOOST_AUTO_TEST_CASE(a_layer_with_several_outputs_is_refused) {
  Sequential model(SimpleRNN(3, {.return_state = true}));
  RNNKIT_CHECK_THROWS(model(random_tensor({2, 4, 1}, DType::f32)), std::invalid_argument,
                      "returns 2 tensors", "return_state");
}

BOOST_AUTO_TEST_CASE(fit_trains_a_simple_rnn_to_a_stated_loss) {
  set_global_seed(11);
  const Task train = make_task(256, 1);
  Sequential model = rnn_model();
  model.compile(
      {.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse", .metrics = {"mae"}});
  const models::History history =
      model.fit(train.x, train.y, {.batch_size = 32, .epochs = 40, .verbose = 0});
  BOOST_TEST(history.epoch().size() == 40u);
  BOOST_TEST(history.keys() == std::vector<std::string>({"loss", "mae"}),
             boost::test_tools::per_element());
  const double first = history["loss"].front();
  const double last = history["loss"].back();
  BOOST_TEST_MESSAGE("loss " << first << " -> " << last);
  BOOST_TEST(last < 0.005);
  BOOST_TEST(last < first / 10.0);
  BOOST_TEST(model.optimizer().iterations() == 40 * 8);
  const Task test = make_task(64, 2);
  BOOST_TEST(mean_squared(model.predict(test.x), test.y) < 0.01);
}

BOOST_AUTO_TEST_CASE(evaluate_is_the_mean_over_samples_whatever_the_batch_size) {
  set_global_seed(3);
  const Task data = make_task(10, 4);
  Sequential model = rnn_model();
  model.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae", "mse"}});
  const models::Logs batched = model.evaluate(data.x, data.y, {.batch_size = 4, .verbose = 0});
  const Tensor prediction = model.predict(data.x, {.batch_size = 3});
  BOOST_TEST(prediction.shape() == Shape({10, 1}));
  const double expected = mean_squared(prediction, data.y);
  BOOST_TEST(batched.at("loss") == expected, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(batched.at("mse") == expected, boost::test_tools::tolerance(1e-5));
  double absolute = 0.0;
  for (std::int64_t i = 0; i < 10; ++i)
    absolute += std::abs(prediction.at({i, 0}) - data.y.at({i, 0}));
  BOOST_TEST(batched.at("mae") == absolute / 10.0, boost::test_tools::tolerance(1e-5));
  // predict in batches equals one call on everything.
  const Tensor whole = model.predict_on_batch(data.x);
  BOOST_TEST(prediction.to_vector() == whole.to_vector(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(regularization_losses_are_part_of_the_reported_loss) {
  set_global_seed(5);
  const Tensor x = random_tensor({6, 3}, DType::f32, 6);
  const Tensor y = random_tensor({6, 2}, DType::f32, 7);
  Sequential model(Dense(2, {.kernel_regularizer = regularizers::L2(0.1)}));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const models::Logs logs = model.test_on_batch(x, y);
  const Tensor kernel = model.get_weights()[0];
  double squares = 0.0;
  for (double w : kernel.to_vector()) squares += w * w;
  const double expected = mean_squared(model.predict(x), y) + 0.1 * squares;
  BOOST_TEST(logs.at("loss") == expected, boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(a_final_sigmoid_with_binary_crossentropy_uses_the_logits) {
  // Logits of +-30: the probabilities saturate, so Keras's clipped formula would give
  // -log(1e-7) for the wrong sample; the logits formula gives the exact value.
  Sequential model(Dense(1, {.activation = "sigmoid", .kernel_initializer = "ones"}));
  model.compile({.optimizer = "sgd", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  const Tensor x = Tensor::from_values({2, 1}, {30.0, -30.0});
  const Tensor y = Tensor::from_values({2, 1}, {0.0, 0.0});
  const models::Logs logs = model.test_on_batch(x, y);
  // max(z, 0) - z y + log(1 + e^-|z|) per sample.
  const double expected = (30.0 + std::log1p(std::exp(-30.0)) + std::log1p(std::exp(-30.0))) / 2;
  BOOST_TEST(logs.at("loss") == expected, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(logs.at("accuracy") == 0.5);
}

BOOST_AUTO_TEST_CASE(accuracy_is_picked_from_the_shapes) {
  Sequential model(Dense(3, {.activation = "softmax", .kernel_initializer = "identity"}));
  const Tensor x = Tensor::from_values({3, 3}, {5, 0, 0, 0, 5, 0, 0, 0, 5});
  model.compile({.optimizer = "sgd",
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy", "sparse_categorical_accuracy"}});
  const models::Logs sparse =
      model.test_on_batch(x, Tensor::from_values({3}, {0, 1, 0}, DType::i64));
  BOOST_TEST(sparse.at("accuracy") == 2.0 / 3.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sparse.at("sparse_categorical_accuracy") == 2.0 / 3.0,
             boost::test_tools::tolerance(1e-9));
  model.compile({.optimizer = "sgd", .loss = "categorical_crossentropy", .metrics = {"acc"}});
  const models::Logs categorical =
      model.test_on_batch(x, Tensor::from_values({3, 3}, {1, 0, 0, 0, 1, 0, 0, 1, 0}));
  BOOST_TEST(categorical.at("acc") == 2.0 / 3.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_sequence_output_mask_weights_loss_and_metrics) {
  // Steps masked out of the input are masked out of the loss: the mean runs over real steps.
  set_global_seed(8);
  Sequential model(SimpleRNN(3, {.return_sequences = true}), Dense(1));
  model.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae"}});
  const Tensor x = random_tensor({2, 4, 2}, DType::f32, 9);
  const Tensor y = random_tensor({2, 4, 1}, DType::f32, 10);
  const Tensor mask = Tensor::from_values({2, 4}, {1, 1, 1, 0, 1, 1, 0, 0}, DType::boolean);
  const models::Logs logs = model.test_on_batch(x, y, mask);
  const Tensor prediction = model.predict(x, {.mask = mask});
  double squares = 0.0;
  double absolute = 0.0;
  double valid = 0.0;
  for (std::int64_t b = 0; b < 2; ++b) {
    for (std::int64_t t = 0; t < 4; ++t) {
      if (mask.at({b, t}) == 0.0) continue;
      const double error = prediction.at({b, t, 0}) - y.at({b, t, 0});
      squares += error * error;
      absolute += std::abs(error);
      valid += 1.0;
    }
  }
  BOOST_TEST(logs.at("loss") == squares / valid, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(logs.at("mae") == absolute / valid, boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(validation_split_holds_out_the_last_samples) {
  set_global_seed(12);
  const Task data = make_task(20, 13);
  Sequential model = rnn_model();
  model.compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});
  const models::History history = model.fit(
      data.x, data.y, {.batch_size = 4, .epochs = 2, .verbose = 0, .validation_split = 0.25});
  BOOST_TEST(history.keys() == std::vector<std::string>({"loss", "mae", "val_loss", "val_mae"}),
             boost::test_tools::per_element());
  // 15 training samples in batches of 4: 4 steps per epoch.
  BOOST_TEST(model.optimizer().iterations() == 8);
  const models::Logs last =
      model.evaluate(slice(data.x, 0, 15, 20), slice(data.y, 0, 15, 20), {.verbose = 0});
  BOOST_TEST(history["val_loss"].back() == last.at("loss"), boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(validation_data_is_evaluated_after_every_epoch) {
  set_global_seed(14);
  const Task train = make_task(16, 15);
  const Task held_out = make_task(8, 16);
  Sequential model = rnn_model();
  model.compile({.optimizer = "adam", .loss = "mse"});
  const models::History history =
      model.fit(train.x, train.y,
                {.batch_size = 8,
                 .epochs = 3,
                 .verbose = 0,
                 .validation_data = models::ValidationData{held_out.x, held_out.y}});
  BOOST_TEST(history["val_loss"].size() == 3u);
  BOOST_TEST(history["val_loss"].back() ==
                 model.evaluate(held_out.x, held_out.y, {.verbose = 0}).at("loss"),
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_fixed_seed_makes_fit_reproducible) {
  const Task data = make_task(40, 17);
  std::vector<std::vector<Tensor>> runs;
  for (int run = 0; run < 2; ++run) {
    set_global_seed(99);
    Sequential model(SimpleRNN(5, {.dropout = 0.2, .recurrent_dropout = 0.1}), Dense(1));
    model.compile({.optimizer = "adam", .loss = "mse"});
    model.fit(data.x, data.y, {.batch_size = 8, .epochs = 2, .verbose = 0, .shuffle = true});
    runs.push_back(model.get_weights());
  }
  BOOST_TEST(same_values(runs[0], runs[1]));
}

BOOST_AUTO_TEST_CASE(train_on_batch_updates_and_test_on_batch_does_not) {
  set_global_seed(21);
  const Task data = make_task(8, 22);
  Sequential model = rnn_model();
  model.compile({.optimizer = optim::SGD({.learning_rate = 0.1}), .loss = "mse"});
  model.build({6, 2});
  const std::vector<Tensor> before = model.get_weights();
  const models::Logs tested = model.test_on_batch(data.x, data.y);
  BOOST_TEST(same_values(before, model.get_weights()));
  const models::Logs trained = model.train_on_batch(data.x, data.y);
  BOOST_TEST(trained.at("loss") == tested.at("loss"), boost::test_tools::tolerance(1e-6));
  BOOST_TEST(!same_values(before, model.get_weights()));
  BOOST_TEST(model.test_on_batch(data.x, data.y).at("loss") < tested.at("loss"));
}

BOOST_AUTO_TEST_CASE(bad_fit_arguments_are_refused_and_change_nothing) {
  set_global_seed(23);
  const Task data = make_task(10, 24);
  Sequential model = rnn_model();
  RNNKIT_CHECK_THROWS(model.fit(data.x, data.y, {.verbose = 0}), std::logic_error, "compile");
  BOOST_TEST(!model.built());
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.build({6, 2});
  const std::vector<Tensor> before = model.get_weights();
  const auto unchanged = [&] {
    BOOST_TEST(same_values(before, model.get_weights()));
    BOOST_TEST(model.optimizer().iterations() == 0);
  };
  RNNKIT_CHECK_THROWS(model.fit(data.x, make_task(9, 1).y, {.verbose = 0}), std::invalid_argument,
                      "same number of samples", "10", "9");
  unchanged();
  RNNKIT_CHECK_THROWS(model.fit(data.x, data.y, {.batch_size = 0, .verbose = 0}),
                      std::invalid_argument, "batch_size", ">= 1", "0");
  RNNKIT_CHECK_THROWS(model.fit(data.x, data.y, {.batch_size = -3, .verbose = 0}),
                      std::invalid_argument, "batch_size", "-3");
  for (double split : {1.0, -0.1, 1.5}) {
    RNNKIT_CHECK_THROWS(model.fit(data.x, data.y, {.verbose = 0, .validation_split = split}),
                        std::invalid_argument, "validation_split", "[0, 1)");
  }
  RNNKIT_CHECK_THROWS(model.fit(data.x, data.y, {.verbose = 0, .validation_split = 0.95}),
                      std::invalid_argument, "validation_split", "leaves 0 for training",
                      "non-empty");
  RNNKIT_CHECK_THROWS(model.fit(data.x, data.y, {.verbose = 3}), std::invalid_argument, "verbose");
  RNNKIT_CHECK_THROWS(model.fit(Tensor::scalar(1.0), data.y, {.verbose = 0}), std::invalid_argument,
                      "x", "rank >= 1");
  // Inputs of the wrong rank reach the RNN, which refuses them before any update.
  RNNKIT_CHECK_THROWS(model.fit(random_tensor({10, 2}, DType::f32), data.y, {.verbose = 0}),
                      std::invalid_argument, "expected ndim=3", "found ndim=2");
  RNNKIT_CHECK_THROWS(
      model.fit(data.x, data.y, {.verbose = 0, .mask = Tensor::ones({10, 5}, DType::boolean)}),
      std::invalid_argument, "mask", "[10, 6]", "[10, 5]");
  unchanged();
}

BOOST_AUTO_TEST_CASE(compile_refuses_unknown_names_and_a_missing_loss) {
  Sequential model = rnn_model();
  RNNKIT_CHECK_THROWS(model.compile({.optimizer = "adam"}), std::invalid_argument, "loss",
                      "required");
  RNNKIT_CHECK_THROWS(model.compile({.optimizer = "adam", .loss = "msq"}), std::invalid_argument,
                      "msq", "mean_squared_error");
  RNNKIT_CHECK_THROWS(model.compile({.optimizer = "adamw", .loss = "mse"}), std::invalid_argument,
                      "adamw", "adam");
  RNNKIT_CHECK_THROWS(model.compile({.optimizer = "adam", .loss = "mse", .metrics = {"f1"}}),
                      std::invalid_argument, "f1", "accuracy");
  BOOST_TEST(!model.compiled());
  RNNKIT_CHECK_THROWS(model.optimizer(), std::logic_error, "not compiled");
}

BOOST_AUTO_TEST_CASE(progress_follows_keras_verbose_modes) {
  set_global_seed(31);
  const Task data = make_task(16, 32);
  Sequential model = rnn_model();
  model.compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});
  std::ostringstream silent;
  model.fit(data.x, data.y, {.batch_size = 4, .epochs = 1, .verbose = 0, .output = &silent});
  BOOST_TEST(silent.str().empty());

  std::ostringstream bar;
  model.fit(data.x, data.y,
            {.batch_size = 4, .epochs = 2, .verbose = 1, .validation_split = 0.25, .output = &bar});
  const std::string text = bar.str();
  BOOST_TEST_MESSAGE(text);
  BOOST_TEST(text.find("Epoch 1/2\n") != std::string::npos);
  BOOST_TEST(text.find("Epoch 2/2\n") != std::string::npos);
  BOOST_TEST(text.find("3/3 [==============================] - ") != std::string::npos);
  BOOST_TEST(text.find(" - loss: ") != std::string::npos);
  BOOST_TEST(text.find(" - val_mae: ") != std::string::npos);
  // Not a terminal: plain lines, no carriage returns or escape codes.
  BOOST_TEST(text.find('\r') == std::string::npos);
  BOOST_TEST(text.find('\x1b') == std::string::npos);

  std::ostringstream lines;
  model.fit(data.x, data.y, {.batch_size = 4, .epochs = 2, .verbose = 2, .output = &lines});
  const std::string per_epoch = lines.str();
  BOOST_TEST(per_epoch.find("4/4 - ") != std::string::npos);
  BOOST_TEST(per_epoch.find("/epoch - ") != std::string::npos);
  BOOST_TEST(std::count(per_epoch.begin(), per_epoch.end(), '\n') == 4);
}

BOOST_AUTO_TEST_CASE(integer_labels_are_cast_like_keras_does) {
  Sequential model(Dense(1, {.activation = "sigmoid", .kernel_initializer = "ones"}));
  model.compile({.optimizer = "sgd", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  const Tensor x = Tensor::from_values({4, 1}, {2.0, -1.0, 0.5, -3.0});
  const models::Logs as_ints =
      model.test_on_batch(x, Tensor::from_values({4, 1}, {1, 0, 0, 0}, DType::i64));
  const models::Logs as_floats = model.test_on_batch(x, Tensor::from_values({4, 1}, {1, 0, 0, 0}));
  BOOST_TEST(as_ints.at("loss") == as_floats.at("loss"));
  BOOST_TEST(as_ints.at("accuracy") == 0.75);
  const models::Logs as_bools =
      model.test_on_batch(x, Tensor::from_values({4}, {1, 0, 0, 0}, DType::boolean));
  BOOST_TEST(as_bools.at("loss") == as_floats.at("loss"));
}

BOOST_AUTO_TEST_CASE(targets_of_the_wrong_shape_are_refused_before_training) {
  set_global_seed(41);
  const Task data = make_task(10, 42);
  Sequential model = rnn_model();
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.build({6, 2});
  const std::vector<Tensor> before = model.get_weights();
  RNNKIT_CHECK_THROWS(model.fit(data.x, random_tensor({10, 3}, DType::f32), {.verbose = 0}),
                      std::invalid_argument, "y of shape [10, 3]", "[-1, 1]");
  RNNKIT_CHECK_THROWS(
      model.fit(data.x, data.y,
                {.verbose = 0,
                 .validation_data = models::ValidationData{data.x, random_tensor({10, 2, 2})}}),
      std::invalid_argument, "validation y", "[10, 2, 2]");
  RNNKIT_CHECK_THROWS(model.evaluate(data.x, random_tensor({10, 4}, DType::f32), {.verbose = 0}),
                      std::invalid_argument, "[10, 4]");
  RNNKIT_CHECK_THROWS(model.train_on_batch(data.x, random_tensor({10, 1, 2}, DType::f32)),
                      std::invalid_argument, "[10, 1, 2]");
  BOOST_TEST(same_values(before, model.get_weights()));
  BOOST_TEST(model.optimizer().iterations() == 0);
}

BOOST_AUTO_TEST_CASE(callbacks_let_go_of_the_model_when_fit_throws) {
  struct Throwing : callbacks::Callback {
    void on_epoch_end(int, models::Logs&) override { throw std::runtime_error("callback failed"); }
  };
  set_global_seed(43);
  const Task data = make_task(8, 44);
  Sequential model = rnn_model();
  model.compile({.optimizer = "adam", .loss = "mse"});
  auto throwing = std::make_shared<Throwing>();
  RNNKIT_CHECK_THROWS(model.fit(data.x, data.y, {.verbose = 0, .callbacks = {throwing}}),
                      std::runtime_error, "callback failed");
  RNNKIT_CHECK_THROWS(throwing->model(), std::logic_error, "no model");
}

BOOST_AUTO_TEST_CASE(one_epoch_prints_no_epoch_header) {
  set_global_seed(45);
  const Task data = make_task(8, 46);
  Sequential model = rnn_model();
  model.compile({.optimizer = "adam", .loss = "mse"});
  std::ostringstream out;
  model.fit(data.x, data.y, {.batch_size = 4, .epochs = 1, .verbose = 1, .output = &out});
  BOOST_TEST(out.str().find("Epoch") == std::string::npos);
  BOOST_TEST(out.str().find("2/2 [==============================]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_timesteps_build_and_run_on_any_length) {
  Sequential model(SimpleRNN(3, {.return_sequences = true}), Dense(1));
  model.build({-1, 2});
  BOOST_TEST(model.input_shape() == Shape({-1, 2}));
  BOOST_TEST(model.output_shapes().back() == Shape({-1, -1, 1}));
  BOOST_TEST(model(random_tensor({2, 7, 2}, DType::f32)).shape() == Shape({2, 7, 1}));
  BOOST_TEST(models::model_from_json(model.to_json()).input_shape() == Shape({-1, 2}));
}

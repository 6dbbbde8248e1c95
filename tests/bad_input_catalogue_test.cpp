#define BOOST_TEST_MODULE bad_input_catalogue
// A catalogue of wrong calls across the public API. Each case asserts the documented exception
// type, a message naming the offending argument, and that nothing changed: the object called
// on (its config, weights, optimizer state, ...), or for a refused constructor the process-wide
// state it could touch (default layer names, the global random stream).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/rnnkit.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "model_state.h"
#include "test_support.h"

using namespace rnnkit;
using layers::Dense;
using layers::Embedding;
using layers::Masking;
using layers::SimpleRNN;
using layers::SimpleRNNCell;
using models::Sequential;
using testing::random_tensor;
using testing::state_of;

namespace {

// What a refused constructor could wrongly consume: default layer names and global seeds.
// Reading it consumes both, so it is read right after a reset to a known point.
void reset_process_state() {
  layers::reset_layer_names();
  set_global_seed(7);
}

std::string read_process_state() {
  return fmt::format("{} {} {} {} {} {}", Dense(1).name(), SimpleRNN(1).name(),
                     Embedding(2, 2).name(), Masking().name(), Sequential().name(),
                     draw_global_seed());
}

std::string fresh_process_state() {
  reset_process_state();
  const std::string state = read_process_state();
  reset_process_state();
  return state;
}

// A compiled SimpleRNN(4) -> Dense(1) model for inputs [batch, 5, 3], trained one step so that
// its optimizer holds state.
Sequential trained_model(std::int64_t units = 4) {
  Sequential model(
      SimpleRNN(units, {.kernel_initializer = initializers::GlorotUniform({.seed = 1}),
                        .recurrent_initializer = initializers::Orthogonal({.seed = 2})}),
      Dense(1, {.kernel_initializer = initializers::GlorotUniform({.seed = 3})}));
  model.compile({.optimizer = optim::Adam(), .loss = "mse", .metrics = {"mae"}});
  model.fit(random_tensor({4, 5, 3}, DType::f32, 4), random_tensor({4, 1}, DType::f32, 5),
            {.batch_size = 4, .verbose = 0, .shuffle = false});
  return model;
}

Tensor inputs(std::int64_t batch = 4) { return random_tensor({batch, 5, 3}, DType::f32, 6); }
Tensor targets(std::int64_t batch = 4) { return random_tensor({batch, 1}, DType::f32, 7); }

// A fresh directory, removed at the end of the test.
struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("rnnkit_catalogue_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

}  // namespace

/// `call` must throw `Exception` whose message holds every given part, and `state` (an
/// expression, evaluated before and after) must read the same afterwards.
#define CHECK_REFUSED(state, call, Exception, ...)                               \
  do {                                                                           \
    const std::string catalogue_before = (state);                                \
    RNNKIT_CHECK_THROWS(call, Exception, __VA_ARGS__);                           \
    BOOST_TEST((state) == catalogue_before, "the refused call changed " #state); \
  } while (false)

/// A refused constructor: the exception and message as CHECK_REFUSED, and no default layer name
/// or global seed consumed.
#define CHECK_CONSTRUCTION_REFUSED(construction, Exception, ...)                           \
  do {                                                                                     \
    const std::string catalogue_before = fresh_process_state();                            \
    RNNKIT_CHECK_THROWS((void)(construction), Exception, __VA_ARGS__);                     \
    BOOST_TEST(read_process_state() == catalogue_before, #construction " consumed state"); \
  } while (false)

BOOST_AUTO_TEST_SUITE(tensors)

BOOST_AUTO_TEST_CASE(reshape_to_a_different_element_count) {
  const Tensor t = random_tensor({2, 3}, DType::f32);
  CHECK_REFUSED(state_of(t), t.reshape({4, 2}), std::invalid_argument, "reshape", "[2, 3]",
                "[4, 2]");
}

BOOST_AUTO_TEST_CASE(add_with_shapes_that_do_not_broadcast) {
  Tensor a = random_tensor({2, 3}, DType::f32, 1);
  const Tensor b = random_tensor({4, 3}, DType::f32, 2);
  CHECK_REFUSED(state_of(a) + state_of(b), add(a, b), std::invalid_argument, "add", "[2, 3]",
                "[4, 3]");
}

BOOST_AUTO_TEST_CASE(mul_with_mixed_dtypes) {
  const Tensor a = random_tensor({2, 3}, DType::f32, 1);
  const Tensor b = random_tensor({2, 3}, DType::f64, 2);
  CHECK_REFUSED(state_of(a) + state_of(b), mul(a, b), std::invalid_argument, "mul", "float32",
                "float64");
}

BOOST_AUTO_TEST_CASE(matmul_with_mismatched_inner_dimensions) {
  const Tensor a = random_tensor({2, 3}, DType::f32, 1);
  const Tensor b = random_tensor({4, 5}, DType::f32, 2);
  CHECK_REFUSED(state_of(a) + state_of(b), matmul(a, b), std::invalid_argument, "matmul", "[2, 3]",
                "[4, 5]");
}

BOOST_AUTO_TEST_CASE(from_values_with_the_wrong_count) {
  CHECK_CONSTRUCTION_REFUSED(Tensor::from_values({2, 2}, {1.0, 2.0, 3.0}), std::invalid_argument,
                             "from_values", "[2, 2]", "4 values, got 3");
}

BOOST_AUTO_TEST_CASE(requires_grad_on_an_integer_tensor) {
  Tensor ids = Tensor::zeros({3}, DType::i64);
  CHECK_REFUSED(state_of(ids) + std::to_string(ids.requires_grad()), ids.set_requires_grad(),
                std::invalid_argument, "set_requires_grad", "int64");
}

BOOST_AUTO_TEST_CASE(item_of_a_tensor_with_several_elements) {
  const Tensor t = random_tensor({2, 2}, DType::f32);
  CHECK_REFUSED(state_of(t), t.item(), std::invalid_argument, "item", "[2, 2]");
}

BOOST_AUTO_TEST_CASE(at_with_an_index_out_of_range) {
  const Tensor t = random_tensor({2, 2}, DType::f32);
  CHECK_REFUSED(state_of(t), t.at({0, 2}), std::invalid_argument, "Tensor::at", "index 2",
                "axis 1");
}

BOOST_AUTO_TEST_CASE(copy_from_a_tensor_of_another_shape) {
  Tensor target = random_tensor({2, 3}, DType::f32, 1);
  const Tensor source = random_tensor({3, 2}, DType::f32, 2);
  CHECK_REFUSED(state_of(target), target.copy_(source), std::invalid_argument, "copy_", "[2, 3]",
                "[3, 2]");
}

BOOST_AUTO_TEST_CASE(concat_of_tensors_whose_other_axes_differ) {
  const Tensor a = random_tensor({2, 3}, DType::f32, 1);
  const Tensor b = random_tensor({2, 4}, DType::f32, 2);
  CHECK_REFUSED(state_of(a) + state_of(b), concat({a, b}, 0), std::invalid_argument, "concat",
                "tensors[1]", "[2, 4]");
}

BOOST_AUTO_TEST_CASE(softmax_of_a_scalar) {
  const Tensor t = Tensor::scalar(1.0);
  CHECK_REFUSED(state_of(t), softmax(t), std::invalid_argument, "softmax", "scalar");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(layer_options)

BOOST_AUTO_TEST_CASE(simple_rnn_with_zero_units) {
  CHECK_CONSTRUCTION_REFUSED(SimpleRNN(layers::SimpleRNNOptions{.units = 0}), std::invalid_argument,
                             "SimpleRNN", "units", "0");
}

BOOST_AUTO_TEST_CASE(simple_rnn_with_dropout_above_one) {
  CHECK_CONSTRUCTION_REFUSED(SimpleRNN(4, {.dropout = 1.5}), std::invalid_argument, "dropout",
                             "1.5");
}

BOOST_AUTO_TEST_CASE(simple_rnn_with_negative_recurrent_dropout) {
  CHECK_CONSTRUCTION_REFUSED(SimpleRNN(4, {.recurrent_dropout = -0.1}), std::invalid_argument,
                             "recurrent_dropout", "-0.1");
}

BOOST_AUTO_TEST_CASE(simple_rnn_with_an_unknown_activation) {
  CHECK_CONSTRUCTION_REFUSED(SimpleRNN(4, {.activation = "tanhh"}), std::invalid_argument,
                             "activation", "tanhh");
}

BOOST_AUTO_TEST_CASE(simple_rnn_with_units_given_twice_differently) {
  CHECK_CONSTRUCTION_REFUSED(SimpleRNN(4, {.units = 5}), std::invalid_argument, "units", "4", "5");
}

BOOST_AUTO_TEST_CASE(simple_rnn_cell_with_negative_units) {
  CHECK_CONSTRUCTION_REFUSED(SimpleRNNCell(-3), std::invalid_argument, "SimpleRNNCell", "units",
                             "-3");
}

BOOST_AUTO_TEST_CASE(dense_with_zero_units) {
  CHECK_CONSTRUCTION_REFUSED(Dense(0), std::invalid_argument, "Dense", "units", "0");
}

BOOST_AUTO_TEST_CASE(dense_with_an_unknown_kernel_initializer) {
  CHECK_CONSTRUCTION_REFUSED(Dense(2, {.kernel_initializer = "glorot_unifrom"}),
                             std::invalid_argument, "glorot_unifrom");
}

BOOST_AUTO_TEST_CASE(embedding_with_zero_input_dim) {
  CHECK_CONSTRUCTION_REFUSED(Embedding(0, 4), std::invalid_argument, "Embedding", "input_dim", "0");
}

BOOST_AUTO_TEST_CASE(embedding_with_negative_output_dim) {
  CHECK_CONSTRUCTION_REFUSED(Embedding(10, -1), std::invalid_argument, "Embedding", "output_dim",
                             "-1");
}

BOOST_AUTO_TEST_CASE(simple_rnn_from_a_config_with_an_unknown_key) {
  CHECK_CONSTRUCTION_REFUSED(SimpleRNN::from_config({{"units", 4}, {"unitz", 5}}),
                             std::invalid_argument, "SimpleRNN", "unitz");
}

BOOST_AUTO_TEST_CASE(layer_deserialize_with_an_unknown_class) {
  CHECK_CONSTRUCTION_REFUSED(
      layers::deserialize(Config{{"class_name", "GRU"}, {"config", {{"units", 4}}}}),
      std::invalid_argument, "GRU");
}

BOOST_AUTO_TEST_CASE(masking_with_an_integer_dtype) {
  CHECK_CONSTRUCTION_REFUSED(Masking({.dtype = DType::i64}), std::invalid_argument, "masking",
                             "dtype", "int64");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(layer_calls)

BOOST_AUTO_TEST_CASE(simple_rnn_on_inputs_of_rank_two) {
  SimpleRNN rnn(4);
  CHECK_REFUSED(state_of(rnn), rnn(random_tensor({5, 3}, DType::f32)), std::invalid_argument,
                "input 0", "expected ndim=3", "[5, 3]");
}

BOOST_AUTO_TEST_CASE(simple_rnn_on_a_different_feature_count_after_build) {
  SimpleRNN rnn(4);
  rnn(inputs());
  CHECK_REFUSED(state_of(rnn), rnn(random_tensor({4, 5, 7}, DType::f32)), std::invalid_argument,
                "input 0", "[None, None, 3]", "[4, 5, 7]");
}

BOOST_AUTO_TEST_CASE(simple_rnn_with_an_initial_state_of_the_wrong_shape) {
  SimpleRNN rnn(4);
  rnn(inputs());
  CHECK_REFUSED(state_of(rnn), rnn(inputs(), {.initial_state = {Tensor::zeros({4, 3})}}),
                std::invalid_argument, "initial_state", "[4, 3]");
}

BOOST_AUTO_TEST_CASE(simple_rnn_with_a_mask_of_the_wrong_shape) {
  SimpleRNN rnn(4);
  rnn(inputs());
  CHECK_REFUSED(state_of(rnn), rnn(inputs(), {.mask = Tensor::ones({4, 6}, DType::boolean)}),
                std::invalid_argument, "mask", "[4, 6]");
}

BOOST_AUTO_TEST_CASE(reset_states_on_a_layer_that_is_not_stateful) {
  SimpleRNN rnn(4);
  rnn(inputs());
  CHECK_REFUSED(state_of(rnn), rnn.reset_states(), std::logic_error, "reset_states", "stateful");
}

BOOST_AUTO_TEST_CASE(simple_rnn_cell_with_too_many_states) {
  SimpleRNNCell cell(4);
  cell(Tensor::zeros({2, 3}), {Tensor::zeros({2, 4})});
  CHECK_REFUSED(state_of(cell),
                cell(Tensor::zeros({2, 3}), {Tensor::zeros({2, 4}), Tensor::zeros({2, 4})}),
                std::invalid_argument, "states", "1", "2");
}

BOOST_AUTO_TEST_CASE(dense_on_a_different_feature_count_after_build) {
  Dense dense(2);
  dense(Tensor::ones({3, 4}));
  CHECK_REFUSED(state_of(dense), dense(Tensor::ones({3, 5})), std::invalid_argument, "inputs", "5");
}

BOOST_AUTO_TEST_CASE(embedding_with_an_id_past_input_dim) {
  Embedding embedding(10, 3);
  embedding(Tensor::zeros({2, 4}, DType::i64));
  Tensor ids = Tensor::zeros({2, 4}, DType::i64);
  ids.set({1, 2}, 10);
  CHECK_REFUSED(state_of(embedding), embedding(ids), std::invalid_argument, "input_dim", "10");
}

BOOST_AUTO_TEST_CASE(masking_on_inputs_of_rank_one) {
  Masking masking;
  CHECK_REFUSED(state_of(masking), masking(Tensor::ones({5})), std::invalid_argument, "inputs",
                "[5]");
}

BOOST_AUTO_TEST_CASE(count_params_before_build) {
  const Dense dense(2);
  CHECK_REFUSED(state_of(dense), dense.count_params(), std::logic_error, "count_params", "built");
}

BOOST_AUTO_TEST_CASE(reset_states_with_a_state_of_the_wrong_shape) {
  SimpleRNN rnn(4, {.stateful = true});
  rnn(inputs(2));
  const auto state = [&] { return state_of(rnn) + state_of(rnn.states()); };
  CHECK_REFUSED(state(), rnn.reset_states({Tensor::ones({3, 4})}), std::invalid_argument, "[2, 4]",
                "[3, 4]");
}

BOOST_AUTO_TEST_CASE(a_result_with_states_used_as_one_tensor) {
  SimpleRNN rnn(4, {.return_state = true});
  const layers::RNNOutput result = rnn(inputs());
  CHECK_REFUSED(state_of(rnn), static_cast<Tensor>(result), std::logic_error, "state");
}

BOOST_AUTO_TEST_CASE(set_weights_with_a_wrong_shape) {
  Dense dense(2);
  dense.build({3, 4});
  CHECK_REFUSED(state_of(dense), dense.set_weights({Tensor::zeros({4, 2}), Tensor::zeros({3})}),
                std::invalid_argument, "bias", "[2]", "[3]");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(initializers_regularizers_constraints)

BOOST_AUTO_TEST_CASE(random_uniform_with_minval_above_maxval) {
  CHECK_CONSTRUCTION_REFUSED(initializers::RandomUniform({.minval = 1.0, .maxval = 0.0}),
                             std::invalid_argument, "RandomUniform", "minval", "maxval");
}

BOOST_AUTO_TEST_CASE(random_normal_with_negative_stddev) {
  CHECK_CONSTRUCTION_REFUSED(initializers::RandomNormal({.stddev = -1.0}), std::invalid_argument,
                             "RandomNormal", "stddev", "-1");
}

BOOST_AUTO_TEST_CASE(variance_scaling_with_an_unknown_mode) {
  CHECK_CONSTRUCTION_REFUSED(initializers::VarianceScaling({.mode = "fan_all"}),
                             std::invalid_argument, "VarianceScaling", "mode", "fan_all");
}

BOOST_AUTO_TEST_CASE(variance_scaling_with_a_non_positive_scale) {
  CHECK_CONSTRUCTION_REFUSED(initializers::VarianceScaling({.scale = 0.0}), std::invalid_argument,
                             "VarianceScaling", "scale", "0");
}

BOOST_AUTO_TEST_CASE(initializer_deserialize_with_an_unknown_class) {
  CHECK_CONSTRUCTION_REFUSED(initializers::deserialize(Config{{"class_name", "GlorotUnicorn"},
                                                              {"config", Config::object()}}),
                             std::invalid_argument, "GlorotUnicorn");
}

BOOST_AUTO_TEST_CASE(initializer_from_config_with_an_unknown_key) {
  CHECK_CONSTRUCTION_REFUSED(initializers::RandomNormal::from_config({{"mean", 0.0}, {"std", 1.0}}),
                             std::invalid_argument, "RandomNormal", "std");
}

BOOST_AUTO_TEST_CASE(l2_with_a_negative_factor) {
  CHECK_CONSTRUCTION_REFUSED(regularizers::L2(-0.1), std::invalid_argument, "L2", "l2", "-0.1");
}

BOOST_AUTO_TEST_CASE(regularizer_deserialize_with_an_unknown_name) {
  CHECK_CONSTRUCTION_REFUSED(regularizers::deserialize(Config("l3")), std::invalid_argument, "l3");
}

BOOST_AUTO_TEST_CASE(min_max_norm_with_min_above_max) {
  CHECK_CONSTRUCTION_REFUSED(constraints::MinMaxNorm({.min_value = 2.0, .max_value = 1.0}),
                             std::invalid_argument, "MinMaxNorm", "min_value", "max_value");
}

BOOST_AUTO_TEST_CASE(min_max_norm_with_rate_above_one) {
  CHECK_CONSTRUCTION_REFUSED(constraints::MinMaxNorm({.rate = 2.0}), std::invalid_argument,
                             "MinMaxNorm", "rate", "2");
}

BOOST_AUTO_TEST_CASE(constraint_deserialize_with_an_unknown_name) {
  CHECK_CONSTRUCTION_REFUSED(
      constraints::deserialize(Config{{"class_name", "MaxNorn"}, {"config", Config::object()}}),
      std::invalid_argument, "MaxNorn");
}

BOOST_AUTO_TEST_CASE(max_norm_on_an_axis_past_the_rank) {
  const constraints::MaxNorm constraint({.axis = 3});
  const Tensor w = random_tensor({2, 3}, DType::f32);
  CHECK_REFUSED(state_of(w) + constraint.get_config().dump(), constraint(w), std::invalid_argument,
                "MaxNorm", "axis", "3");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(optimizers)

BOOST_AUTO_TEST_CASE(sgd_with_a_negative_learning_rate) {
  CHECK_CONSTRUCTION_REFUSED(optim::SGD({.learning_rate = -0.1}), std::invalid_argument, "SGD",
                             "learning_rate", "-0.1");
}

BOOST_AUTO_TEST_CASE(sgd_with_momentum_above_one) {
  CHECK_CONSTRUCTION_REFUSED(optim::SGD({.momentum = 1.5}), std::invalid_argument, "SGD",
                             "momentum", "1.5");
}

BOOST_AUTO_TEST_CASE(adam_with_beta_1_of_one) {
  CHECK_CONSTRUCTION_REFUSED(optim::Adam({.beta_1 = 1.0}), std::invalid_argument, "Adam", "beta_1",
                             "1");
}

BOOST_AUTO_TEST_CASE(adam_with_a_negative_clipnorm) {
  CHECK_CONSTRUCTION_REFUSED(optim::Adam({.clipnorm = -1.0}), std::invalid_argument, "Adam",
                             "clipnorm", "-1");
}

BOOST_AUTO_TEST_CASE(unknown_optimizer_name) {
  CHECK_CONSTRUCTION_REFUSED(optim::AnyOptimizer("adamw"), std::invalid_argument, "optimizer",
                             "adamw");
}

BOOST_AUTO_TEST_CASE(set_learning_rate_negative_on_a_trained_optimizer) {
  Sequential model = trained_model();
  optim::Optimizer& optimizer = model.optimizer();
  CHECK_REFUSED(state_of(optimizer), optimizer.set_learning_rate(-1.0), std::invalid_argument,
                "learning_rate", "-1");
}

BOOST_AUTO_TEST_CASE(load_state_with_a_slot_of_the_wrong_shape) {
  Sequential model = trained_model();
  optim::Optimizer& optimizer = model.optimizer();
  optim::OptimizerState state = optimizer.state();
  auto& [name, slot] = *state.slots.begin();
  slot = Tensor::zeros({7});
  CHECK_REFUSED(state_of(optimizer), optimizer.load_state(state, model.trainable_weights()),
                std::invalid_argument, name, "[7]");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(losses_catalogue)

BOOST_AUTO_TEST_CASE(mean_squared_error_with_mismatched_shapes) {
  const Tensor y_true = random_tensor({4, 2}, DType::f32, 1);
  const Tensor y_pred = random_tensor({4, 3}, DType::f32, 2);
  CHECK_REFUSED(state_of(y_true) + state_of(y_pred), losses::mean_squared_error(y_true, y_pred),
                std::invalid_argument, "mean_squared_error", "y_true", "[4, 2]");
}

BOOST_AUTO_TEST_CASE(binary_crossentropy_with_label_smoothing_above_one) {
  CHECK_CONSTRUCTION_REFUSED(losses::BinaryCrossentropy({.label_smoothing = 2.0}),
                             std::invalid_argument, "BinaryCrossentropy", "label_smoothing", "2");
}

BOOST_AUTO_TEST_CASE(sparse_categorical_crossentropy_with_a_label_past_the_classes) {
  const Tensor labels = Tensor::from_values({2}, {0.0, 3.0}, DType::i64);
  const Tensor y_pred = random_tensor({2, 3}, DType::f32, 2, 0.1, 1.0);
  CHECK_REFUSED(state_of(labels) + state_of(y_pred),
                losses::sparse_categorical_crossentropy(labels, y_pred), std::invalid_argument,
                "sparse_categorical_crossentropy", "3");
}

BOOST_AUTO_TEST_CASE(unknown_reduction_name) {
  CHECK_CONSTRUCTION_REFUSED(losses::parse_reduction("mean"), std::invalid_argument, "reduction",
                             "mean");
}

BOOST_AUTO_TEST_CASE(unknown_loss_name) {
  CHECK_CONSTRUCTION_REFUSED(losses::AnyLoss("msee"), std::invalid_argument, "loss", "msee");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sequential)

BOOST_AUTO_TEST_CASE(fit_before_compile) {
  Sequential model(SimpleRNN(4), Dense(1));
  CHECK_REFUSED(state_of(model), model.fit(inputs(), targets(), {.verbose = 0}), std::logic_error,
                "fit", "compile");
}

BOOST_AUTO_TEST_CASE(fit_with_targets_of_the_wrong_shape) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model),
                model.fit(inputs(), random_tensor({4, 3}, DType::f32), {.verbose = 0}),
                std::invalid_argument, "fit", "y", "[4, 3]");
}

BOOST_AUTO_TEST_CASE(fit_with_x_and_y_of_different_sample_counts) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.fit(inputs(4), targets(3), {.verbose = 0}),
                std::invalid_argument, "x", "y", "4", "3");
}

BOOST_AUTO_TEST_CASE(fit_with_batch_size_zero) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.fit(inputs(), targets(), {.batch_size = 0, .verbose = 0}),
                std::invalid_argument, "batch_size", "0");
}

BOOST_AUTO_TEST_CASE(fit_with_validation_split_of_one) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model),
                model.fit(inputs(), targets(), {.verbose = 0, .validation_split = 1.0}),
                std::invalid_argument, "validation_split", "1");
}

BOOST_AUTO_TEST_CASE(fit_with_negative_epochs) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.fit(inputs(), targets(), {.epochs = -1, .verbose = 0}),
                std::invalid_argument, "epochs", "-1");
}

BOOST_AUTO_TEST_CASE(fit_with_verbose_three) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.fit(inputs(), targets(), {.verbose = 3}),
                std::invalid_argument, "verbose", "3");
}

BOOST_AUTO_TEST_CASE(fit_with_nan_in_x) {
  Sequential model = trained_model();
  Tensor x = inputs();
  x.set({2, 1, 0}, std::numeric_limits<double>::quiet_NaN());
  CHECK_REFUSED(state_of(model), model.fit(x, targets(), {.batch_size = 2, .verbose = 0}),
                std::invalid_argument, "x holds nan at sample 2", "batch 1");
}

BOOST_AUTO_TEST_CASE(compile_with_an_unknown_metric) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model),
                model.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"accuracyy"}}),
                std::invalid_argument, "metric", "accuracyy");
}

BOOST_AUTO_TEST_CASE(compile_without_a_loss) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.compile({.optimizer = "sgd"}), std::invalid_argument,
                "loss");
}

BOOST_AUTO_TEST_CASE(evaluate_with_a_mask_of_the_wrong_shape) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model),
                model.evaluate(inputs(), targets(),
                               {.verbose = 0, .mask = Tensor::ones({4, 9}, DType::boolean)}),
                std::invalid_argument, "mask", "[4, 9]");
}

BOOST_AUTO_TEST_CASE(predict_on_inputs_of_the_wrong_rank_before_build) {
  Sequential model(SimpleRNN(4), Dense(1));
  CHECK_REFUSED(state_of(model), model.predict(random_tensor({4, 3}, DType::f32)),
                std::invalid_argument, "input 0", "expected ndim=3", "[4, 3]");
}

BOOST_AUTO_TEST_CASE(predict_with_batch_size_zero) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.predict(inputs(), {.batch_size = 0}), std::invalid_argument,
                "batch_size", "0");
}

BOOST_AUTO_TEST_CASE(optimizer_before_compile) {
  Sequential model(SimpleRNN(4), Dense(1));
  CHECK_REFUSED(state_of(model), model.optimizer(), std::logic_error, "not compiled");
}

BOOST_AUTO_TEST_CASE(predict_on_a_batch_a_stateful_model_was_not_built_for) {
  Sequential model(SimpleRNN(4, {.stateful = true}), Dense(1));
  model.build({5, 3}, 2);
  model.predict(inputs(2));  // the kept states are no longer zeros
  CHECK_REFUSED(state_of(model), model.predict(inputs(3)), std::invalid_argument, "input 0",
                "[2, None, 3]", "[3, 5, 3]");
}

BOOST_AUTO_TEST_CASE(train_on_batch_with_targets_of_the_wrong_shape) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.train_on_batch(inputs(), random_tensor({4, 2}, DType::f32)),
                std::invalid_argument, "train_on_batch", "y", "[4, 2]");
}

BOOST_AUTO_TEST_CASE(fit_with_validation_targets_of_the_wrong_shape) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model),
                model.fit(inputs(), targets(),
                          {.verbose = 0,
                           .validation_data =
                               models::ValidationData{.x = inputs(2),
                                                      .y = random_tensor({2, 5}, DType::f32)}}),
                std::invalid_argument, "validation y", "[2, 5]");
}

BOOST_AUTO_TEST_CASE(pop_on_an_empty_model) {
  Sequential model;
  CHECK_REFUSED(state_of(model), model.pop(), std::logic_error, "pop");
}

BOOST_AUTO_TEST_CASE(add_a_layer_whose_name_is_taken) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.add(Dense(1, {.name = model.layer(1).name()})),
                std::invalid_argument, "add", model.layer(1).name());
}

BOOST_AUTO_TEST_CASE(get_layer_with_an_unknown_name) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.get_layer("lstm"), std::invalid_argument, "lstm");
}

BOOST_AUTO_TEST_CASE(layer_index_past_the_end) {
  Sequential model = trained_model();
  CHECK_REFUSED(state_of(model), model.layer(2), std::out_of_range, "index 2");
}

BOOST_AUTO_TEST_CASE(build_with_a_negative_batch_size) {
  Sequential model(SimpleRNN(4), Dense(1));
  CHECK_REFUSED(state_of(model), model.build({5, 3}, -1), std::invalid_argument, "batch_size",
                "-1");
}

BOOST_AUTO_TEST_CASE(summary_before_build) {
  Sequential model(SimpleRNN(4), Dense(1));
  std::ostringstream out;
  CHECK_REFUSED(state_of(model), model.summary(out), std::logic_error, "summary", "build");
}

BOOST_AUTO_TEST_CASE(set_weights_with_a_missing_tensor) {
  Sequential model = trained_model();
  std::vector<Tensor> weights = model.get_weights();
  weights.pop_back();
  CHECK_REFUSED(state_of(model), model.set_weights(weights), std::invalid_argument, "set_weights",
                "5", "4");
}

BOOST_AUTO_TEST_CASE(model_from_json_with_an_unknown_layer_class) {
  CHECK_CONSTRUCTION_REFUSED(
      models::model_from_json(
          R"({"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "LSTM", "config": {"units": 2}}]}})"),
      std::invalid_argument, "LSTM");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(load_weights_from_a_missing_file) {
  Sequential model = trained_model();
  const TempDir dir;
  const std::filesystem::path missing = dir.path / "missing.rnnkit";
  CHECK_REFUSED(state_of(model), model.load_weights(missing), std::runtime_error, missing.string());
}

BOOST_AUTO_TEST_CASE(load_weights_from_a_file_that_is_not_an_archive) {
  Sequential model = trained_model();
  const TempDir dir;
  const std::filesystem::path path = dir.path / "notes.txt";
  std::ofstream(path) << "these are not weights\n";
  CHECK_REFUSED(state_of(model), model.load_weights(path), std::runtime_error, path.string(),
                "not an rnnkit archive");
}

BOOST_AUTO_TEST_CASE(load_weights_of_a_different_model) {
  Sequential model = trained_model();
  const TempDir dir;
  const std::filesystem::path path = dir.path / "wider.rnnkit";
  trained_model(6).save_weights(path);
  CHECK_REFUSED(state_of(model), model.load_weights(path), std::invalid_argument, path.string(),
                "kernel", "[3, 4]", "[3, 6]");
}

BOOST_AUTO_TEST_CASE(load_weights_from_a_truncated_file) {
  Sequential model = trained_model();
  const TempDir dir;
  const std::filesystem::path path = dir.path / "cut.rnnkit";
  trained_model().save_weights(path);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  CHECK_REFUSED(state_of(model), model.load_weights(path), std::runtime_error, path.string(),
                "truncated");
}

BOOST_AUTO_TEST_CASE(load_weights_before_build) {
  Sequential model(SimpleRNN(4), Dense(1));
  const TempDir dir;
  const std::filesystem::path path = dir.path / "weights.rnnkit";
  trained_model().save_weights(path);
  CHECK_REFUSED(state_of(model), model.load_weights(path), std::logic_error, "load_weights",
                "build");
}

BOOST_AUTO_TEST_CASE(load_model_from_a_weights_only_file) {
  const TempDir dir;
  const std::filesystem::path path = dir.path / "weights.rnnkit";
  trained_model().save_weights(path);
  CHECK_CONSTRUCTION_REFUSED(models::load_model(path), std::invalid_argument, path.string(),
                             "save_weights");
}

BOOST_AUTO_TEST_CASE(save_weights_into_a_missing_directory) {
  Sequential model = trained_model();
  const TempDir dir;
  const std::filesystem::path path = dir.path / "no" / "such" / "dir" / "w.rnnkit";
  CHECK_REFUSED(state_of(model), model.save_weights(path), std::runtime_error, path.string());
  BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(callbacks_catalogue)

BOOST_AUTO_TEST_CASE(early_stopping_with_an_unknown_mode) {
  CHECK_CONSTRUCTION_REFUSED(callbacks::EarlyStopping({.mode = "up"}), std::invalid_argument,
                             "EarlyStopping", "mode", "up");
}

BOOST_AUTO_TEST_CASE(early_stopping_with_negative_patience) {
  CHECK_CONSTRUCTION_REFUSED(callbacks::EarlyStopping({.patience = -2}), std::invalid_argument,
                             "EarlyStopping", "patience", "-2");
}

BOOST_AUTO_TEST_CASE(model_checkpoint_with_an_empty_filepath) {
  CHECK_CONSTRUCTION_REFUSED(callbacks::ModelCheckpoint(""), std::invalid_argument,
                             "ModelCheckpoint", "filepath");
}

BOOST_AUTO_TEST_CASE(model_checkpoint_with_an_unknown_mode) {
  CHECK_CONSTRUCTION_REFUSED(callbacks::ModelCheckpoint("ckpt.rnnkit", {.mode = "best"}),
                             std::invalid_argument, "ModelCheckpoint", "mode", "best");
}

BOOST_AUTO_TEST_CASE(a_null_callback_pointer) {
  CHECK_CONSTRUCTION_REFUSED(callbacks::AnyCallback(std::shared_ptr<callbacks::EarlyStopping>()),
                             std::invalid_argument, "callback", "null");
}

BOOST_AUTO_TEST_CASE(callback_model_outside_fit) {
  const callbacks::EarlyStopping early_stopping;
  CHECK_REFUSED(std::to_string(early_stopping.best()), early_stopping.model(), std::logic_error,
                "model");
}

BOOST_AUTO_TEST_CASE(a_schedule_that_returns_a_negative_learning_rate) {
  Sequential model = trained_model();
  CHECK_REFUSED(
      state_of(model),
      model.fit(inputs(), targets(),
                {.verbose = 0, .callbacks = {callbacks::LearningRateScheduler([](int, double) {
                                 return -0.5;
                               })}}),
      std::invalid_argument, "learning_rate", "-0.5");
}

BOOST_AUTO_TEST_SUITE_END()

#define BOOST_TEST_MODULE serialization
#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/config.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/initializers/initializers.h>
#include <rnnkit/initializers/serialization.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/rnn.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/layers/simple_rnn_cell.h>
#include <rnnkit/optim/adagrad.h>
#include <rnnkit/optim/adam.h>
#include <rnnkit/optim/rmsprop.h>
#include <rnnkit/optim/schedules.h>
#include <rnnkit/optim/serialization.h>
#include <rnnkit/optim/sgd.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using testing::check_close;
using testing::random_tensor;
namespace data = boost::unit_test::data;
namespace I = rnnkit::initializers;
namespace R = rnnkit::regularizers;
namespace C = rnnkit::constraints;
namespace L = rnnkit::losses;

namespace {

// `keras` is a config as Keras 2.9 prints it with json.dumps, written out by hand from the
// Keras sources and spec §10. Parsing keeps the key order and the integer/float distinction, so
// comparing compact dumps compares keys, order and value encodings.
std::string dumped(std::string_view keras) { return Config::parse(keras).dump(); }

#define CHECK_KERAS_JSON(actual, keras) BOOST_TEST((actual).dump() == dumped(keras))

// One serializable value and the Keras JSON it must produce; printed by its label.
template <class T>
struct Case {
  std::string label;
  std::function<T()> make;
  std::string keras;
};
template <class T>
std::ostream& operator<<(std::ostream& out, const Case<T>& c) {
  return out << c.label;
}

}  // namespace

// -------------------------------------------------------------------------------- initializers

BOOST_AUTO_TEST_SUITE(initializers)

using InitializerCase = Case<I::AnyInitializer>;

const std::vector<InitializerCase> initializer_cases{
    {"zeros", [] { return I::AnyInitializer("zeros"); },
     R"({"class_name": "Zeros", "config": {}})"},
    {"ones", [] { return I::AnyInitializer("ones"); }, R"({"class_name": "Ones", "config": {}})"},
    {"constant", [] { return I::AnyInitializer("constant"); },
     R"({"class_name": "Constant", "config": {"value": 0}})"},
    {"constant_0.5", [] { return I::AnyInitializer(I::Constant(0.5)); },
     R"({"class_name": "Constant", "config": {"value": 0.5}})"},
    {"identity", [] { return I::AnyInitializer("identity"); },
     R"({"class_name": "Identity", "config": {"gain": 1.0}})"},
    {"random_uniform", [] { return I::AnyInitializer("random_uniform"); },
     R"({"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": null}})"},
    {"random_normal", [] { return I::AnyInitializer("random_normal"); },
     R"({"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.05, "seed": null}})"},
    {"truncated_normal_seeded",
     [] { return I::AnyInitializer(I::TruncatedNormal({.mean = 1.0, .stddev = 2.0, .seed = 3})); },
     R"({"class_name": "TruncatedNormal", "config": {"mean": 1.0, "stddev": 2.0, "seed": 3}})"},
    {"variance_scaling", [] { return I::AnyInitializer("variance_scaling"); },
     R"({"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_in",
         "distribution": "truncated_normal", "seed": null}})"},
    {"variance_scaling_normal_alias",
     [] {
       return I::AnyInitializer(I::VarianceScaling(
           {.scale = 2.0, .mode = "fan_avg", .distribution = "Normal", .seed = 11}));
     },
     R"({"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_avg",
         "distribution": "truncated_normal", "seed": 11}})"},
    {"glorot_uniform", [] { return I::AnyInitializer("glorot_uniform"); },
     R"({"class_name": "GlorotUniform", "config": {"seed": null}})"},
    {"glorot_uniform_seeded", [] { return I::AnyInitializer(I::GlorotUniform({.seed = 42})); },
     R"({"class_name": "GlorotUniform", "config": {"seed": 42}})"},
    {"glorot_normal", [] { return I::AnyInitializer("glorot_normal"); },
     R"({"class_name": "GlorotNormal", "config": {"seed": null}})"},
    {"he_uniform", [] { return I::AnyInitializer("he_uniform"); },
     R"({"class_name": "HeUniform", "config": {"seed": null}})"},
    {"he_normal", [] { return I::AnyInitializer("he_normal"); },
     R"({"class_name": "HeNormal", "config": {"seed": null}})"},
    {"lecun_uniform", [] { return I::AnyInitializer("lecun_uniform"); },
     R"({"class_name": "LecunUniform", "config": {"seed": null}})"},
    {"lecun_normal", [] { return I::AnyInitializer("lecun_normal"); },
     R"({"class_name": "LecunNormal", "config": {"seed": null}})"},
    {"orthogonal", [] { return I::AnyInitializer("orthogonal"); },
     R"({"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}})"},
    {"orthogonal_gain", [] { return I::AnyInitializer(I::Orthogonal({.gain = 0.5, .seed = 1})); },
     R"({"class_name": "Orthogonal", "config": {"gain": 0.5, "seed": 1}})"},
};

BOOST_DATA_TEST_CASE(serialize_writes_keras_json, data::make(initializer_cases), c) {
  CHECK_KERAS_JSON(I::serialize(c.make()), c.keras);
}

BOOST_DATA_TEST_CASE(deserialize_reads_keras_json_back, data::make(initializer_cases), c) {
  const I::AnyInitializer rebuilt = I::deserialize(Config::parse(c.keras));
  CHECK_KERAS_JSON(I::serialize(rebuilt), c.keras);
}

BOOST_AUTO_TEST_CASE(a_rebuilt_seeded_initializer_draws_the_same_values) {
  const I::AnyInitializer original(I::HeUniform({.seed = 9}));
  const I::AnyInitializer rebuilt = I::deserialize(I::serialize(original));
  check_close(rebuilt({4, 3}), original({4, 3}), 0.0, 0.0);
}

BOOST_AUTO_TEST_CASE(names_and_aliases_are_accepted_as_keras_does) {
  CHECK_KERAS_JSON(I::serialize(I::deserialize("he_normal")),
                   R"({"class_name": "HeNormal", "config": {"seed": null}})");
  CHECK_KERAS_JSON(I::serialize(I::deserialize(Config::parse(
                       R"({"class_name": "glorot_uniformV2", "config": {"seed": 5}})"))),
                   R"({"class_name": "GlorotUniform", "config": {"seed": 5}})");
  // "uniform" is Keras's alias of random_uniform; Keras's from_config drops "dtype".
  CHECK_KERAS_JSON(
      I::serialize(I::deserialize(Config::parse(
          R"({"class_name": "uniform", "config": {"maxval": 1, "dtype": "float32"}})"))),
      R"({"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 1.0, "seed": null}})");
}

BOOST_AUTO_TEST_CASE(bad_configs_throw_naming_what_is_wrong) {
  RNNKIT_CHECK_THROWS(I::deserialize(Config::parse(R"({"class_name": "Glorot", "config": {}})")),
                      std::invalid_argument, "unknown name \"Glorot\"", "GlorotUniform");
  RNNKIT_CHECK_THROWS(
      I::deserialize(Config::parse(R"({"class_name": "Orthogonal", "config": {"gian": 2}})")),
      std::invalid_argument, "Orthogonal config", "unknown key 'gian'", "gain");
  RNNKIT_CHECK_THROWS(
      I::deserialize(Config::parse(R"({"class_name": "RandomNormal", "config": {"stddev": "1"}})")),
      std::invalid_argument, "RandomNormal config", "key 'stddev' must be a number");
  RNNKIT_CHECK_THROWS(
      I::deserialize(Config::parse(R"({"class_name": "HeNormal", "config": {"seed": -1}})")),
      std::invalid_argument, "key 'seed' must be a non-negative integer");
  RNNKIT_CHECK_THROWS(I::deserialize(Config::parse(R"({"class_name": "Zeros"})")),
                      std::invalid_argument, "initializer: expected", "\"config\"");
  RNNKIT_CHECK_THROWS(I::deserialize(nullptr), std::invalid_argument, "initializer");
}

BOOST_AUTO_TEST_CASE(a_user_function_cannot_be_serialized) {
  const I::AnyInitializer function(
      [](const Shape& shape, DType dtype) { return Tensor::ones(shape, dtype); });
  RNNKIT_CHECK_THROWS(I::serialize(function), std::invalid_argument, "user function");
}

BOOST_AUTO_TEST_SUITE_END()

// ------------------------------------------------------------------ regularizers, constraints

BOOST_AUTO_TEST_SUITE(regularizers_and_constraints)

using RegularizerCase = Case<R::AnyRegularizer>;

// Factors are float32 in Keras, printed as the double of that float32.
const std::vector<RegularizerCase> regularizer_cases{
    {"none", [] { return R::AnyRegularizer(); }, "null"},
    {"l1", [] { return R::AnyRegularizer("l1"); },
     R"({"class_name": "L1", "config": {"l1": 0.009999999776482582}})"},
    {"l2_0.001", [] { return R::AnyRegularizer(R::L2(0.001)); },
     R"({"class_name": "L2", "config": {"l2": 0.0010000000474974513}})"},
    {"L1L2_class", [] { return R::AnyRegularizer("L1L2"); },
     R"({"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.0}})"},
    {"l1_l2_function", [] { return R::AnyRegularizer(R::l1_l2(1e-5, 1e-4)); },
     R"({"class_name": "L1L2", "config": {"l1": 9.999999747378752e-06, "l2": 9.999999747378752e-05}})"},
};

BOOST_DATA_TEST_CASE(regularizers_serialize_to_keras_json, data::make(regularizer_cases), c) {
  CHECK_KERAS_JSON(R::serialize(c.make()), c.keras);
  CHECK_KERAS_JSON(R::serialize(R::deserialize(Config::parse(c.keras))), c.keras);
}

BOOST_AUTO_TEST_CASE(regularizer_names_and_legacy_keys) {
  // Keras special-cases "l1_l2" to its function's defaults, 0.01 each.
  CHECK_KERAS_JSON(
      R::serialize(R::deserialize("l1_l2")),
      R"({"class_name": "L1L2", "config": {"l1": 0.009999999776482582, "l2": 0.009999999776482582}})");
  CHECK_KERAS_JSON(R::serialize(R::deserialize(
                       Config::parse(R"({"class_name": "l1_l2", "config": {"l1": 0.5}})"))),
                   R"({"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.009999999776482582}})");
  // The legacy keyword "l" wins over the factor; None means the default.
  CHECK_KERAS_JSON(R::serialize(R::deserialize(
                       Config::parse(R"({"class_name": "L2", "config": {"l2": 0.1, "l": 0.5}})"))),
                   R"({"class_name": "L2", "config": {"l2": 0.5}})");
  CHECK_KERAS_JSON(R::serialize(R::deserialize(
                       Config::parse(R"({"class_name": "L1", "config": {"l1": null}})"))),
                   R"({"class_name": "L1", "config": {"l1": 0.009999999776482582}})");
  RNNKIT_CHECK_THROWS(
      R::deserialize(Config::parse(R"({"class_name": "L1L2", "config": {"l": 0.5}})")),
      std::invalid_argument, "L1L2 config", "unknown key 'l'");
  RNNKIT_CHECK_THROWS(R::deserialize(Config::parse(R"({"class_name": "L3", "config": {}})")),
                      std::invalid_argument, "unknown name \"L3\"", "L1L2");
  RNNKIT_CHECK_THROWS(R::serialize([](const Tensor& x) { return sum(x); }), std::invalid_argument,
                      "user function");
}

using ConstraintCase = Case<C::AnyConstraint>;

const std::vector<ConstraintCase> constraint_cases{
    {"none", [] { return C::AnyConstraint(); }, "null"},
    {"max_norm", [] { return C::AnyConstraint("max_norm"); },
     R"({"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}})"},
    {"max_norm_1.5", [] { return C::AnyConstraint(C::MaxNorm({.max_value = 1.5, .axis = 1})); },
     R"({"class_name": "MaxNorm", "config": {"max_value": 1.5, "axis": 1}})"},
    {"non_neg", [] { return C::AnyConstraint("non_neg"); },
     R"({"class_name": "NonNeg", "config": {}})"},
    {"unit_norm", [] { return C::AnyConstraint(C::UnitNorm({.axis = -1})); },
     R"({"class_name": "UnitNorm", "config": {"axis": -1}})"},
    {"min_max_norm", [] { return C::AnyConstraint("min_max_norm"); },
     R"({"class_name": "MinMaxNorm", "config": {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}})"},
    {"radial", [] { return C::AnyConstraint("radial_constraint"); },
     R"({"class_name": "RadialConstraint", "config": {}})"},
};

BOOST_DATA_TEST_CASE(constraints_serialize_to_keras_json, data::make(constraint_cases), c) {
  CHECK_KERAS_JSON(C::serialize(c.make()), c.keras);
  CHECK_KERAS_JSON(C::serialize(C::deserialize(Config::parse(c.keras))), c.keras);
}

BOOST_AUTO_TEST_CASE(constraint_names_and_errors) {
  CHECK_KERAS_JSON(C::serialize(C::deserialize(
                       Config::parse(R"({"class_name": "maxnorm", "config": {"max_value": 3}})"))),
                   R"({"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}})");
  CHECK_KERAS_JSON(C::serialize(C::deserialize("unitnorm")),
                   R"({"class_name": "UnitNorm", "config": {"axis": 0}})");
  RNNKIT_CHECK_THROWS(
      C::deserialize(Config::parse(R"({"class_name": "MaxNorm", "config": {"axis": [0, 1]}})")),
      std::invalid_argument, "MaxNorm config", "key 'axis' must be a whole number");
  RNNKIT_CHECK_THROWS(
      C::deserialize(Config::parse(R"({"class_name": "NonNeg", "config": {"axis": 0}})")),
      std::invalid_argument, "NonNeg config", "unknown key 'axis'");
  RNNKIT_CHECK_THROWS(C::serialize([](const Tensor& w) { return w; }), std::invalid_argument,
                      "user function");
}

BOOST_AUTO_TEST_CASE(activations_are_written_by_name) {
  BOOST_TEST(activations::serialize(Activation("relu")).dump() == R"("relu")");
  BOOST_TEST(activations::serialize(Activation()).dump() == R"("linear")");
  BOOST_TEST(activations::serialize(Activation("silu")).dump() == R"("swish")");
  BOOST_TEST(activations::deserialize("hard_sigmoid").name() == "hard_sigmoid");
  BOOST_TEST(activations::deserialize(nullptr).name() == "linear");
  RNNKIT_CHECK_THROWS(activations::deserialize("tanhh"), std::invalid_argument,
                      "unknown name \"tanhh\"", "tanh");
  RNNKIT_CHECK_THROWS(activations::deserialize(3), std::invalid_argument, "expected a name");
  RNNKIT_CHECK_THROWS(activations::serialize(Activation("mine", [](const Tensor& x) { return x; })),
                      std::invalid_argument, "activation 'mine'", "built-in");
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------- losses

BOOST_AUTO_TEST_SUITE(losses)

using LossCase = Case<L::AnyLoss>;

const std::vector<LossCase> loss_cases{
    {"mse", [] { return L::AnyLoss("mse"); },
     R"({"class_name": "MeanSquaredError", "config": {"reduction": "auto", "name": "mean_squared_error"}})"},
    {"mae_sum", [] { return L::AnyLoss(L::MeanAbsoluteError({.reduction = L::Reduction::sum})); },
     R"({"class_name": "MeanAbsoluteError", "config": {"reduction": "sum", "name": "mean_absolute_error"}})"},
    {"bce_logits",
     [] {
       return L::AnyLoss(L::BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.1}));
     },
     R"({"class_name": "BinaryCrossentropy", "config": {"reduction": "auto", "name": "binary_crossentropy",
         "from_logits": true, "label_smoothing": 0.1, "axis": -1}})"},
    {"cce", [] { return L::AnyLoss("categorical_crossentropy"); },
     R"({"class_name": "CategoricalCrossentropy", "config": {"reduction": "auto",
         "name": "categorical_crossentropy", "from_logits": false, "label_smoothing": 0.0, "axis": -1}})"},
    {"scce_none",
     [] { return L::AnyLoss(L::SparseCategoricalCrossentropy({.reduction = L::Reduction::none})); },
     R"({"class_name": "SparseCategoricalCrossentropy", "config": {"reduction": "none",
         "name": "sparse_categorical_crossentropy", "from_logits": false}})"},
    {"none", [] { return L::AnyLoss(); }, "null"},
};

BOOST_DATA_TEST_CASE(losses_serialize_to_keras_json, data::make(loss_cases), c) {
  CHECK_KERAS_JSON(L::serialize(c.make()), c.keras);
  CHECK_KERAS_JSON(L::serialize(L::deserialize(Config::parse(c.keras))), c.keras);
}

BOOST_AUTO_TEST_CASE(a_rebuilt_loss_computes_the_same_value) {
  const L::AnyLoss original(L::BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.2}));
  const L::AnyLoss rebuilt = L::deserialize(L::serialize(original));
  const Tensor y = Tensor::from_values({2, 2}, {1.0, 0.0, 0.0, 1.0}, DType::f64);
  const Tensor logits = random_tensor({2, 2}, DType::f64, 4);
  check_close(rebuilt(y, logits), original(y, logits), 0.0, 0.0);
}

BOOST_AUTO_TEST_CASE(loss_names_and_errors) {
  BOOST_TEST(L::deserialize("mse").name() == "mean_squared_error");
  CHECK_KERAS_JSON(
      L::serialize(L::deserialize("MeanAbsoluteError")),
      R"({"class_name": "MeanAbsoluteError", "config": {"reduction": "auto", "name": "mean_absolute_error"}})");
  CHECK_KERAS_JSON(
      L::serialize(L::deserialize(Config::parse(
          R"({"class_name": "MeanSquaredError", "config": {"reduction": "sum_over_batch_size"}})"))),
      R"({"class_name": "MeanSquaredError", "config": {"reduction": "auto", "name": "mean_squared_error"}})");
  RNNKIT_CHECK_THROWS(L::deserialize("msee"), std::invalid_argument, "unknown name \"msee\"", "mse",
                      "MeanSquaredError");
  RNNKIT_CHECK_THROWS(L::deserialize(Config::parse(
                          R"({"class_name": "MeanSquaredError", "config": {"name": "my_mse"}})")),
                      std::invalid_argument, "MeanSquaredError config", "key 'name'", "my_mse");
  RNNKIT_CHECK_THROWS(L::deserialize(Config::parse(
                          R"({"class_name": "CategoricalCrossentropy", "config": {"axis": 1}})")),
                      std::invalid_argument, "key 'axis' must be -1");
  RNNKIT_CHECK_THROWS(
      L::deserialize(
          Config::parse(R"({"class_name": "MeanSquaredError", "config": {"reduction": "mean"}})")),
      std::invalid_argument, "key 'reduction' is invalid", "\"mean\"");
  RNNKIT_CHECK_THROWS(
      L::deserialize(
          Config::parse(R"({"class_name": "MeanSquaredError", "config": {"from_logits": true}})")),
      std::invalid_argument, "unknown key 'from_logits'");
  const L::AnyLoss function(
      [](const Tensor& y_true, const Tensor& y_pred) { return square(sub(y_pred, y_true)); });
  RNNKIT_CHECK_THROWS(L::serialize(function), std::invalid_argument, "user function");
}

BOOST_AUTO_TEST_SUITE_END()

// --------------------------------------------------------------------- schedules, optimizers

BOOST_AUTO_TEST_SUITE(optimizers)

using ScheduleCase = Case<std::shared_ptr<const optim::LearningRateSchedule>>;

const std::vector<ScheduleCase> schedule_cases{
    {"exponential", [] { return std::make_shared<optim::ExponentialDecay>(0.1, 1000, 0.96, true); },
     R"({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,
         "decay_steps": 1000, "decay_rate": 0.96, "staircase": true, "name": null}})"},
    {"inverse_time_named",
     [] { return std::make_shared<optim::InverseTimeDecay>(0.5, 2.5, 0.5, false, "itd"); },
     R"({"class_name": "InverseTimeDecay", "config": {"initial_learning_rate": 0.5,
         "decay_steps": 2.5, "decay_rate": 0.5, "staircase": false, "name": "itd"}})"},
    {"piecewise",
     [] {
       return std::make_shared<optim::PiecewiseConstantDecay>(std::vector<double>{100000, 110000},
                                                              std::vector<double>{1.0, 0.5, 0.1});
     },
     R"({"class_name": "PiecewiseConstantDecay", "config": {"boundaries": [100000, 110000],
         "values": [1.0, 0.5, 0.1], "name": null}})"},
};

BOOST_DATA_TEST_CASE(schedules_serialize_to_keras_json, data::make(schedule_cases), c) {
  const auto original = c.make();
  CHECK_KERAS_JSON(optim::serialize(*original), c.keras);
  const auto rebuilt = optim::deserialize_schedule(Config::parse(c.keras));
  CHECK_KERAS_JSON(optim::serialize(*rebuilt), c.keras);
  for (std::int64_t step : {0, 1, 7, 1000, 105000, 200000}) {
    BOOST_TEST((*rebuilt)(step) == (*original)(step));
  }
}

BOOST_AUTO_TEST_CASE(schedule_errors) {
  RNNKIT_CHECK_THROWS(
      optim::deserialize_schedule(Config::parse(R"({"class_name": "CosineDecay", "config": {}})")),
      std::invalid_argument, "unknown class name \"CosineDecay\"", "ExponentialDecay");
  RNNKIT_CHECK_THROWS(
      optim::deserialize_schedule(Config::parse(
          R"({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_rate": 0.5}})")),
      std::invalid_argument, "ExponentialDecay config", "key 'decay_steps' is required");
}

using OptimizerCase = Case<optim::AnyOptimizer>;

const std::vector<OptimizerCase> optimizer_cases{
    {"sgd", [] { return optim::AnyOptimizer(optim::SGD()); },
     R"({"class_name": "SGD", "config": {"name": "SGD", "learning_rate": 0.01, "decay": 0.0,
         "momentum": 0.0, "nesterov": false}})"},
    {"sgd_clipped",
     [] {
       return optim::AnyOptimizer(optim::SGD({.learning_rate = 0.1,
                                              .momentum = 0.9,
                                              .nesterov = true,
                                              .clipnorm = 1.0,
                                              .clipvalue = 0.5,
                                              .decay = 1e-4}));
     },
     R"({"class_name": "SGD", "config": {"name": "SGD", "clipnorm": 1.0, "clipvalue": 0.5,
         "learning_rate": 0.1, "decay": 0.0001, "momentum": 0.9, "nesterov": true}})"},
    {"adam", [] { return optim::AnyOptimizer(optim::Adam()); },
     R"({"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.001, "decay": 0.0,
         "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}})"},
    {"adam_schedule",
     [] {
       return optim::AnyOptimizer(
           optim::Adam({.learning_rate = optim::ExponentialDecay(0.01, 100, 0.5),
                        .epsilon = 0.0,
                        .amsgrad = true,
                        .name = "opt",
                        .global_clipnorm = 2.0}));
     },
     R"({"class_name": "Adam", "config": {"name": "opt", "global_clipnorm": 2.0,
         "learning_rate": {"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.01,
           "decay_steps": 100, "decay_rate": 0.5, "staircase": false, "name": null}},
         "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": true}})"},
    {"rmsprop", [] { return optim::AnyOptimizer(optim::RMSprop()); },
     R"({"class_name": "RMSprop", "config": {"name": "RMSprop", "learning_rate": 0.001, "decay": 0.0,
         "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07, "centered": false}})"},
    {"rmsprop_centered",
     [] {
       return optim::AnyOptimizer(
           optim::RMSprop({.rho = 0.8, .momentum = 0.5, .epsilon = 1e-6, .centered = true}));
     },
     R"({"class_name": "RMSprop", "config": {"name": "RMSprop", "learning_rate": 0.001, "decay": 0.0,
         "rho": 0.8, "momentum": 0.5, "epsilon": 1e-06, "centered": true}})"},
    {"adagrad", [] { return optim::AnyOptimizer(optim::Adagrad()); },
     R"({"class_name": "Adagrad", "config": {"name": "Adagrad", "learning_rate": 0.001,
         "decay": 0.0, "initial_accumulator_value": 0.1, "epsilon": 1e-07}})"},
};

BOOST_DATA_TEST_CASE(optimizers_serialize_to_keras_json, data::make(optimizer_cases), c) {
  CHECK_KERAS_JSON(optim::serialize(*c.make()), c.keras);
  const optim::AnyOptimizer rebuilt = optim::deserialize(Config::parse(c.keras));
  CHECK_KERAS_JSON(optim::serialize(*rebuilt), c.keras);
  BOOST_TEST(rebuilt->iterations() == 0);
}

// A few steps of minimizing Σ w² from fixed values; the weights afterwards.
std::vector<double> train(optim::Optimizer& optimizer, int steps) {
  Variable w("w:0", Tensor::from_values({4}, {0.5, -1.5, 2.0, -0.25}, DType::f64));
  for (int i = 0; i < steps; ++i) {
    w.zero_grad();
    sum(square(w.value())).backward();
    optimizer.apply({w});
  }
  return w.value().to_vector();
}

BOOST_DATA_TEST_CASE(a_rebuilt_optimizer_takes_the_same_steps, data::make(optimizer_cases), c) {
  const optim::AnyOptimizer original = c.make();
  const optim::AnyOptimizer rebuilt = optim::deserialize(optim::serialize(*original));
  BOOST_TEST(train(*rebuilt, 5) == train(*original, 5), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_trained_optimizer_writes_the_values_it_computes_with) {
  // Keras would now print beta_1 as 0.8999999761581421, the float32 it trains with; rnnkit trains
  // with the double 0.9, and a resumed run must use the same.
  optim::Adam adam;
  train(adam, 3);
  CHECK_KERAS_JSON(optim::serialize(adam),
                   R"({"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.001,
                       "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
                       "amsgrad": false}})");
}

BOOST_AUTO_TEST_CASE(optimizer_names_legacy_keys_and_errors) {
  // Keras matches built-in class names case-insensitively, renames the legacy "lr", and replaces
  // a null epsilon by 1e-7.
  CHECK_KERAS_JSON(
      optim::serialize(*optim::deserialize(Config::parse(
          R"({"class_name": "adam", "config": {"lr": 0.5, "learning_rate": 0.1, "epsilon": null}})"))),
      R"({"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.5, "decay": 0.0,
          "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}})");
  BOOST_TEST(optim::deserialize("rmsprop")->class_name() == "RMSprop");
  RNNKIT_CHECK_THROWS(optim::deserialize(Config::parse(R"({"class_name": "Nadam", "config": {}})")),
                      std::invalid_argument, "unknown class name \"Nadam\"", "Adagrad");
  RNNKIT_CHECK_THROWS(optim::deserialize(Config::parse(
                          R"({"class_name": "SGD", "config": {"weight_decay": 0.1}})")),
                      std::invalid_argument, "SGD config", "unknown key 'weight_decay'");
  RNNKIT_CHECK_THROWS(optim::deserialize(Config::parse(
                          R"({"class_name": "SGD", "config": {"learning_rate": "fast"}})")),
                      std::invalid_argument, "SGD config", "key 'learning_rate' is invalid");
  RNNKIT_CHECK_THROWS(
      optim::deserialize(Config::parse(R"({"class_name": "Adam", "config": {"amsgrad": 1}})")),
      std::invalid_argument, "key 'amsgrad' must be true or false");
  const optim::SGD callable(
      {.learning_rate = [](std::int64_t step) { return 0.1 / (1.0 + step); }});
  RNNKIT_CHECK_THROWS(optim::serialize(callable), std::invalid_argument,
                      "callable learning rate cannot be serialized");
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------- layers

BOOST_AUTO_TEST_SUITE(layers_as_data)

// Keras 2.9's SimpleRNNCell(2, name="cell").get_config().
constexpr const char* default_cell_config = R"({"name": "cell", "trainable": true,
  "dtype": "float32", "units": 2, "activation": "tanh", "use_bias": true,
  "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
  "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
  "bias_initializer": {"class_name": "Zeros", "config": {}},
  "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
  "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
  "dropout": 0.0, "recurrent_dropout": 0.0})";

BOOST_AUTO_TEST_CASE(simple_rnn_default_config) {
  const layers::SimpleRNN rnn({.units = 4, .name = "simple_rnn"});
  CHECK_KERAS_JSON(layers::serialize(rnn), R"({"class_name": "SimpleRNN", "config": {
    "name": "simple_rnn", "trainable": true, "dtype": "float32", "return_sequences": false,
    "return_state": false, "go_backwards": false, "stateful": false, "unroll": false,
    "time_major": false, "units": 4, "activation": "tanh", "use_bias": true,
    "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
    "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
    "bias_initializer": {"class_name": "Zeros", "config": {}},
    "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
    "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null,
    "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0}})");
}

layers::SimpleRNNOptions non_default_options() {
  return {.units = 3,
          .activation = "relu",
          .use_bias = false,
          .kernel_initializer = I::HeNormal({.seed = 5}),
          .recurrent_initializer = I::Identity({.gain = 0.5}),
          .bias_initializer = I::Constant(0.1),
          .kernel_regularizer = R::l2(0.01),
          .recurrent_regularizer = R::L1(0.001),
          .bias_regularizer = "l1_l2",
          .activity_regularizer = R::L2(1e-5),
          .kernel_constraint = C::MaxNorm({.max_value = 3.0}),
          .recurrent_constraint = C::UnitNorm({.axis = 1}),
          .bias_constraint = "non_neg",
          .dropout = 0.25,
          .recurrent_dropout = 0.5,
          .return_sequences = true,
          .return_state = true,
          .go_backwards = true,
          .stateful = true,
          .unroll = true,
          .time_major = true,
          .zero_output_for_mask = true,
          .name = "rnn_b",
          .dtype = DType::f64,
          .trainable = false};
}

constexpr const char* non_default_config = R"({"class_name": "SimpleRNN", "config": {
  "name": "rnn_b", "trainable": false, "dtype": "float64", "return_sequences": true,
  "return_state": true, "go_backwards": true, "stateful": true, "unroll": true,
  "time_major": true, "zero_output_for_mask": true, "units": 3, "activation": "relu",
  "use_bias": false,
  "kernel_initializer": {"class_name": "HeNormal", "config": {"seed": 5}},
  "recurrent_initializer": {"class_name": "Identity", "config": {"gain": 0.5}},
  "bias_initializer": {"class_name": "Constant", "config": {"value": 0.1}},
  "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.009999999776482582}},
  "recurrent_regularizer": {"class_name": "L1", "config": {"l1": 0.0010000000474974513}},
  "bias_regularizer": {"class_name": "L1L2", "config": {"l1": 0.009999999776482582, "l2": 0.009999999776482582}},
  "activity_regularizer": {"class_name": "L2", "config": {"l2": 9.999999747378752e-06}},
  "kernel_constraint": {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}},
  "recurrent_constraint": {"class_name": "UnitNorm", "config": {"axis": 1}},
  "bias_constraint": {"class_name": "NonNeg", "config": {}},
  "dropout": 0.25, "recurrent_dropout": 0.5}})";

BOOST_AUTO_TEST_CASE(simple_rnn_non_default_config) {
  const layers::SimpleRNN rnn(non_default_options());
  CHECK_KERAS_JSON(layers::serialize(rnn), non_default_config);
  const auto rebuilt = layers::deserialize(Config::parse(non_default_config));
  BOOST_TEST(rebuilt->class_name() == "SimpleRNN");
  BOOST_TEST(rebuilt->dtype() == DType::f64);
  CHECK_KERAS_JSON(layers::serialize(*rebuilt), non_default_config);
}

BOOST_AUTO_TEST_CASE(a_seed_is_written_last_only_when_given) {
  const layers::SimpleRNN rnn({.units = 1, .seed = 9, .name = "seeded"});
  const Config config = rnn.get_config();
  BOOST_TEST(config.back() == 9);
  BOOST_TEST(std::prev(config.end()).key() == "seed");
  CHECK_KERAS_JSON(layers::serialize(*layers::deserialize(layers::serialize(rnn))),
                   layers::serialize(rnn).dump());
  BOOST_TEST(!layers::SimpleRNN(1).get_config().contains("seed"));
}

BOOST_AUTO_TEST_CASE(simple_rnn_cell_config) {
  const layers::SimpleRNNCell cell({.units = 2, .name = "cell"});
  CHECK_KERAS_JSON(cell.get_config(), default_cell_config);
  const auto rebuilt = layers::deserialize(layers::serialize(cell));
  BOOST_TEST(rebuilt->class_name() == "SimpleRNNCell");
  CHECK_KERAS_JSON(rebuilt->get_config(), default_cell_config);
}

BOOST_AUTO_TEST_CASE(rnn_of_a_cell_config) {
  const layers::RNN rnn(layers::SimpleRNNCell({.units = 2, .name = "cell"}),
                        {.return_sequences = true, .name = "rnn"});
  const std::string expected =
      R"({"class_name": "RNN", "config": {"name": "rnn", "trainable": true, "dtype": "float32",
          "return_sequences": true, "return_state": false, "go_backwards": false,
          "stateful": false, "unroll": false, "time_major": false,
          "cell": {"class_name": "SimpleRNNCell", "config": )" +
      std::string(default_cell_config) + "}}}";
  CHECK_KERAS_JSON(layers::serialize(rnn), expected);
  const auto rebuilt = layers::deserialize(Config::parse(expected));
  CHECK_KERAS_JSON(layers::serialize(*rebuilt), expected);
}

BOOST_AUTO_TEST_CASE(rnn_writes_an_activity_regularizer_keras_would_lose) {
  const layers::RNN rnn(layers::SimpleRNNCell({.units = 2, .name = "cell"}),
                        {.activity_regularizer = R::L1(0.5), .name = "rnn"});
  const Config config = rnn.get_config();
  const std::vector<std::string> keys = [&] {
    std::vector<std::string> out;
    for (const auto& item : config.items()) out.push_back(item.key());
    return out;
  }();
  const std::vector<std::string> expected_keys{
      "name",     "trainable", "dtype",      "return_sequences",     "return_state", "go_backwards",
      "stateful", "unroll",    "time_major", "activity_regularizer", "cell"};
  BOOST_TEST(keys == expected_keys, boost::test_tools::per_element());
  CHECK_KERAS_JSON(layers::serialize(*layers::deserialize(layers::serialize(rnn))),
                   layers::serialize(rnn).dump());
}

BOOST_AUTO_TEST_CASE(dense_config) {
  const layers::Dense dense({.units = 5, .name = "dense"});
  const std::string expected = R"({"class_name": "Dense", "config": {"name": "dense",
    "trainable": true, "dtype": "float32", "units": 5, "activation": "linear", "use_bias": true,
    "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
    "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
    "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
    "bias_constraint": null}})";
  CHECK_KERAS_JSON(layers::serialize(dense), expected);
  CHECK_KERAS_JSON(layers::serialize(*layers::deserialize(Config::parse(expected))), expected);
}

// A rebuilt layer given the original's weights computes the same outputs.
void check_same_outputs(layers::Layer& original, const Tensor& x) {
  const Tensor expected = original.forward(x, {}, false).outputs[0];
  const auto rebuilt = layers::deserialize(layers::serialize(original));
  rebuilt->forward(x, {}, false);
  rebuilt->set_weights(original.get_weights());
  check_close(rebuilt->forward(x, {}, false).outputs[0], expected, 0.0, 0.0);
}

BOOST_AUTO_TEST_CASE(rebuilt_layers_with_the_same_weights_give_the_same_outputs) {
  const Tensor sequences = random_tensor({2, 5, 3}, DType::f32, 7);
  layers::SimpleRNN simple_rnn({.units = 4,
                                .activation = "sigmoid",
                                .kernel_regularizer = "l2",
                                .return_sequences = true,
                                .go_backwards = true,
                                .name = "a"});
  check_same_outputs(simple_rnn, sequences);
  layers::RNN rnn(layers::SimpleRNNCell({.units = 3, .activation = "relu"}), {.name = "b"});
  check_same_outputs(rnn, sequences);
  layers::Dense dense({.units = 2, .activation = "tanh", .name = "c"});
  check_same_outputs(dense, sequences);

  layers::SimpleRNNCell cell({.units = 3, .name = "d"});
  const Tensor step = random_tensor({2, 3}, DType::f32, 8);
  const std::vector<Tensor> state{random_tensor({2, 3}, DType::f32, 9)};
  const Tensor expected = cell(step, state).output;
  auto rebuilt = layers::SimpleRNNCell::from_config(cell.get_config());
  rebuilt(step, state);
  rebuilt.set_weights(cell.get_weights());
  check_close(rebuilt(step, state).output, expected, 0.0, 0.0);
}

BOOST_AUTO_TEST_CASE(legacy_keys_keras_drops_are_accepted) {
  const auto rnn = layers::deserialize(Config::parse(
      R"({"class_name": "SimpleRNN", "config": {"units": 2, "implementation": 1,
          "enable_caching_device": false}})"));
  BOOST_TEST(rnn->get_config().at("units") == 2);
  BOOST_TEST(
      layers::deserialize(
          Config::parse(R"({"class_name": "Dense", "config": {"units": 1, "implementation": 2}})"))
          ->class_name() == "Dense");
}

BOOST_AUTO_TEST_CASE(unknown_classes_and_malformed_configs_throw) {
  RNNKIT_CHECK_THROWS(layers::deserialize(Config::parse(R"({"class_name": "LSTM", "config": {}})")),
                      std::invalid_argument, "unknown class_name \"LSTM\"", "Dense", "RNN",
                      "SimpleRNN", "SimpleRNNCell");
  RNNKIT_CHECK_THROWS(layers::deserialize(Config::parse(R"("Dense")")), std::invalid_argument,
                      "layer: expected");
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(R"({"class_name": "SimpleRNN", "config": {"name": "x"}})")),
      std::invalid_argument, "SimpleRNN config", "key 'units' is required");
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(R"({"class_name": "Dense", "config": {"units": "4"}})")),
      std::invalid_argument, "Dense config", "key 'units' must be a whole number");
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(R"({"class_name": "Dense", "config": {"units": 2.5}})")),
      std::invalid_argument, "key 'units' must be a whole number");
  RNNKIT_CHECK_THROWS(layers::deserialize(Config::parse(
                          R"({"class_name": "Dense", "config": {"units": 4, "use_bais": false}})")),
                      std::invalid_argument, "Dense config", "unknown key 'use_bais'", "use_bias");
  // The model reads an input shape; a layer does not take one.
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(
          R"({"class_name": "SimpleRNN", "config": {"units": 4, "batch_input_shape": [null, 5, 3]}})")),
      std::invalid_argument, "unknown key 'batch_input_shape'");
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(
          R"({"class_name": "SimpleRNN", "config": {"units": 4, "kernel_initializer": {"class_name": "Foo", "config": {}}}})")),
      std::invalid_argument, "SimpleRNN config: key 'kernel_initializer' is invalid",
      "unknown name \"Foo\"");
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(
          R"({"class_name": "SimpleRNNCell", "config": {"units": 4, "activation": "tanhh"}})")),
      std::invalid_argument, "key 'activation' is invalid", "unknown name \"tanhh\"");
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(
          R"({"class_name": "Dense", "config": {"units": 4, "dtype": "mixed_float16"}})")),
      std::invalid_argument, "key 'dtype' is invalid", "float32");
  // Keras clamps a rate into [0, 1]; rnnkit refuses one outside [0, 1) (spec §1.1).
  RNNKIT_CHECK_THROWS(
      layers::deserialize(
          Config::parse(R"({"class_name": "SimpleRNN", "config": {"units": 4, "dropout": 1.0}})")),
      std::invalid_argument, "dropout", "[0, 1)");
}

BOOST_AUTO_TEST_CASE(rnn_config_errors) {
  RNNKIT_CHECK_THROWS(layers::deserialize(Config::parse(R"({"class_name": "RNN", "config": {}})")),
                      std::invalid_argument, "RNN config", "key 'cell' is required");
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(
          R"({"class_name": "RNN", "config": {"cell": {"class_name": "Dense", "config": {"units": 2}}}})")),
      std::invalid_argument, "key 'cell' is invalid", "expected an RNN cell, got a Dense layer");
  RNNKIT_CHECK_THROWS(layers::deserialize(Config::parse(
                          R"({"class_name": "RNN", "config": {"dtype": "float64",
              "cell": {"class_name": "SimpleRNNCell", "config": {"units": 2}}}})")),
                      std::invalid_argument, "key 'dtype' must be the cell's dtype float32",
                      "float64");
  RNNKIT_CHECK_THROWS(layers::deserialize(Config::parse(
                          R"({"class_name": "RNN", "config": {"num_constants": 1,
              "cell": {"class_name": "SimpleRNNCell", "config": {"units": 2}}}})")),
                      std::invalid_argument, "key 'num_constants' must be 0");
}

BOOST_AUTO_TEST_CASE(get_config_names_the_key_of_a_user_function) {
  const layers::SimpleRNN rnn({.units = 2,
                               .activation = Activation("mine", [](const Tensor& x) { return x; }),
                               .name = "f"});
  RNNKIT_CHECK_THROWS(rnn.get_config(), std::invalid_argument, "SimpleRNN 'f': get_config",
                      "key 'activation'", "activation 'mine'");
  const layers::Dense dense(
      {.units = 2,
       .kernel_initializer = [](const Shape& shape,
                                DType dtype) { return Tensor::ones(shape, dtype); },
       .name = "g"});
  RNNKIT_CHECK_THROWS(dense.get_config(), std::invalid_argument, "Dense 'g': get_config",
                      "key 'kernel_initializer'", "user function");
}

BOOST_AUTO_TEST_SUITE_END()

#define BOOST_TEST_MODULE losses
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/ops.h>

#include "test_support.h"

// Loss values against two independent oracles: the examples printed in the Keras 2.9 docstrings
// of tf.keras.losses (3-4 significant digits), and the formulas of spec §9 evaluated here in
// plain doubles. Gradients are covered by ops_gradcheck.

using namespace rnnkit;
using namespace rnnkit::losses;
using rnnkit::testing::check_close;
namespace data = boost::unit_test::data;

namespace {

constexpr double eps = 1e-7;

Tensor f64(Shape shape, std::vector<double> values) {
  return Tensor::from_values(std::move(shape), values, DType::f64);
}

Tensor labels(std::vector<double> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return Tensor::from_values({n}, values, DType::i64);
}

// The docstring examples: 3 significant digits.
void check_doc(const Tensor& actual, std::vector<double> expected) {
  check_close(actual, f64(actual.shape(), expected), 1e-3, 1e-3);
}

// Row-wise loss over a [rows, cols] pair from a per-element formula, averaged over cols.
template <class F>
std::vector<double> row_means(const Tensor& y_true, const Tensor& y_pred, F element) {
  const auto t = y_true.to_vector(), p = y_pred.to_vector();
  const auto cols = static_cast<std::size_t>(y_pred.size(-1));
  std::vector<double> out(t.size() / cols, 0.0);
  for (std::size_t i = 0; i < t.size(); ++i) out[i / cols] += element(t[i], p[i]) / cols;
  return out;
}

double log_sum_exp(const std::vector<double>& row) {
  const double top = *std::max_element(row.begin(), row.end());
  double total = 0;
  for (double v : row) total += std::exp(v - top);
  return top + std::log(total);
}

}  // namespace

// ---------------------------------------------------------------- Keras docstring examples

BOOST_AUTO_TEST_CASE(mean_squared_and_absolute_error_match_the_keras_examples) {
  const Tensor y_true = f64({2, 2}, {0, 1, 0, 0});
  const Tensor y_pred = f64({2, 2}, {1, 1, 1, 0});
  const Tensor weights = f64({2}, {0.7, 0.3});
  for (const AnyLoss& loss : {AnyLoss("mse"), AnyLoss("mae")}) {
    BOOST_TEST_CONTEXT(loss.name()) {
      check_doc(loss(y_true, y_pred), {0.5});
      check_doc(loss(y_true, y_pred, weights), {0.25});
    }
  }
  check_doc(MeanSquaredError({.reduction = Reduction::sum})(y_true, y_pred), {1.0});
  check_doc(MeanAbsoluteError({.reduction = Reduction::none})(y_true, y_pred), {0.5, 0.5});
  check_doc(mean_squared_error(y_true, y_pred), {0.5, 0.5});
}

BOOST_AUTO_TEST_CASE(binary_crossentropy_matches_the_keras_examples) {
  const Tensor y_true = f64({2, 2}, {0, 1, 0, 0});
  const Tensor y_pred = f64({2, 2}, {0.6, 0.4, 0.4, 0.6});
  check_doc(BinaryCrossentropy()(y_true, y_pred), {0.815});
  check_doc(BinaryCrossentropy()(y_true, y_pred, f64({2}, {1, 0})), {0.458});
  check_doc(BinaryCrossentropy({.reduction = Reduction::sum})(y_true, y_pred), {1.630});
  check_doc(BinaryCrossentropy({.reduction = Reduction::none})(y_true, y_pred), {0.916, 0.714});
  check_doc(BinaryCrossentropy({.from_logits = true})(f64({4}, {0, 1, 0, 0}),
                                                      f64({4}, {-18.6, 0.51, 2.94, -12.8})),
            {0.865});
}

BOOST_AUTO_TEST_CASE(categorical_crossentropies_match_the_keras_examples) {
  const Tensor one_hot_true = f64({2, 3}, {0, 1, 0, 0, 0, 1});
  const Tensor sparse_true = labels({1, 2});
  const Tensor y_pred = f64({2, 3}, {0.05, 0.95, 0, 0.1, 0.8, 0.1});
  const Tensor weights = f64({2}, {0.3, 0.7});
  const std::vector<std::pair<AnyLoss, Tensor>> cases{
      {CategoricalCrossentropy(), one_hot_true},
      {SparseCategoricalCrossentropy(), sparse_true},
  };
  for (const auto& [loss, y_true] : cases) {
    BOOST_TEST_CONTEXT(loss.name()) {
      check_doc(loss(y_true, y_pred), {1.177});
      check_doc(loss(y_true, y_pred, weights), {0.814});
    }
  }
  check_doc(CategoricalCrossentropy({.reduction = Reduction::sum})(one_hot_true, y_pred),
            {2.354});
  check_doc(SparseCategoricalCrossentropy({.reduction = Reduction::none})(sparse_true, y_pred),
            {0.0513, 2.303});
}

// ---------------------------------------------------------------- spec §9 formulas

BOOST_AUTO_TEST_CASE(binary_crossentropy_clips_and_adds_epsilon_inside_the_logs) {
  const Tensor y_true = f64({2, 3}, {1, 0, 1, 0, 1, 0.25});
  const Tensor y_pred = f64({2, 3}, {1.0, 0.0, 0.0, 1.0, 0.3, 0.8});
  const auto element = [](double ls) {
    return [ls](double y, double yhat) {
      y = y * (1 - ls) + 0.5 * ls;
      const double p = std::clamp(yhat, eps, 1 - eps);
      return -(y * std::log(p + eps) + (1 - y) * std::log(1 - p + eps));
    };
  };
  check_close(binary_crossentropy(y_true, y_pred), f64({2}, row_means(y_true, y_pred, element(0))),
              1e-12, 0);
  check_close(binary_crossentropy(y_true, y_pred, {.label_smoothing = 0.2}),
              f64({2}, row_means(y_true, y_pred, element(0.2))), 1e-12, 0);
}

BOOST_AUTO_TEST_CASE(binary_crossentropy_from_logits_is_the_stable_formula) {
  const Tensor y_true = f64({2, 3}, {1, 0, 1, 0, 1, 0.25});
  const Tensor logits = f64({2, 3}, {-40, 40, 0, 3.5, -0.2, 1});
  const auto element = [](double ls) {
    return [ls](double y, double x) {
      y = y * (1 - ls) + 0.5 * ls;
      return std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::abs(x)));
    };
  };
  for (DType dtype : {DType::f64, DType::f32}) {
    check_close(binary_crossentropy(y_true.to(dtype), logits.to(dtype), {.from_logits = true}),
                f64({2}, row_means(y_true, logits, element(0))), 1e-6, 1e-12);
    check_close(binary_crossentropy(y_true.to(dtype), logits.to(dtype),
                                    {.from_logits = true, .label_smoothing = 0.1}),
                f64({2}, row_means(y_true, logits, element(0.1))), 1e-6, 1e-12);
  }
  // From probabilities the same numbers up to the eps terms.
  const Tensor moderate = f64({2, 3}, {-3, 2, 0, 3.5, -0.2, 1});
  check_close(binary_crossentropy(y_true, sigmoid(moderate)),
              binary_crossentropy(y_true, moderate, {.from_logits = true}), 1e-5, 0);
}

BOOST_AUTO_TEST_CASE(categorical_crossentropy_renormalises_then_clips) {
  const std::vector<double> t{0, 1, 0, 0.2, 0.3, 0.5};
  const std::vector<double> p{0.0, 2.0, 2.0, 0.5, 0.25, 1.25};
  const double ls = 0.3;
  std::vector<double> plain(2), smoothed(2), logits_loss(2);
  for (std::size_t r = 0; r < 2; ++r) {
    const std::vector<double> row(p.begin() + 3 * r, p.begin() + 3 * r + 3);
    const double total = row[0] + row[1] + row[2];
    const double lse = log_sum_exp(row);
    for (std::size_t c = 0; c < 3; ++c) {
      const double q = std::log(std::clamp(row[c] / total, eps, 1 - eps));
      plain[r] -= t[3 * r + c] * q;
      smoothed[r] -= (t[3 * r + c] * (1 - ls) + ls / 3) * q;
      logits_loss[r] -= t[3 * r + c] * (row[c] - lse);
    }
  }
  const Tensor y_true = f64({2, 3}, t), y_pred = f64({2, 3}, p);
  check_close(categorical_crossentropy(y_true, y_pred), f64({2}, plain), 1e-12, 0);
  check_close(categorical_crossentropy(y_true, y_pred, {.label_smoothing = ls}),
              f64({2}, smoothed), 1e-12, 0);
  check_close(categorical_crossentropy(y_true, y_pred, {.from_logits = true}),
              f64({2}, logits_loss), 1e-12, 0);
}

BOOST_AUTO_TEST_CASE(sparse_categorical_crossentropy_clips_then_renormalises) {
  // Row 0 is where the order matters: renormalising after the clip gives -log(eps / (2 - eps)),
  // where categorical_crossentropy's clip after renormalising gives -log(eps).
  const Tensor y_pred = f64({2, 3}, {0.0, 2.0, 2.0, 0.5, 0.25, 1.25});
  const double row0 = -std::log(eps / (eps + 2 * (1 - eps)));
  const double row1 = -std::log(0.25 / (0.5 + 0.25 + 1.0 - eps));
  const Tensor expected = f64({2}, {row0, row1});
  check_close(sparse_categorical_crossentropy(labels({0, 1}), y_pred), expected, 1e-12, 0);
  check_close(sparse_categorical_crossentropy(labels({0, 1}).reshape({2, 1}), y_pred), expected,
              1e-12, 0);
  check_close(sparse_categorical_crossentropy(f64({2}, {0, 1}), y_pred), expected, 1e-12, 0);
  BOOST_TEST(categorical_crossentropy(f64({1, 3}, {1, 0, 0}), select(y_pred, 0, 0).reshape({1, 3}))
                 .item() == -std::log(eps),
             boost::test_tools::tolerance(1e-12));
  const std::vector<double> x{1.0, -2.0, 0.5, 3.0, 3.0, -1.0};
  const Tensor from_logits = sparse_categorical_crossentropy(labels({2, 0}), f64({2, 3}, x), true);
  check_close(from_logits,
              f64({2}, {log_sum_exp({1.0, -2.0, 0.5}) - 0.5, log_sum_exp({3.0, 3.0, -1.0}) - 3.0}),
              1e-12, 0);
}

BOOST_AUTO_TEST_CASE(sequence_outputs_reduce_over_batch_and_time) {
  // [B, T, U] = [2, 3, 1]: sum_over_batch_size is the mean over B*T = 6 per-sample losses.
  const Tensor y_true = f64({2, 3, 1}, {0, 1, 2, 3, 4, 5});
  const Tensor y_pred = f64({2, 3, 1}, {1, 1, 1, 1, 1, 1});
  const double squares = 1 + 0 + 1 + 4 + 9 + 16;
  BOOST_TEST(MeanSquaredError()(y_true, y_pred).item() == squares / 6,
             boost::test_tools::tolerance(1e-12));
  // A [B] weight spreads over time: (1 * (1 + 0 + 1) + 2 * (4 + 9 + 16)) / 6.
  BOOST_TEST(MeanSquaredError()(y_true, y_pred, f64({2}, {1, 2})).item() == (2 + 2 * 29) / 6.0,
             boost::test_tools::tolerance(1e-12));
  // A [B, T] weight (a mask) zeroes steps but they still count in the denominator (Keras 2.9).
  BOOST_TEST(MeanSquaredError()(y_true, y_pred, f64({2, 3}, {1, 1, 0, 1, 0, 0})).item() ==
                 (1 + 0 + 4) / 6.0,
             boost::test_tools::tolerance(1e-12));
  const Tensor logits = rnnkit::testing::random_tensor({2, 3, 4});
  const Tensor steps = Tensor::from_values({2, 3}, {0, 1, 2, 3, 0, 1}, DType::i64);
  const Tensor per_step = sparse_categorical_crossentropy(steps, logits, true);
  BOOST_TEST((per_step.shape() == Shape{2, 3}));
  BOOST_TEST(SparseCategoricalCrossentropy({.from_logits = true})(steps, logits).item() ==
                 mean(per_step).item(),
             boost::test_tools::tolerance(1e-12));
}

// ---------------------------------------------------------------- reductions and weights

BOOST_AUTO_TEST_CASE(compute_weighted_loss_follows_keras_reduction_rules) {
  const Tensor losses = f64({4}, {1, 2, 3, 4});
  BOOST_TEST(compute_weighted_loss(losses).item() == 2.5);
  BOOST_TEST(compute_weighted_loss(losses, {}, Reduction::sum).item() == 10.0);
  check_close(compute_weighted_loss(losses, f64({4, 1}, {1, 0, 2, 0}), Reduction::none),
              f64({4}, {1, 0, 6, 0}), 0, 1e-15);
  BOOST_TEST(compute_weighted_loss(losses, Tensor::scalar(2.0, DType::f64)).item() == 5.0);
  BOOST_TEST(compute_weighted_loss(Tensor::zeros({0}, DType::f64)).item() == 0.0);
  BOOST_TEST(fmt::format("{} {} {}", reduction_name(Reduction::none), reduction_name(Reduction::sum),
                         reduction_name(Reduction::sum_over_batch_size)) ==
             "none sum sum_over_batch_size");
  RNNKIT_CHECK_THROWS(compute_weighted_loss(losses, f64({3}, {1, 1, 1})), std::invalid_argument,
                      "compute_weighted_loss", "sample_weight", "[4]", "got [3]");
  RNNKIT_CHECK_THROWS(compute_weighted_loss(losses, Tensor::ones({4})), std::invalid_argument,
                      "sample_weight", "float64", "float32");
}

BOOST_AUTO_TEST_CASE(loss_objects_accept_targets_lacking_the_trailing_one) {
  // What compile does for fit(x, y) with y of shape [B] and a Dense(1) output.
  const Tensor y_pred = f64({3, 1}, {1, 2, 3});
  const Tensor flat = f64({3}, {1, 0, 0});
  BOOST_TEST(MeanSquaredError()(flat, y_pred).item() == (0 + 4 + 9) / 3.0,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(MeanSquaredError()(flat.reshape({3, 1, 1}), y_pred).item() == 13 / 3.0,
             boost::test_tools::tolerance(1e-12));
  RNNKIT_CHECK_THROWS(mean_squared_error(flat, y_pred), std::invalid_argument,
                      "mean_squared_error", "shape [3, 1]", "got [3]");
}

// ---------------------------------------------------------------- errors and names

BOOST_AUTO_TEST_CASE(mismatches_throw_naming_the_loss_expected_and_given) {
  const Tensor y_pred = f64({2, 3}, {0.2, 0.3, 0.5, 0.1, 0.1, 0.8});
  const auto version = y_pred.version();
  RNNKIT_CHECK_THROWS(mean_absolute_error(f64({3, 2}, {0, 0, 0, 0, 0, 0}), y_pred),
                      std::invalid_argument, "mean_absolute_error", "[2, 3]", "got [3, 2]");
  RNNKIT_CHECK_THROWS(binary_crossentropy(Tensor::zeros({2, 3}), y_pred), std::invalid_argument,
                      "binary_crossentropy", "float64", "got float32");
  RNNKIT_CHECK_THROWS(categorical_crossentropy(Tensor::zeros({2, 3}, DType::f64), y_pred,
                                               {.label_smoothing = 1.5}),
                      std::invalid_argument, "categorical_crossentropy", "label_smoothing",
                      "[0, 1]", "1.5");
  RNNKIT_CHECK_THROWS(BinaryCrossentropy({.label_smoothing = -0.1}), std::invalid_argument,
                      "BinaryCrossentropy", "label_smoothing", "-0.1");
  RNNKIT_CHECK_THROWS(mean_squared_error(Tensor::scalar(1, DType::f64),
                                         Tensor::scalar(1, DType::f64)),
                      std::invalid_argument, "mean_squared_error", "rank >= 1");
  RNNKIT_CHECK_THROWS(mean_squared_error(y_pred, Tensor::zeros({2, 3}, DType::i64)),
                      std::invalid_argument, "mean_squared_error", "y_pred", "int64");
  RNNKIT_CHECK_THROWS(sparse_categorical_crossentropy(labels({0, 3}), y_pred),
                      std::invalid_argument, "sparse_categorical_crossentropy", "[0, 3)", "got 3",
                      "index 1");
  RNNKIT_CHECK_THROWS(sparse_categorical_crossentropy(labels({0, 1, 2}), y_pred),
                      std::invalid_argument, "sparse_categorical_crossentropy", "[2] or [2, 1]",
                      "got [3]");
  RNNKIT_CHECK_THROWS(sparse_categorical_crossentropy(f64({2}, {0, 1.5}), y_pred),
                      std::invalid_argument, "sparse_categorical_crossentropy", "integer", "1.5");
  RNNKIT_CHECK_THROWS(sparse_categorical_crossentropy(Tensor::ones({2}, DType::boolean), y_pred),
                      std::invalid_argument, "sparse_categorical_crossentropy", "int64", "bool");
  RNNKIT_CHECK_THROWS(MeanSquaredError()(y_pred, y_pred, f64({3}, {1, 1, 1})),
                      std::invalid_argument, "mean_squared_error", "sample_weight", "[2]",
                      "got [3]");
  BOOST_TEST(y_pred.version() == version);
  BOOST_TEST((y_pred.to_vector() == std::vector<double>{0.2, 0.3, 0.5, 0.1, 0.1, 0.8}));
}

struct KerasName {
  std::string alias;
  std::string canonical;
};

std::ostream& operator<<(std::ostream& out, const KerasName& n) { return out << n.alias; }

const std::vector<KerasName> keras_names{
    {"mse", "mean_squared_error"},
    {"mean_squared_error", "mean_squared_error"},
    {"mae", "mean_absolute_error"},
    {"mean_absolute_error", "mean_absolute_error"},
    {"bce", "binary_crossentropy"},
    {"binary_crossentropy", "binary_crossentropy"},
    {"categorical_crossentropy", "categorical_crossentropy"},
    {"sparse_categorical_crossentropy", "sparse_categorical_crossentropy"},
};

BOOST_DATA_TEST_CASE(any_loss_resolves_every_keras_name, data::make(keras_names), name) {
  const auto& [alias, canonical] = name;
  const AnyLoss loss(alias);
  BOOST_TEST(static_cast<bool>(loss));
  BOOST_TEST(loss.name() == canonical);
  BOOST_TEST(loss.get()->reduction() == Reduction::sum_over_batch_size);
  const auto names = AnyLoss::names();
  BOOST_TEST((std::find(names.begin(), names.end(), alias) != names.end()));
}

BOOST_AUTO_TEST_CASE(any_loss_holds_objects_and_callables_and_rejects_unknown_names) {
  const AnyLoss object = BinaryCrossentropy({.from_logits = true, .reduction = Reduction::sum});
  const auto* held = dynamic_cast<const BinaryCrossentropy*>(object.get());
  BOOST_TEST_REQUIRE(held != nullptr);
  BOOST_TEST(held->options().from_logits);
  BOOST_TEST(held->reduction() == Reduction::sum);
  const AnyLoss custom = [](const Tensor& y_true, const Tensor& y_pred) {
    return sum(abs(sub(y_pred, y_true)), -1);
  };
  BOOST_TEST(custom.name() == "custom");
  BOOST_TEST(custom(f64({2, 2}, {0, 0, 0, 0}), f64({2, 2}, {1, -2, 3, 0})).item() == 3.0);
  RNNKIT_CHECK_THROWS(AnyLoss("hinge"), std::invalid_argument, "unknown name \"hinge\"", "mse",
                      "sparse_categorical_crossentropy");
  const AnyLoss none = nullptr;
  BOOST_TEST(!none);
  RNNKIT_CHECK_THROWS(none(f64({1}, {0}), f64({1}, {0})), std::logic_error, "no loss");
}

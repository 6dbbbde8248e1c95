#define BOOST_TEST_MODULE regularizers_constraints
#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/initializers/initializer.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.h"

using namespace rnnkit;
using rnnkit::testing::check_close;
namespace data = boost::unit_test::data;
namespace R = rnnkit::regularizers;
namespace C = rnnkit::constraints;

namespace {

const auto float_dtypes = data::make({DType::f32, DType::f64});

// [[1, -2], [3, -4]]: Σ|x| = 10, Σx² = 30.
Tensor small_matrix(DType dtype) { return Tensor::from_values({2, 2}, {1, -2, 3, -4}, dtype); }

// Magnitudes in [0.2, 1] with alternating signs: |x| is differentiable at every element.
Tensor away_from_zero(Shape shape) {
  Tensor t = rnnkit::testing::random_tensor(std::move(shape), DType::f64, 5, 0.2, 1.0);
  auto* p = t.mutable_data<double>();
  for (std::int64_t i = 0; i < t.numel(); i += 2) p[i] = -p[i];
  return t;
}

// Exact element-wise equality (same shape, same values).
void check_equal(const Tensor& actual, const Tensor& expected) {
  BOOST_TEST_REQUIRE((actual.shape() == expected.shape()));
  BOOST_TEST(actual.to_vector() == expected.to_vector(), boost::test_tools::per_element());
}

double as_float32(double x) { return static_cast<double>(static_cast<float>(x)); }

std::string golden_path(const std::string& file) {
  if (const char* dir = std::getenv("RNNKIT_GOLDEN_DIR")) return std::string(dir) + "/" + file;
  if (const char* source = std::getenv("RNNKIT_SOURCE_DIR")) {
    return std::string(source) + "/tests/golden/" + file;
  }
  return "tests/golden/" + file;
}

nlohmann::json read_golden(const std::string& file) {
  std::ifstream in(golden_path(file));
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << golden_path(file));
  const auto json = nlohmann::json::parse(in);
  BOOST_TEST_REQUIRE(json.at("schema") == "rnnkit-golden/1");
  return json;
}

Tensor golden_tensor(const nlohmann::json& json, DType dtype) {
  return Tensor::from_values(json.at("shape").get<Shape>(),
                             json.at("data").get<std::vector<double>>(), dtype);
}

// A reference for the norm-based constraints, written with plain loops: every element of w is
// multiplied by factor(n), n the L2 norm of its fiber along `axis`.
Tensor scale_fibers(const Tensor& w, int axis, const std::function<double(double)>& factor) {
  const Shape& shape = w.shape();
  std::int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[static_cast<std::size_t>(d)];
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  const std::int64_t n = shape[static_cast<std::size_t>(axis)];
  auto v = w.to_vector();
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      double squares = 0;
      for (std::int64_t k = 0; k < n; ++k) {
        const double x = v[static_cast<std::size_t>((o * n + k) * inner + i)];
        squares += x * x;
      }
      const double f = factor(std::sqrt(squares));
      for (std::int64_t k = 0; k < n; ++k)
        v[static_cast<std::size_t>((o * n + k) * inner + i)] *= f;
    }
  }
  return Tensor::from_values(shape, v, DType::f64);
}

constexpr double eps = 1e-7;  // Keras backend.epsilon()

double tolerance(DType dtype) { return dtype == DType::f32 ? 2e-6 : 1e-13; }

}  // namespace

// ------------------------------------------------------------------------------ regularizers

BOOST_AUTO_TEST_SUITE(regularizers)

BOOST_DATA_TEST_CASE(penalties_match_hand_computed_values, float_dtypes, dtype) {
  const Tensor x = small_matrix(dtype);
  const std::vector<std::pair<R::AnyRegularizer, double>> cases{
      {R::L1(0.5), 0.5 * 10},
      {R::L2(0.25), 0.25 * 30},
      {R::L1L2(0.5, 0.25), 0.5 * 10 + 0.25 * 30},
      {R::L1L2(0.5, 0.0), 0.5 * 10},
      {R::L1L2(0.0, 0.25), 0.25 * 30},
      {R::L1L2(), 0.0},
      {R::l1(0.125), 0.125 * 10},
      {R::l2(2.0), 2.0 * 30},
      {R::l1_l2(), as_float32(0.01) * 10 + as_float32(0.01) * 30},
  };
  for (const auto& [regularizer, expected] : cases) {
    const Tensor penalty = regularizer(x);
    BOOST_TEST(penalty.dim() == 0);
    BOOST_TEST(penalty.dtype() == dtype);
    BOOST_TEST(penalty.item() == expected, boost::test_tools::tolerance(tolerance(dtype)));
  }
}

BOOST_AUTO_TEST_CASE(factors_are_stored_as_float32_like_keras) {
  BOOST_TEST(R::L2().l2() == 0.009999999776482582);
  BOOST_TEST(R::L1().l1() == 0.009999999776482582);
  BOOST_TEST(R::L2(0.01).get_config().at("l2") == 0.009999999776482582);
  BOOST_TEST(R::L1L2().l1() == 0.0);
  BOOST_TEST(R::L1L2().l2() == 0.0);
  BOOST_TEST(R::l1_l2().l1() == as_float32(0.01));
  BOOST_TEST(R::l1_l2().l2() == as_float32(0.01));
  BOOST_TEST(R::l1_l2(1e-5, 1e-4).get_config().at("l2") == as_float32(1e-4));
  // The penalty uses the stored factor, in the tensor's dtype (float64 here).
  BOOST_TEST(R::L2()(small_matrix(DType::f64)).item() == 30 * 0.009999999776482582,
             boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(names_give_keras_defaults) {
  const auto factors = [](const R::AnyRegularizer& r) { return r.get()->get_config(); };
  BOOST_TEST(R::AnyRegularizer("l1").get()->class_name() == "L1");
  BOOST_TEST(factors("l1").at("l1") == as_float32(0.01));
  BOOST_TEST(R::AnyRegularizer("L1").get()->class_name() == "L1");
  BOOST_TEST(R::AnyRegularizer("l2").get()->class_name() == "L2");
  BOOST_TEST(factors("L2").at("l2") == as_float32(0.01));
  // "l1_l2" is special-cased to the function's defaults; the class name gives zeros.
  BOOST_TEST(R::AnyRegularizer("l1_l2").get()->class_name() == "L1L2");
  BOOST_TEST(factors("l1_l2").at("l1") == as_float32(0.01));
  BOOST_TEST(factors("l1_l2").at("l2") == as_float32(0.01));
  BOOST_TEST(factors("L1L2").at("l1") == 0.0);
  BOOST_TEST(factors("L1L2").at("l2") == 0.0);
  BOOST_TEST(R::AnyRegularizer("L1L2")(small_matrix(DType::f32)).item() == 0.0);
  BOOST_TEST(R::AnyRegularizer::names() ==
             (std::vector<std::string>{"L1", "L1L2", "L2", "l1", "l1_l2", "l2"}));
}

BOOST_DATA_TEST_CASE(penalty_gradients_pass_gradcheck, data::xrange(4), which) {
  const std::vector<R::AnyRegularizer> regularizers{R::L1(0.3), R::L2(0.7), R::L1L2(0.2, 0.4),
                                                    "l1_l2"};
  const R::AnyRegularizer regularizer = regularizers[static_cast<std::size_t>(which)];
  RNNKIT_CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return regularizer(in[0]); },
                         (std::vector<Tensor>{away_from_zero({4, 5})}));
}

BOOST_AUTO_TEST_CASE(l1_l2_gradient_is_l1_sign_plus_2_l2_x) {
  Tensor x = away_from_zero({3, 4}).set_requires_grad();
  R::L1L2(0.5, 0.25)(x).backward();
  auto expected = x.to_vector();
  for (double& v : expected) v = 0.5 * (v > 0 ? 1.0 : -1.0) + 2 * 0.25 * v;
  check_close(x.grad(), Tensor::from_values({3, 4}, expected, DType::f64), 1e-14, 0);
}

BOOST_DATA_TEST_CASE(golden_l1_l2_matches_keras, float_dtypes, dtype) {
  const auto golden = read_golden("regularizer_l1_l2.json");
  BOOST_TEST_REQUIRE(golden.at("kind") == "regularizer");
  const auto& spec = golden.at("regularizer");
  BOOST_TEST_REQUIRE(spec.at("name") == "l1_l2");
  const R::AnyRegularizer regularizer =
      R::l1_l2(spec.at("l1").get<double>(), spec.at("l2").get<double>());
  const double got = regularizer(golden_tensor(golden.at("input"), dtype)).item();
  const double expected = golden.at("expected_loss").get<double>();
  const double rtol = golden.at("tolerance").at("rtol").get<double>();
  const double atol = golden.at("tolerance").at("atol").get<double>();
  BOOST_TEST(std::abs(got - expected) <= atol + rtol * std::abs(expected),
             got << " vs " << expected);
}

class QuarticRegularizer : public R::Regularizer {
 public:
  Tensor operator()(const Tensor& x) const override { return sum(pow(x, 4.0)); }
  std::string class_name() const override { return "Quartic"; }
};

BOOST_AUTO_TEST_CASE(a_subclass_and_a_callable_work_through_the_handle) {
  const R::AnyRegularizer by_class = QuarticRegularizer();
  BOOST_TEST(by_class.get()->class_name() == "Quartic");
  BOOST_TEST(by_class(small_matrix(DType::f64)).item() == 1 + 16 + 81 + 256);

  const R::AnyRegularizer by_function = [](const Tensor& x) { return mul(sum(x), 3.0); };
  BOOST_TEST(by_function.get()->class_name() == "custom");
  Tensor x = small_matrix(DType::f64).set_requires_grad();
  const Tensor penalty = by_function(x);
  BOOST_TEST(penalty.item() == 3.0 * (1 - 2 + 3 - 4));
  penalty.backward();
  check_equal(x.grad(), Tensor::full({2, 2}, 3.0, DType::f64));
}

BOOST_AUTO_TEST_CASE(bad_factors_and_inputs_throw) {
  RNNKIT_CHECK_THROWS(R::L1(-0.1), std::invalid_argument, "L1", "l1 must be a finite number >= 0",
                      "-0.1");
  RNNKIT_CHECK_THROWS(R::L2(NAN), std::invalid_argument, "L2", "l2", "nan");
  RNNKIT_CHECK_THROWS(R::L1L2(0.0, INFINITY), std::invalid_argument, "L1L2", "l2", "inf");
  RNNKIT_CHECK_THROWS(R::l1_l2(-1.0), std::invalid_argument, "L1L2", "l1", "-1");
  RNNKIT_CHECK_THROWS(R::L1(1e300), std::invalid_argument, "finite", "1e+300");
  RNNKIT_CHECK_THROWS(R::L2()(Tensor::zeros({2}, DType::i64)), std::invalid_argument, "L2",
                      "float32 or float64", "int64");
  RNNKIT_CHECK_THROWS(R::AnyRegularizer("L1_L2"), std::invalid_argument, "regularizer",
                      "unknown name \"L1_L2\"", "l1_l2", "L1L2");
  RNNKIT_CHECK_THROWS(R::AnyRegularizer()(small_matrix(DType::f32)), std::logic_error, "empty");
  const R::AnyRegularizer not_scalar = [](const Tensor& x) { return abs(x); };
  RNNKIT_CHECK_THROWS(not_scalar(small_matrix(DType::f32)), std::invalid_argument, "custom",
                      "one-element", "[2, 2]");
}

BOOST_AUTO_TEST_SUITE_END()

// ------------------------------------------------------------------------------ constraints

BOOST_AUTO_TEST_SUITE(constraints)

BOOST_AUTO_TEST_CASE(max_norm_scales_columns_by_clipped_norm_over_eps_plus_norm) {
  // Column norms 5 and √0.05: the first is cut to 2, the second is scaled by n/(ε+n), not kept.
  const Tensor w = Tensor::from_values({2, 2}, {3, 0.1, 4, 0.2}, DType::f64);
  const double n1 = std::sqrt(0.05);
  const double f0 = 2 / (eps + 5), f1 = n1 / (eps + n1);
  check_close(C::MaxNorm()(w),
              Tensor::from_values({2, 2}, {3 * f0, 0.1 * f1, 4 * f0, 0.2 * f1}, DType::f64), 1e-15,
              0);
  BOOST_TEST(C::MaxNorm()(w).at({1, 1}) != 0.2);
}

struct NormCase {
  std::string name;
  C::AnyConstraint constraint;
  std::int64_t axis;
  std::function<double(double)> factor;
};

std::ostream& operator<<(std::ostream& out, const NormCase& c) {
  return out << c.name << " axis " << c.axis;
}

std::vector<NormCase> norm_cases() {
  std::vector<NormCase> cases;
  for (std::int64_t axis : {0, 1, 2, -1, -3}) {
    cases.push_back({"max_norm(1.1)", C::MaxNorm({.max_value = 1.1, .axis = axis}), axis,
                     [](double n) { return std::clamp(n, 0.0, 1.1) / (eps + n); }});
    cases.push_back(
        {"unit_norm", C::UnitNorm({.axis = axis}), axis, [](double n) { return 1 / (eps + n); }});
    for (double rate : {0.0, 0.3, 1.0}) {
      cases.push_back(
          {"min_max_norm(0.8, 1.3, " + std::to_string(rate) + ")",
           C::MinMaxNorm({.min_value = 0.8, .max_value = 1.3, .rate = rate, .axis = axis}), axis,
           [rate](double n) {
             return (rate * std::clamp(n, 0.8, 1.3) + (1 - rate) * n) / (eps + n);
           }});
    }
  }
  return cases;
}

BOOST_DATA_TEST_CASE(norm_constraints_match_a_loop_reference,
                     data::make(norm_cases()) * float_dtypes, c, dtype) {
  // Values in [-1, 1] over fibers of 3 to 5 elements: norms fall below, inside and above the
  // bounds 0.8 … 1.3.
  const Tensor w64 = rnnkit::testing::random_tensor({3, 4, 5}, DType::f64, 9);
  const Tensor w = w64.to(dtype);
  const int axis = static_cast<int>(c.axis < 0 ? c.axis + 3 : c.axis);
  const Tensor expected = scale_fibers(w.to(DType::f64), axis, c.factor);
  const Tensor got = c.constraint(w);
  BOOST_TEST(got.dtype() == dtype);
  check_close(got.to(DType::f64), expected, dtype == DType::f32 ? 1e-6 : 1e-14, 1e-7);
}

BOOST_AUTO_TEST_CASE(non_neg_zeroes_negative_entries) {
  const Tensor w = Tensor::from_values({5}, {-1, 0, 2, -0.5, 3});
  BOOST_TEST((C::NonNeg()(w).to_vector() == std::vector<double>{0, 0, 2, 0, 3}));
}

// A [h, h, 2, 1] kernel whose slice c holds K[y][x] = 10·y + x + 100·c.
Tensor radial_input(std::int64_t h) {
  std::vector<double> v;
  for (std::int64_t y = 0; y < h; ++y) {
    for (std::int64_t x = 0; x < h; ++x) {
      for (std::int64_t c = 0; c < 2; ++c) v.push_back(static_cast<double>(10 * y + x + 100 * c));
    }
  }
  return Tensor::from_values({h, h, 2, 1}, v, DType::f64);
}

// The same layout from one h×h pattern per slice (slice 1 is slice 0 plus 100).
Tensor radial_expected(std::int64_t h, const std::vector<double>& pattern) {
  std::vector<double> v;
  for (double p : pattern) {
    v.push_back(p);
    v.push_back(p + 100);
  }
  return Tensor::from_values({h, h, 2, 1}, v, DType::f64);
}

BOOST_AUTO_TEST_CASE(radial_constraint_builds_rings_from_the_diagonal) {
  // h = 3 (s = 1): centre K[0][0] = 0, ring K[1][1] = 11.
  check_equal(C::RadialConstraint()(radial_input(3)), radial_expected(3, {11, 11, 11,  //
                                                                          11, 0, 11,   //
                                                                          11, 11, 11}));
  // h = 4 (s = 2): inner 2×2 block K[1][1] = 11, ring K[3][3] = 33.
  check_equal(C::RadialConstraint()(radial_input(4)), radial_expected(4, {33, 33, 33, 33,  //
                                                                          33, 11, 11, 33,  //
                                                                          33, 11, 11, 33,  //
                                                                          33, 33, 33, 33}));
  // h = 5 (s = 2): centre K[1][1] = 11, rings K[2][2] = 22 and K[3][3] = 33.
  check_equal(C::RadialConstraint()(radial_input(5)), radial_expected(5, {33, 33, 33, 33, 33,  //
                                                                          33, 22, 22, 22, 33,  //
                                                                          33, 22, 11, 22, 33,  //
                                                                          33, 22, 22, 22, 33,  //
                                                                          33, 33, 33, 33, 33}));
}

BOOST_AUTO_TEST_CASE(golden_max_norm_matches_keras) {
  const auto golden = read_golden("constraint_max_norm.json");
  BOOST_TEST_REQUIRE(golden.at("kind") == "constraint");
  const auto& spec = golden.at("constraint");
  BOOST_TEST_REQUIRE(spec.at("name") == "max_norm");
  const C::AnyConstraint constraint = C::MaxNorm({.max_value = spec.at("max_value").get<double>(),
                                                  .axis = spec.at("axis").get<std::int64_t>()});
  const double rtol = golden.at("tolerance").at("rtol").get<double>();
  const double atol = golden.at("tolerance").at("atol").get<double>();
  for (DType dtype : {DType::f32, DType::f64}) {
    check_close(constraint(golden_tensor(golden.at("input"), dtype)),
                golden_tensor(golden.at("expected"), dtype), rtol, atol);
  }
}

BOOST_AUTO_TEST_CASE(results_record_no_gradient) {
  Tensor w = rnnkit::testing::random_tensor({3, 2}).set_requires_grad();
  for (const C::AnyConstraint& c :
       {C::AnyConstraint("max_norm"), C::AnyConstraint("non_neg"), C::AnyConstraint("unit_norm"),
        C::AnyConstraint("min_max_norm")}) {
    BOOST_TEST(!c(w).requires_grad(), c.get()->class_name());
  }
}

BOOST_AUTO_TEST_CASE(variable_applies_its_constraint_in_place) {
  const Tensor w = Tensor::from_values({2, 2}, {3, 0.1, 4, 0.2}, DType::f64);
  Variable kernel("kernel", w.clone(), "max_norm");
  const auto version = kernel.value().version();
  kernel.apply_constraint();
  check_equal(kernel.value(), C::MaxNorm()(w));
  BOOST_TEST(kernel.value().version() > version);
  BOOST_TEST(kernel.value().requires_grad());
}

BOOST_AUTO_TEST_CASE(every_name_resolves_to_its_class_with_keras_defaults) {
  const std::map<std::string, std::string> expected{
      {"max_norm", "MaxNorm"},
      {"MaxNorm", "MaxNorm"},
      {"maxnorm", "MaxNorm"},
      {"non_neg", "NonNeg"},
      {"NonNeg", "NonNeg"},
      {"nonneg", "NonNeg"},
      {"unit_norm", "UnitNorm"},
      {"UnitNorm", "UnitNorm"},
      {"unitnorm", "UnitNorm"},
      {"min_max_norm", "MinMaxNorm"},
      {"MinMaxNorm", "MinMaxNorm"},
      {"radial_constraint", "RadialConstraint"},
      {"RadialConstraint", "RadialConstraint"},
  };
  for (const auto& [name, class_name] : expected) {
    BOOST_TEST(C::AnyConstraint(name).get()->class_name() == class_name, name);
  }
  std::vector<std::string> all;
  for (const auto& entry : expected) all.push_back(entry.first);
  BOOST_TEST(C::AnyConstraint::names() == all);

  const auto max_norm = C::AnyConstraint("maxnorm").get()->get_config();
  BOOST_TEST(max_norm.at("max_value") == 2.0);
  BOOST_TEST(max_norm.at("axis") == 0.0);
  const auto min_max = C::AnyConstraint("min_max_norm").get()->get_config();
  BOOST_TEST(min_max.at("min_value") == 0.0);
  BOOST_TEST(min_max.at("max_value") == 1.0);
  BOOST_TEST(min_max.at("rate") == 1.0);
  BOOST_TEST(min_max.at("axis") == 0.0);
  BOOST_TEST(C::AnyConstraint("unit_norm").get()->get_config().at("axis") == 0.0);
}

class ClipToOne : public C::Constraint {
 public:
  Tensor operator()(const Tensor& w) const override { return clip(w, -1.0, 1.0); }
  std::string class_name() const override { return "ClipToOne"; }
};

BOOST_AUTO_TEST_CASE(a_subclass_and_a_callable_work_through_the_handle_and_variable) {
  const Tensor w = Tensor::from_values({3}, {-3, 0.5, 2}, DType::f64);
  const C::AnyConstraint by_class = ClipToOne();
  BOOST_TEST(by_class.get()->class_name() == "ClipToOne");
  BOOST_TEST((by_class(w).to_vector() == std::vector<double>{-1, 0.5, 1}));

  Variable v("bias", w.clone(), [](const Tensor& x) { return mul(x, 0.5); });
  BOOST_TEST(v.constraint().get()->class_name() == "custom");
  v.apply_constraint();
  BOOST_TEST((v.value().to_vector() == std::vector<double>{-1.5, 0.25, 1}));

  const C::AnyConstraint none;
  BOOST_TEST(!none);
  BOOST_TEST(none(w).shares_storage_with(w));
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw) {
  const Tensor matrix = rnnkit::testing::random_tensor({3, 4});
  RNNKIT_CHECK_THROWS(C::MaxNorm({.axis = 2})(matrix), std::invalid_argument, "MaxNorm", "axis",
                      "rank 2", "got 2");
  RNNKIT_CHECK_THROWS(C::UnitNorm({.axis = -3})(matrix), std::invalid_argument, "UnitNorm", "axis",
                      "got -3");
  RNNKIT_CHECK_THROWS(C::MinMaxNorm({.axis = 7})(matrix), std::invalid_argument, "MinMaxNorm",
                      "axis", "got 7");
  RNNKIT_CHECK_THROWS(C::MaxNorm()(Tensor::scalar(1.0)), std::invalid_argument, "rank 0");
  RNNKIT_CHECK_THROWS(C::MinMaxNorm({.min_value = 2.0, .max_value = 1.0}), std::invalid_argument,
                      "MinMaxNorm", "min_value <= max_value", "min_value=2", "max_value=1");
  RNNKIT_CHECK_THROWS(C::MinMaxNorm({.rate = 1.5}), std::invalid_argument, "rate", "[0, 1]", "1.5");
  RNNKIT_CHECK_THROWS(C::MinMaxNorm({.rate = -0.1}), std::invalid_argument, "rate", "-0.1");
  RNNKIT_CHECK_THROWS(C::MaxNorm({.max_value = -1.0}), std::invalid_argument, "max_value", ">= 0",
                      "-1");
  RNNKIT_CHECK_THROWS(C::NonNeg()(Tensor::zeros({2}, DType::i64)), std::invalid_argument, "NonNeg",
                      "int64");
  RNNKIT_CHECK_THROWS(C::RadialConstraint()(matrix), std::invalid_argument, "RadialConstraint",
                      "rank-4", "[3, 4]");
  RNNKIT_CHECK_THROWS(C::RadialConstraint()(Tensor::zeros({3, 2, 1, 1})), std::invalid_argument,
                      "square", "[3, 2, 1, 1]");
  RNNKIT_CHECK_THROWS(C::RadialConstraint()(Tensor::zeros({1, 1, 1, 1})), std::invalid_argument,
                      ">= 2");
  RNNKIT_CHECK_THROWS(C::AnyConstraint("max-norm"), std::invalid_argument, "constraint",
                      "unknown name \"max-norm\"", "max_norm", "unitnorm");
  const C::AnyConstraint reshaping = [](const Tensor& x) { return reshape(x, {x.numel()}); };
  RNNKIT_CHECK_THROWS(reshaping(matrix), std::invalid_argument, "custom", "[3, 4]", "[12]");
}

BOOST_AUTO_TEST_CASE(a_failing_constraint_leaves_the_variable_unchanged) {
  const Tensor w = rnnkit::testing::random_tensor({3, 4});
  Variable kernel("kernel", w.clone(), C::MaxNorm({.axis = 5}));
  const auto version = kernel.value().version();
  RNNKIT_CHECK_THROWS(kernel.apply_constraint(), std::invalid_argument, "MaxNorm", "axis", "got 5");
  BOOST_TEST(kernel.value().version() == version);
  check_equal(kernel.value(), w);
}

BOOST_AUTO_TEST_SUITE_END()

// `use_l1 ? "l1" : nullptr` is a null const char*, not a nullptr_t: it must still mean None, and
// a null name for a handle that has no None must fail with the list of names, never crash.
BOOST_AUTO_TEST_CASE(a_null_name_means_none_or_is_refused) {
  const char* none = nullptr;
  BOOST_TEST(!static_cast<bool>(rnnkit::regularizers::AnyRegularizer(none)));
  BOOST_TEST(!static_cast<bool>(rnnkit::constraints::AnyConstraint(none)));
  BOOST_TEST(rnnkit::Activation(none).name() == "linear");
  RNNKIT_CHECK_THROWS(rnnkit::initializers::AnyInitializer{none}, std::invalid_argument, "(null)",
                      "glorot_uniform");
  RNNKIT_CHECK_THROWS(rnnkit::losses::AnyLoss{none}, std::invalid_argument, "(null)", "mse");
}

#define BOOST_TEST_MODULE ops_gradcheck
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/ops.h>

#include "op_cases.h"
#include "test_support.h"

// Witness 1 of ARCHITECTURE.md: every op's and every loss's analytic gradient against central
// finite differences in float64, rtol 1e-6.

using namespace rnnkit;
using rnnkit::testing::check_close;
using rnnkit::testing::OpCase;
namespace data = boost::unit_test::data;

namespace {

void check_case(const OpCase& c) {
  BOOST_TEST_REQUIRE(c.options.rtol <= 1e-6);
  RNNKIT_CHECK_GRADIENTS(c.function, c.inputs(), c.options);
}

}  // namespace

BOOST_DATA_TEST_CASE(arithmetic_gradients_match_finite_differences,
                     data::make(rnnkit::testing::arithmetic_cases()), op_case) {
  check_case(op_case);
}

BOOST_DATA_TEST_CASE(unary_and_activation_gradients_match_finite_differences,
                     data::make(rnnkit::testing::unary_cases()), op_case) {
  check_case(op_case);
}

BOOST_DATA_TEST_CASE(structural_op_gradients_match_finite_differences,
                     data::make(rnnkit::testing::structural_cases()), op_case) {
  check_case(op_case);
}

BOOST_DATA_TEST_CASE(loss_gradients_match_finite_differences,
                     data::make(rnnkit::testing::loss_cases()), op_case) {
  check_case(op_case);
}

// At a kink finite differences cannot decide, so the subgradient is pinned to TensorFlow's:
// clip_by_value and hard_sigmoid (a clip) pass the gradient on their bounds, relu/relu6 do not,
// leaky_relu takes alpha at 0, elu and selu take their x >= 0 branch, abs takes sign(0) = 0.
struct Kink {
  std::string name;
  std::function<Tensor(const Tensor&)> function;
  double x;
  double gradient;
};

std::ostream& operator<<(std::ostream& out, const Kink& k) {
  return out << k.name << " at " << k.x;
}

const std::vector<Kink> kinks{
    {"clip", [](const Tensor& x) { return clip(x, -0.5, 0.5); }, -0.5, 1.0},
    {"clip", [](const Tensor& x) { return clip(x, -0.5, 0.5); }, 0.5, 1.0},
    {"clip", [](const Tensor& x) { return clip(x, -0.5, 0.5); }, 0.75, 0.0},
    {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }, -2.5, 0.2},
    {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }, 2.5, 0.2},
    {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }, 3.0, 0.0},
    {"relu", [](const Tensor& x) { return relu(x); }, 0.0, 0.0},
    {"relu6", [](const Tensor& x) { return relu6(x); }, 0.0, 0.0},
    {"relu6", [](const Tensor& x) { return relu6(x); }, 6.0, 0.0},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.3); }, 0.0, 0.3},
    {"elu", [](const Tensor& x) { return elu(x); }, 0.0, 1.0},
    {"elu alpha 0.5", [](const Tensor& x) { return elu(x, 0.5); }, 0.0, 0.5},
    {"selu", [](const Tensor& x) { return selu(x); }, 0.0, 1.0507009873554805},
    {"abs", [](const Tensor& x) { return abs(x); }, 0.0, 0.0},
};

BOOST_DATA_TEST_CASE(gradients_at_kinks_follow_tensorflow,
                     data::make(kinks) * data::make({DType::f32, DType::f64}), kink, dtype) {
  Tensor x = Tensor::from_values({1}, {kink.x}, dtype).set_requires_grad();
  sum(kink.function(x)).backward();
  BOOST_TEST(x.grad().at({0}) == kink.gradient, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(non_differentiable_ops_record_no_graph_and_give_exact_values) {
  Tensor x = Tensor::from_values({2, 3}, {1, -2, 0, 4, 4, -1}, DType::f64).set_requires_grad();
  const Tensor ne = not_equal(x, 4.0);
  BOOST_TEST(ne.dtype() == DType::boolean);
  BOOST_TEST(!ne.requires_grad());
  BOOST_TEST((ne.to_vector() == std::vector<double>{1, 1, 1, 0, 0, 1}));
  const Tensor gt = greater(x, 0.0);
  BOOST_TEST((gt.to_vector() == std::vector<double>{1, 0, 0, 1, 1, 0}));
  const Tensor any_rows = any(gt, 1);
  BOOST_TEST((any_rows.shape() == Shape{2}));
  BOOST_TEST((any_rows.to_vector() == std::vector<double>{1, 1}));
  BOOST_TEST((any(greater(x, 3.0), 0).to_vector() == std::vector<double>{1, 1, 0}));
  const Tensor best = argmax(x);
  BOOST_TEST(best.dtype() == DType::i64);
  BOOST_TEST(!best.requires_grad());
  BOOST_TEST((best.to_vector() == std::vector<double>{0, 0}));
  const Tensor hot = one_hot(Tensor::from_values({3}, {2, 0, 1}, DType::i64), 3, DType::f64);
  BOOST_TEST(!hot.requires_grad());
  BOOST_TEST((hot.to_vector() == std::vector<double>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
  // A mask from a comparison routes the gradient of where() without taking part in it.
  sum(where(greater(x, 0.0), x, mul(x, 2.0))).backward();
  check_close(x.grad(), Tensor::from_values({2, 3}, {1, 2, 2, 1, 1, 2}, DType::f64), 0, 1e-15);
}

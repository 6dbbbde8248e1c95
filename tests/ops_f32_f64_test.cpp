#define BOOST_TEST_MODULE ops_f32_f64
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/random.h>

#include "op_cases.h"
#include "test_support.h"

// Witness 2 of ARCHITECTURE.md: every op's float32 result and float32 gradient (oneDNN where it
// has a primitive, else Eigen in float) agree with the float64 (Eigen) ones.

using namespace rnnkit;
using rnnkit::testing::check_close;
using rnnkit::testing::OpCase;
namespace data = boost::unit_test::data;

namespace {

// float32 epsilon is 2^-23 = 1.19e-7; one op rounds a few times, a short reduction (<= 8 terms
// here) or a log/exp chain adds a few more, and oneDNN's eltwise approximations are accurate to
// a few ulps: 100 epsilons (1.2e-5), relative, with the same absolute floor for values near 0.
const double tolerance = 100 * std::numeric_limits<float>::epsilon();

struct Result {
  Tensor output;
  std::vector<Tensor> grads;  ///< float64 copies; undefined where no gradient arrived
};

// Runs the case in `dtype` on `inputs` (float64, already representable in float32) and
// differentiates it against `grad_output`.
Result run(const OpCase& c, const std::vector<Tensor>& inputs, const Tensor& grad_output,
           DType dtype) {
  std::vector<Tensor> leaves;
  for (const Tensor& input : inputs) {
    if (!is_floating(input.dtype())) {
      leaves.push_back(input);
      continue;
    }
    Tensor leaf = input.to(dtype).clone().detach();
    leaf.set_requires_grad();
    leaves.push_back(leaf);
  }
  Result result;
  result.output = c.function(leaves);
  BOOST_TEST_REQUIRE((result.output.dtype() == dtype));
  if (result.output.requires_grad()) result.output.backward(grad_output.to(dtype));
  for (const Tensor& leaf : leaves) {
    const bool has = is_floating(leaf.dtype()) && leaf.has_grad();
    result.grads.push_back(has ? leaf.grad().to(DType::f64) : Tensor());
  }
  return result;
}

void compare_dtypes(const OpCase& c) {
  // Inputs rounded to float32 first, so both runs see the same numbers.
  std::vector<Tensor> inputs;
  for (const Tensor& input : c.inputs()) {
    inputs.push_back(is_floating(input.dtype()) ? input.to(DType::f32).to(DType::f64) : input);
  }
  const Shape output_shape = c.function(inputs).shape();
  Generator generator(99);
  const Tensor grad_output =
      Tensor::normal(output_shape, 0.0, 1.0, generator, DType::f32).to(DType::f64);
  const Result wide = run(c, inputs, grad_output, DType::f64);
  const Result narrow = run(c, inputs, grad_output, DType::f32);
  BOOST_TEST_CONTEXT("output") {
    check_close(narrow.output.to(DType::f64), wide.output, tolerance, tolerance);
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    BOOST_TEST_CONTEXT("gradient of input " << i) {
      BOOST_TEST(narrow.grads[i].defined() == wide.grads[i].defined());
      if (narrow.grads[i].defined() && wide.grads[i].defined()) {
        check_close(narrow.grads[i], wide.grads[i], tolerance, tolerance);
      }
    }
  }
}

std::vector<OpCase> comparable(std::vector<OpCase> cases) {
  std::erase_if(cases, [](const OpCase& c) { return !c.float32_comparable; });
  return cases;
}

}  // namespace

BOOST_DATA_TEST_CASE(arithmetic_float32_matches_float64,
                     data::make(comparable(rnnkit::testing::arithmetic_cases())), op_case) {
  compare_dtypes(op_case);
}

BOOST_DATA_TEST_CASE(unary_and_activation_float32_matches_float64,
                     data::make(comparable(rnnkit::testing::unary_cases())), op_case) {
  compare_dtypes(op_case);
}

BOOST_DATA_TEST_CASE(structural_op_float32_matches_float64,
                     data::make(comparable(rnnkit::testing::structural_cases())), op_case) {
  compare_dtypes(op_case);
}

BOOST_DATA_TEST_CASE(loss_float32_matches_float64, data::make(comparable(rnnkit::testing::loss_cases())),
                     op_case) {
  compare_dtypes(op_case);
}

// oneDNN's soft_relu is softplus only if it is log(1 + e^x) with no scale: check it against the
// formula over a wide range, where a scaled or saturating variant would show.
BOOST_AUTO_TEST_CASE(float32_softplus_is_log_one_plus_exp_over_a_wide_range) {
  std::vector<double> xs;
  for (double x = -30.0; x <= 30.0; x += 0.75) xs.push_back(x);
  const auto n = static_cast<std::int64_t>(xs.size());
  Tensor x = Tensor::from_values({n}, xs, DType::f32).set_requires_grad();
  Tensor y = softplus(x);
  sum(y).backward();
  std::vector<double> expected, slope;
  for (double v : xs) {
    expected.push_back(std::log1p(std::exp(v)));
    slope.push_back(1.0 / (1.0 + std::exp(-v)));
  }
  check_close(y, Tensor::from_values({n}, expected, DType::f64), tolerance, 1e-30);
  check_close(x.grad(), Tensor::from_values({n}, slope, DType::f64), tolerance, 1e-30);
}

#define BOOST_TEST_MODULE tensor
#include <boost/test/unit_test.hpp>

#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/runtime.h>

#include "test_support.h"

using namespace rnnkit;
using rnnkit::testing::check_close;

BOOST_AUTO_TEST_CASE(factories_fill_shape_dtype_and_values) {
  Tensor z = Tensor::zeros({2, 3});
  BOOST_TEST((z.shape() == Shape{2, 3}));
  BOOST_TEST(z.dtype() == DType::f32);
  BOOST_TEST(z.numel() == 6);
  for (double v : z.to_vector()) BOOST_TEST(v == 0.0);
  Tensor f = Tensor::full({2}, 2.5, DType::f64);
  BOOST_TEST(f.at({1}) == 2.5);
  Tensor v = Tensor::from_values({2, 2}, {1, 2, 3, 4});
  BOOST_TEST(v.at({1, 0}) == 3.0);
  BOOST_TEST(Tensor::scalar(7.0).item() == 7.0);
  Tensor b = Tensor::from_values({3}, {0, 1, 2}, DType::boolean);
  BOOST_TEST((b.to_vector() == std::vector<double>{0, 1, 1}));
}

BOOST_AUTO_TEST_CASE(matmul_and_add_backward_match_hand_derivatives) {
  Tensor a = Tensor::from_values({2, 2}, {1, 2, 3, 4}, DType::f64).set_requires_grad();
  Tensor b = Tensor::from_values({2}, {10, 20}, DType::f64).set_requires_grad();
  Tensor loss = sum(matmul(a, a) + b);
  loss.backward();
  // d sum(A A)/dA = 1 A^T + A^T 1: element (i, j) is row_sum(A, j) + column_sum(A, i)
  check_close(a.grad(), Tensor::from_values({2, 2}, {3 + 4, 7 + 4, 3 + 6, 7 + 6}, DType::f64), 1e-12, 0);
  check_close(b.grad(), Tensor::from_values({2}, {2, 2}, DType::f64), 1e-12, 0);
}

BOOST_AUTO_TEST_CASE(gradcheck_passes_for_a_composite_function) {
  auto f = [](const std::vector<Tensor>& in) { return tanh(matmul(in[0], in[1]) + in[2]); };
  RNNKIT_CHECK_GRADIENTS(f, (std::vector<Tensor>{rnnkit::testing::random_tensor({3, 4}),
                                                 rnnkit::testing::random_tensor({4, 5}, DType::f64, 2),
                                                 rnnkit::testing::random_tensor({5}, DType::f64, 3)}));
}

BOOST_AUTO_TEST_CASE(repeated_matmul_creates_no_new_primitive) {
  Tensor a = rnnkit::testing::random_tensor({8, 16}, DType::f32);
  Tensor b = rnnkit::testing::random_tensor({16, 4}, DType::f32, 2);
  (void)matmul(a, b);
  const auto before = primitive_cache_stats();
  for (int i = 0; i < 5; ++i) (void)matmul(a, b);
  const auto after = primitive_cache_stats();
  BOOST_TEST(after.misses == before.misses);
  BOOST_TEST(after.hits == before.hits + 5);
}

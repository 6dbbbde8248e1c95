#define BOOST_TEST_MODULE tensor
#include <fmt/format.h>
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/runtime.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using rnnkit::testing::check_close;
using rnnkit::testing::random_tensor;

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
  check_close(a.grad(), Tensor::from_values({2, 2}, {3 + 4, 7 + 4, 3 + 6, 7 + 6}, DType::f64),
              1e-12, 0);
  check_close(b.grad(), Tensor::from_values({2}, {2, 2}, DType::f64), 1e-12, 0);
}

BOOST_AUTO_TEST_CASE(gradcheck_passes_for_a_composite_function) {
  auto f = [](const std::vector<Tensor>& in) { return tanh(matmul(in[0], in[1]) + in[2]); };
  RNNKIT_CHECK_GRADIENTS(f,
                         (std::vector<Tensor>{rnnkit::testing::random_tensor({3, 4}),
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

// ---------------------------------------------------------------- factories and element access

BOOST_AUTO_TEST_CASE(factories_cover_every_dtype_and_random_ones_are_seeded) {
  BOOST_TEST((Tensor::ones({3}, DType::f64).to_vector() == std::vector<double>{1, 1, 1}));
  BOOST_TEST((Tensor::full({2}, 3.0, DType::i64).to_vector() == std::vector<double>{3, 3}));
  BOOST_TEST(Tensor::scalar(1.5, DType::f64).dim() == 0);
  BOOST_TEST(Tensor::scalar(1.5, DType::f64).numel() == 1);
  BOOST_TEST(Tensor::zeros({0, 3}).numel() == 0);
  BOOST_TEST(!Tensor().defined());
  Generator g1(5), g2(5);
  const Tensor u1 = Tensor::uniform({100}, -2.0, 3.0, g1, DType::f64);
  const Tensor u2 = Tensor::uniform({100}, -2.0, 3.0, g2, DType::f64);
  BOOST_TEST((u1.to_vector() == u2.to_vector()));
  for (double v : u1.to_vector()) BOOST_TEST((v >= -2.0 && v < 3.0));
  const Tensor n = Tensor::normal({2000}, 1.0, 0.5, g1, DType::f64);
  // Mean of 2000 draws: within 5 standard errors (0.5 / sqrt(2000) = 0.011) of 1.
  BOOST_TEST(std::abs(mean(n).item() - 1.0) < 0.06);
}

BOOST_AUTO_TEST_CASE(element_access_errors_name_the_call_and_leave_the_tensor_unchanged) {
  Tensor t = Tensor::from_values({2, 3}, {1, 2, 3, 4, 5, 6}, DType::f64);
  const auto version = t.version();
  RNNKIT_CHECK_THROWS(t.at({1}), std::invalid_argument, "Tensor::at", "2 coordinates", "[2, 3]",
                      "got 1");
  RNNKIT_CHECK_THROWS(t.at({0, 3}), std::invalid_argument, "Tensor::at", "index 3", "axis 1");
  RNNKIT_CHECK_THROWS(t.set({2, 0}, 9.0), std::invalid_argument, "index 2", "axis 0");
  RNNKIT_CHECK_THROWS(t.set({-1, 0}, 9.0), std::invalid_argument, "index -1");
  RNNKIT_CHECK_THROWS(t.item(), std::invalid_argument, "Tensor::item", "one element", "[2, 3]");
  RNNKIT_CHECK_THROWS(Tensor::from_values({2, 2}, {1, 2, 3}), std::invalid_argument,
                      "Tensor::from_values", "[2, 2]", "needs 4", "got 3");
  RNNKIT_CHECK_THROWS(Tensor::zeros({2, -1}), std::invalid_argument, "non-negative", "[2, -1]");
  RNNKIT_CHECK_THROWS(t.data<float>(), std::invalid_argument, "float64", "float32");
  RNNKIT_CHECK_THROWS(Tensor().shape(), std::logic_error, "undefined tensor");
  BOOST_TEST(t.version() == version);
  BOOST_TEST((t.to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6}));
  t.set({1, 2}, 7.0);
  BOOST_TEST(t.at({1, 2}) == 7.0);
  BOOST_TEST(t.version() == version + 1);
}

BOOST_AUTO_TEST_CASE(reshape_shares_storage_and_rejects_a_different_element_count) {
  const Tensor t = Tensor::from_values({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor r = t.reshape({3, 2});
  BOOST_TEST(r.shares_storage_with(t));
  BOOST_TEST(r.at({2, 0}) == 5.0);
  RNNKIT_CHECK_THROWS(t.reshape({4}), std::invalid_argument, "reshape", "[2, 3]", "6 elements",
                      "[4]", "4 elements");
  RNNKIT_CHECK_THROWS(reshape(Tensor(), {1}), std::invalid_argument, "reshape", "undefined");
  BOOST_TEST((t.shape() == Shape{2, 3}));
}

BOOST_AUTO_TEST_CASE(to_converts_dtypes_and_carries_the_gradient_back) {
  Tensor x = Tensor::from_values({3}, {0.1, -2.5, 3.0}, DType::f64).set_requires_grad();
  const Tensor f = x.to(DType::f32);
  BOOST_TEST(f.dtype() == DType::f32);
  BOOST_TEST(f.at({0}) == static_cast<double>(0.1f));
  BOOST_TEST(!f.shares_storage_with(x));
  BOOST_TEST(x.to(DType::f64).shares_storage_with(x));
  sum(mul(f, 2.0)).backward();
  BOOST_TEST(x.grad().dtype() == DType::f64);
  BOOST_TEST((x.grad().to_vector() == std::vector<double>{2, 2, 2}));
  RNNKIT_CHECK_THROWS(x.to(DType::i64), std::invalid_argument, "Tensor::to", "requires grad",
                      "int64");
  BOOST_TEST((x.detach().to(DType::i64).to_vector() == std::vector<double>{0, -2, 3}));
  BOOST_TEST((x.detach().to(DType::boolean).to_vector() == std::vector<double>{1, 1, 1}));
}

BOOST_AUTO_TEST_CASE(detach_shares_storage_outside_the_graph_and_clone_copies_inside_it) {
  Tensor x = Tensor::from_values({2}, {1, 2}, DType::f64).set_requires_grad();
  const Tensor y = mul(x, 3.0);
  const Tensor d = y.detach();
  BOOST_TEST(d.shares_storage_with(y));
  BOOST_TEST(!d.requires_grad());
  BOOST_TEST(d.is_leaf());
  const Tensor c = y.clone();
  BOOST_TEST(!c.shares_storage_with(y));
  BOOST_TEST(c.requires_grad());
  BOOST_TEST((c.to_vector() == std::vector<double>{3, 6}));
  sum(mul(c, c)).backward();
  // d/dx sum((3x)^2) = 18 x
  BOOST_TEST((x.grad().to_vector() == std::vector<double>{18, 36}));
}

// ---------------------------------------------------------------- printing

BOOST_AUTO_TEST_CASE(fmt_prints_shape_dtype_values_and_elides_large_tensors) {
  BOOST_TEST(fmt::format("{}", Tensor::from_values({2, 3}, {1, 2, 3, 4, 5, 6})) ==
             "Tensor(shape=[2, 3], dtype=float32, values=[[1, 2, 3], [4, 5, 6]])");
  BOOST_TEST(fmt::format("{}", Tensor::scalar(2.5, DType::f64)) ==
             "Tensor(shape=[], dtype=float64, values=2.5)");
  BOOST_TEST(fmt::format("{}", Tensor::from_values({2}, {1, 0}, DType::boolean)) ==
             "Tensor(shape=[2], dtype=bool, values=[1, 0])");
  BOOST_TEST(fmt::format("{}", Tensor::zeros({0})) ==
             "Tensor(shape=[0], dtype=float32, values=[])");
  BOOST_TEST(fmt::format("{}", Tensor()) == "Tensor(undefined)");
  std::vector<double> ten(10);
  for (std::size_t i = 0; i < ten.size(); ++i) ten[i] = static_cast<double>(i);
  BOOST_TEST(fmt::format("{}", Tensor::from_values({10}, ten, DType::i64)) ==
             "Tensor(shape=[10], dtype=int64, values=[0, 1, 2, ..., 7, 8, 9])");
  std::vector<double> grid(64);
  for (std::size_t i = 0; i < grid.size(); ++i) grid[i] = static_cast<double>(i);
  const std::string row0 = "[0, 1, 2, ..., 5, 6, 7]", row1 = "[8, 9, 10, ..., 13, 14, 15]",
                    row2 = "[16, 17, 18, ..., 21, 22, 23]", row5 = "[40, 41, 42, ..., 45, 46, 47]",
                    row6 = "[48, 49, 50, ..., 53, 54, 55]", row7 = "[56, 57, 58, ..., 61, 62, 63]";
  BOOST_TEST(fmt::format("{}", Tensor::from_values({8, 8}, grid)) ==
             "Tensor(shape=[8, 8], dtype=float32, values=[" + row0 + ", " + row1 + ", " + row2 +
                 ", ..., " + row5 + ", " + row6 + ", " + row7 + "])");
  BOOST_TEST(fmt::format("{:>20}", Tensor()) == "   Tensor(undefined)");
}

// ---------------------------------------------------------------- autograd

BOOST_AUTO_TEST_CASE(no_grad_guard_records_nothing_and_nests) {
  Tensor x = Tensor::ones({2}, DType::f64).set_requires_grad();
  BOOST_TEST(grad_enabled());
  {
    NoGradGuard outer;
    {
      NoGradGuard inner;
      BOOST_TEST(!grad_enabled());
    }
    BOOST_TEST(!grad_enabled());
    const Tensor y = tanh(add(x, x));
    BOOST_TEST(!y.requires_grad());
    BOOST_TEST(y.grad_fn() == nullptr);
  }
  BOOST_TEST(grad_enabled());
  const Tensor z = add(x, x);
  BOOST_TEST(z.requires_grad());
  BOOST_TEST(z.grad_fn() != nullptr);
  BOOST_TEST(z.grad_fn()->name == "add");
}

BOOST_AUTO_TEST_CASE(gradients_accumulate_across_backward_calls_and_zero_grad_keeps_the_buffer) {
  Tensor x = Tensor::from_values({2}, {1, -3}, DType::f64).set_requires_grad();
  sum(mul(x, x)).backward();
  const double* buffer = x.grad().data<double>();
  sum(mul(x, x)).backward();
  BOOST_TEST((x.grad().to_vector() == std::vector<double>{4, -12}));  // 2 * 2x
  x.zero_grad();
  BOOST_TEST(x.grad().data<double>() == buffer);
  BOOST_TEST((x.grad().to_vector() == std::vector<double>{0, 0}));
  sum(mul(x, 5.0)).backward();
  BOOST_TEST(x.grad().data<double>() == buffer);
  BOOST_TEST((x.grad().to_vector() == std::vector<double>{5, 5}));
  x.clear_grad();
  BOOST_TEST(!x.has_grad());
}

BOOST_AUTO_TEST_CASE(a_graph_is_differentiated_twice_only_when_retained) {
  Tensor x = Tensor::from_values({2}, {0.5, -1}, DType::f64).set_requires_grad();
  const Tensor y = sum(tanh(x));
  y.backward({.retain_graph = true});
  y.backward();
  for (std::int64_t i = 0; i < 2; ++i) {
    const double t = std::tanh(x.at({i}));
    BOOST_TEST(x.grad().at({i}) == 2 * (1 - t * t), boost::test_tools::tolerance(1e-12));
  }
  RNNKIT_CHECK_THROWS(y.backward(), std::logic_error, "already differentiated", "retain_graph");
}

BOOST_AUTO_TEST_CASE(modifying_a_saved_tensor_in_place_makes_backward_throw) {
  Tensor x = Tensor::from_values({2}, {1, 2}, DType::f64).set_requires_grad();
  Tensor w = Tensor::from_values({2}, {3, 4}, DType::f64);
  const Tensor product = sum(mul(x, w));  // mul keeps w for x's gradient
  w.set({0}, 10.0);
  RNNKIT_CHECK_THROWS(product.backward(), std::logic_error, "'mul'", "modified in place");
  BOOST_TEST(!x.has_grad());

  Tensor y = tanh(x);  // tanh keeps its output
  const Tensor loss = sum(y);
  y.detach().fill_(0.0);
  RNNKIT_CHECK_THROWS(loss.backward(), std::logic_error, "'tanh'", "modified in place");
}

BOOST_AUTO_TEST_CASE(backward_misuse_is_a_logic_error) {
  Tensor x = Tensor::from_values({2}, {1, 2}, DType::f64).set_requires_grad();
  const Tensor y = mul(x, 2.0);
  RNNKIT_CHECK_THROWS(y.backward(), std::logic_error, "backward", "[2]", "not a single element",
                      "grad_output");
  RNNKIT_CHECK_THROWS(y.backward(Tensor::ones({3}, DType::f64)), std::invalid_argument, "backward",
                      "expected shape [2] float64", "got [3] float64");
  RNNKIT_CHECK_THROWS(y.backward(Tensor::ones({2}, DType::f32)), std::invalid_argument,
                      "got [2] float32");
  RNNKIT_CHECK_THROWS(x.grad(), std::logic_error, "grad", "no gradient", "[2]");
  const Tensor constant = Tensor::ones({}, DType::f64);
  RNNKIT_CHECK_THROWS(constant.backward(), std::logic_error, "does not require grad");
  RNNKIT_CHECK_THROWS(Tensor::ones({1}, DType::i64).set_requires_grad(), std::invalid_argument,
                      "set_requires_grad", "int64");
  Tensor non_leaf = mul(x, 3.0);
  RNNKIT_CHECK_THROWS(non_leaf.set_requires_grad(false), std::logic_error, "leaf");
  y.backward(Tensor::from_values({2}, {1, 10}, DType::f64));
  BOOST_TEST((x.grad().to_vector() == std::vector<double>{2, 20}));
}

BOOST_AUTO_TEST_CASE(long_chains_backpropagate_and_free_without_deep_recursion) {
  // y <- y + 0.001 tanh(y), 2000 times, y used twice per step: dy_n/dy_0 is the product of
  // 1 + 0.001 (1 - tanh(y_i)^2), computed here in plain doubles.
  Tensor x = Tensor::from_values({1}, {0.3}, DType::f64).set_requires_grad();
  Tensor y = x;
  double value = 0.3, derivative = 1.0;
  for (int i = 0; i < 2000; ++i) {
    y = add(y, mul(tanh(y), 0.001));
    const double t = std::tanh(value);
    derivative *= 1.0 + 0.001 * (1.0 - t * t);
    value += 0.001 * t;
  }
  sum(y).backward();
  BOOST_TEST(y.item() == value, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(x.grad().item() == derivative, boost::test_tools::tolerance(1e-12));
  // Releasing a 200000-node graph must not recurse once per node.
  Tensor z = x;
  for (int i = 0; i < 200000; ++i) z = add(z, 1.0);
  BOOST_TEST(z.item() == 200000.3, boost::test_tools::tolerance(1e-12));
  z = Tensor();
  BOOST_TEST(!z.defined());
}

// ---------------------------------------------------------------- argument errors

BOOST_AUTO_TEST_CASE(op_argument_errors_name_the_op_expected_and_given_and_change_nothing) {
  Tensor a = Tensor::from_values({2, 3}, {1, 2, 3, 4, 5, 6}).set_requires_grad();
  const Tensor b = Tensor::ones({4});
  const Tensor wide = Tensor::ones({2, 3}, DType::f64);
  const auto version = a.version();
  RNNKIT_CHECK_THROWS(add(a, b), std::invalid_argument, "add", "[2, 3]", "[4]", "broadcast");
  RNNKIT_CHECK_THROWS(mul(a, wide), std::invalid_argument, "mul", "float32", "float64");
  RNNKIT_CHECK_THROWS(sub(a, Tensor::ones({2, 3}, DType::boolean)), std::invalid_argument, "sub",
                      "'b'", "float32 or float64", "bool");
  RNNKIT_CHECK_THROWS(div(Tensor(), a), std::invalid_argument, "div", "'a'", "undefined");
  RNNKIT_CHECK_THROWS(matmul(a, Tensor::ones({4, 2})), std::invalid_argument, "matmul", "K=3",
                      "K=4");
  RNNKIT_CHECK_THROWS(matmul(Tensor::ones({2}), a), std::invalid_argument, "matmul",
                      "[M, K] x [K, N]", "[2] x [2, 3]");
  RNNKIT_CHECK_THROWS(transpose(Tensor::ones({2, 3, 4})), std::invalid_argument, "transpose", "2-D",
                      "[2, 3, 4]");
  RNNKIT_CHECK_THROWS(sum(a, 2), std::invalid_argument, "sum", "[-2, 2)", "rank 2", "got 2");
  RNNKIT_CHECK_THROWS(mean(a, -3), std::invalid_argument, "mean", "[-2, 2)", "got -3");
  RNNKIT_CHECK_THROWS(softmax(a, 5), std::invalid_argument, "softmax", "got 5");
  RNNKIT_CHECK_THROWS(log_softmax(Tensor::scalar(1.0)), std::invalid_argument, "log_softmax",
                      "rank >= 1");
  RNNKIT_CHECK_THROWS(slice(a, 1, 2, 4), std::invalid_argument, "slice", "stop <= 3", "stop=4");
  RNNKIT_CHECK_THROWS(select(a, 0, 2), std::invalid_argument, "select", "index 2", "[0, 2)");
  RNNKIT_CHECK_THROWS(reverse(a, 2), std::invalid_argument, "reverse", "got 2");
  RNNKIT_CHECK_THROWS(stack({a, Tensor::ones({3, 2})}), std::invalid_argument, "stack", "[2, 3]",
                      "tensors[1]", "[3, 2]");
  RNNKIT_CHECK_THROWS(concat({a, Tensor::ones({3, 2})}, 0), std::invalid_argument, "concat",
                      "tensors[1]", "[3, 2]", "axis 0");
  RNNKIT_CHECK_THROWS(concat({}, 0), std::invalid_argument, "concat", "at least one");
  RNNKIT_CHECK_THROWS(where(Tensor::ones({2, 3}), a, a), std::invalid_argument, "where",
                      "bool mask", "float32");
  RNNKIT_CHECK_THROWS(sum_to_shape(a, {4}), std::invalid_argument, "sum_to_shape", "[4]");
  RNNKIT_CHECK_THROWS(clip(a, 1.0, 0.0), std::invalid_argument, "clip", "low <= high", "low=1",
                      "high=0");
  RNNKIT_CHECK_THROWS(elu(a, -1.0), std::invalid_argument, "elu", "alpha", "-1");
  RNNKIT_CHECK_THROWS(argmax(Tensor::ones({2, 0})), std::invalid_argument, "argmax", "[2, 0]");
  RNNKIT_CHECK_THROWS(any(a, 0), std::invalid_argument, "any", "bool mask", "float32");
  RNNKIT_CHECK_THROWS(one_hot(Tensor::from_values({2}, {0, 3}, DType::i64), 3),
                      std::invalid_argument, "one_hot", "[0, 3)", "got 3", "index 1");
  RNNKIT_CHECK_THROWS(one_hot(Tensor::ones({2}), 3), std::invalid_argument, "one_hot", "int64",
                      "float32");
  RNNKIT_CHECK_THROWS(unstack(a, 3), std::invalid_argument, "unstack", "got 3");
  BOOST_TEST(a.version() == version);
  BOOST_TEST(a.is_leaf());
  BOOST_TEST(!a.has_grad());
  BOOST_TEST((a.to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6}));
}

// ---------------------------------------------------------------- primitive cache

BOOST_AUTO_TEST_CASE(repeated_float32_ops_and_their_backward_create_no_new_primitive) {
  Tensor x = rnnkit::testing::random_tensor({4, 6}, DType::f32, 3).set_requires_grad();
  const Tensor row = rnnkit::testing::random_tensor({6}, DType::f32, 4);
  const auto step = [&] {
    Tensor y = softmax(tanh(add(x, row)));
    sum(mul(y, y)).backward();
  };
  step();
  const auto before = primitive_cache_stats();
  for (int i = 0; i < 3; ++i) step();
  const auto after = primitive_cache_stats();
  BOOST_TEST(after.misses == before.misses);
  BOOST_TEST(after.size == before.size);
  // add, tanh, softmax, mul, sum forward and at least as many backward primitives per step.
  BOOST_TEST(after.hits >= before.hits + 3 * 8);
}

namespace {

// Restores the default capacity however the test ends.
struct DefaultCapacityOnExit {
  DefaultCapacityOnExit() = default;
  DefaultCapacityOnExit(const DefaultCapacityOnExit&) = delete;
  DefaultCapacityOnExit& operator=(const DefaultCapacityOnExit&) = delete;
  ~DefaultCapacityOnExit() { set_primitive_cache_capacity(1024); }
};

// A float32 [m, k] · [k, 2] product, which needs exactly one primitive (keyed by its shapes).
void matmul_of_rows(std::int64_t m) { (void)matmul(Tensor::ones({m, 3}), Tensor::ones({3, 2})); }

// a · b in plain loops, in double.
std::vector<double> loop_matmul(const std::vector<double>& a, const std::vector<double>& b,
                                std::int64_t m, std::int64_t k, std::int64_t n) {
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t l = 0; l < k; ++l) c[i * n + j] += a[i * k + l] * b[l * n + j];
    }
  }
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_cache_is_bounded_evicts_the_least_recently_used_and_clears) {
  const DefaultCapacityOnExit restore;
  clear_primitive_cache();
  auto s = primitive_cache_stats();
  BOOST_TEST(s.hits == 0u);
  BOOST_TEST(s.misses == 0u);
  BOOST_TEST(s.evictions == 0u);
  BOOST_TEST(s.size == 0u);
  BOOST_TEST(s.capacity == 1024u);

  set_primitive_cache_capacity(2);
  for (std::int64_t m = 1; m <= 6; ++m) matmul_of_rows(m);
  // Six distinct primitives through two slots: the four oldest were evicted.
  s = primitive_cache_stats();
  BOOST_TEST(s.capacity == 2u);
  BOOST_TEST(s.misses == 6u);
  BOOST_TEST(s.size == 2u);
  BOOST_TEST(s.evictions == 4u);
  BOOST_TEST(s.hits == 0u);

  matmul_of_rows(5);  // still cached (m = 5 and 6 are the two most recent)
  matmul_of_rows(1);  // evicted long ago: built again, evicting m = 6 (now the least recent)
  matmul_of_rows(5);  // kept: it was used after m = 6
  s = primitive_cache_stats();
  BOOST_TEST(s.hits == 2u);
  BOOST_TEST(s.misses == 7u);
  BOOST_TEST(s.evictions == 5u);
  BOOST_TEST(s.size == 2u);

  // Growing keeps everything; shrinking evicts down to the new bound.
  set_primitive_cache_capacity(4);
  matmul_of_rows(2);
  matmul_of_rows(3);
  BOOST_TEST(primitive_cache_stats().size == 4u);
  set_primitive_cache_capacity(1);
  s = primitive_cache_stats();
  BOOST_TEST(s.size == 1u);
  BOOST_TEST(s.evictions == 8u);

  RNNKIT_CHECK_THROWS(set_primitive_cache_capacity(0), std::invalid_argument,
                      "set_primitive_cache_capacity", "at least 1", "got 0");
  BOOST_TEST(primitive_cache_stats().capacity == 1u);
  BOOST_TEST(primitive_cache_stats().size == 1u);

  clear_primitive_cache();
  s = primitive_cache_stats();
  BOOST_TEST(s.hits == 0u);
  BOOST_TEST(s.misses == 0u);
  BOOST_TEST(s.evictions == 0u);
  BOOST_TEST(s.size == 0u);
  BOOST_TEST(s.capacity == 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_matmuls_of_different_shapes_match_sequential_runs) {
  const DefaultCapacityOnExit restore;
  // Smaller than the number of shapes, so the threads also evict each other's primitives.
  set_primitive_cache_capacity(2);
  constexpr int threads = 4;
  constexpr int repeats = 40;
  std::vector<Tensor> as, bs, sequential;
  for (int t = 0; t < threads; ++t) {
    const std::int64_t m = 3 + t, k = 5 + 2 * t, n = 2 + t;
    as.push_back(rnnkit::testing::random_tensor({m, k}, DType::f32, 100 + t));
    bs.push_back(rnnkit::testing::random_tensor({k, n}, DType::f32, 200 + t));
    sequential.push_back(matmul(as.back(), bs.back()));
    const auto looped = loop_matmul(as.back().to_vector(), bs.back().to_vector(), m, k, n);
    check_close(sequential.back(), Tensor::from_values({m, n}, looped, DType::f64), 1e-5, 1e-6);
  }
  const auto before = primitive_cache_stats();

  std::vector<int> mismatches(threads, 0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::vector<double> expected = sequential[static_cast<std::size_t>(t)].to_vector();
      for (int i = 0; i < repeats; ++i) {
        const Tensor c = matmul(as[static_cast<std::size_t>(t)], bs[static_cast<std::size_t>(t)]);
        if (c.to_vector() != expected) ++mismatches[static_cast<std::size_t>(t)];
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  for (int t = 0; t < threads; ++t) {
    BOOST_TEST(mismatches[static_cast<std::size_t>(t)] == 0, "thread " << t);
  }
  const auto s = primitive_cache_stats();
  BOOST_TEST(s.size <= 2u);
  BOOST_TEST(s.capacity == 2u);
  // Every product looked its primitive up exactly once; no count was lost to a race.
  BOOST_TEST(s.hits + s.misses == before.hits + before.misses + threads * repeats);
}

BOOST_DATA_TEST_CASE(sum_to_shape_over_any_axes_matches_a_plain_loop,
                     boost::unit_test::data::make({DType::f32, DType::f64}), dtype) {
  // Leading axes (a bias gradient), a middle one, trailing ones, and all of them.
  const Shape shape{3, 5, 4};
  const Tensor x = random_tensor(shape, dtype, 3);
  const std::vector<double> values = x.to(DType::f64).to_vector();
  for (const Shape& target : std::vector<Shape>{
           {1, 1, 4}, {1, 5, 4}, {3, 1, 4}, {3, 5, 1}, {3, 1, 1}, {1, 5, 1}, {1, 1, 1}}) {
    std::vector<double> expected(static_cast<std::size_t>(numel(target)), 0.0);
    for (std::int64_t i = 0; i < 3; ++i) {
      for (std::int64_t j = 0; j < 5; ++j) {
        for (std::int64_t k = 0; k < 4; ++k) {
          const std::int64_t to =
              ((target[0] == 1 ? 0 : i) * target[1] + (target[1] == 1 ? 0 : j)) * target[2] +
              (target[2] == 1 ? 0 : k);
          expected[static_cast<std::size_t>(to)] +=
              values[static_cast<std::size_t>((i * 5 + j) * 4 + k)];
        }
      }
    }
    const Tensor actual = sum_to_shape(x, target);
    BOOST_TEST(actual.shape() == target);
    check_close(actual.to(DType::f64), Tensor::from_values(target, expected, DType::f64),
                dtype == DType::f32 ? 1e-6 : 1e-12, 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(freed_storage_is_kept_for_reuse_and_released_on_request) {
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool recycled = false;  // AddressSanitizer builds free at once to catch stale reads
#else
  constexpr bool recycled = true;
#endif
  release_cached_memory();
  BOOST_TEST(cached_memory_bytes() == 0u);
  { const Tensor scratch = Tensor::zeros({1024}); }
  BOOST_TEST(cached_memory_bytes() == (recycled ? 4096u : 0u));
  // A tensor of a similar size takes the kept block instead of new memory.
  Tensor reused = Tensor::empty({1000});
  BOOST_TEST(cached_memory_bytes() == 0u);
  reused = Tensor();
  BOOST_TEST(cached_memory_bytes() == (recycled ? 4096u : 0u));
  release_cached_memory();
  BOOST_TEST(cached_memory_bytes() == 0u);
}

// Masks that decide whole rows take a row-copy path, others go element by element: both must
// pick what NumPy broadcasting picks, and route gradients the same way.
BOOST_AUTO_TEST_CASE(where_picks_per_broadcast_mask_element) {
  const Shape out_shape{2, 3, 2};
  Tensor a = rnnkit::testing::random_tensor(out_shape, DType::f64, 1).set_requires_grad();
  Tensor b = rnnkit::testing::random_tensor(out_shape, DType::f64, 2).set_requires_grad();
  const std::vector<std::pair<Shape, std::vector<double>>> masks{
      {{2, 1, 1}, {0, 1}},
      {{2, 3, 1}, {1, 0, 0, 1, 1, 0}},
      {{1, 3, 1}, {1, 0, 1}},
      {{3, 2}, {1, 0, 0, 1, 1, 1}},
      {{2}, {0, 1}},
      {{2, 3, 2}, {1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1}}};
  for (const auto& [mask_shape, bits] : masks) {
    BOOST_TEST_CONTEXT("mask " << shape_str(mask_shape)) {
      const Tensor mask = Tensor::from_values(mask_shape, bits, DType::boolean);
      a.clear_grad();
      b.clear_grad();
      const Tensor out = where(mask, a, b);
      sum(out).backward();
      const auto av = a.to_vector(), bv = b.to_vector(), ov = out.to_vector();
      const auto ga = a.grad().to_vector(), gb = b.grad().to_vector();
      // The mask element of output element (i, j, k), broadcast from the right.
      const auto bit = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
        const std::vector<std::int64_t> index{i, j, k};
        const std::size_t lead = 3 - mask_shape.size();
        std::int64_t flat = 0;
        for (std::size_t d = 0; d < mask_shape.size(); ++d) {
          flat = flat * mask_shape[d] + (mask_shape[d] == 1 ? 0 : index[d + lead]);
        }
        return bits[static_cast<std::size_t>(flat)] != 0.0;
      };
      for (std::int64_t i = 0; i < 2; ++i) {
        for (std::int64_t j = 0; j < 3; ++j) {
          for (std::int64_t k = 0; k < 2; ++k) {
            const auto e = static_cast<std::size_t>((i * 3 + j) * 2 + k);
            const bool pick_a = bit(i, j, k);
            BOOST_TEST(ov[e] == (pick_a ? av[e] : bv[e]));
            BOOST_TEST(ga[e] == (pick_a ? 1.0 : 0.0));
            BOOST_TEST(gb[e] == (pick_a ? 0.0 : 1.0));
          }
        }
      }
    }
  }
}

#pragma once

// Helpers shared by the test suites.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/gradcheck.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>

namespace rnnkit::testing {

/// Uniform values in [low, high) from a fixed seed.
inline Tensor random_tensor(Shape shape, DType dtype = DType::f64, std::uint64_t seed = 1,
                            double low = -1.0, double high = 1.0) {
  Generator generator(seed);
  return Tensor::uniform(std::move(shape), low, high, generator, dtype);
}

/// Checks that `statement` throws `Exception` whose message contains every string in `parts`.
#define RNNKIT_CHECK_THROWS(statement, Exception, ...)                                   \
  do {                                                                                   \
    bool rnnkit_thrown = false;                                                          \
    try {                                                                                \
      statement;                                                                         \
    } catch (const Exception& rnnkit_error) {                                            \
      rnnkit_thrown = true;                                                              \
      const std::string rnnkit_message = rnnkit_error.what();                           \
      for (const std::string& rnnkit_part : std::vector<std::string>{__VA_ARGS__}) {     \
        BOOST_TEST(rnnkit_message.find(rnnkit_part) != std::string::npos,                \
                   "message \"" << rnnkit_message << "\" lacks \"" << rnnkit_part << "\""); \
      }                                                                                  \
    }                                                                                    \
    BOOST_TEST(rnnkit_thrown, #statement " did not throw " #Exception);                  \
  } while (false)

/// Asserts gradcheck passes, printing the report when it does not.
#define RNNKIT_CHECK_GRADIENTS(function, inputs, ...)                                   \
  do {                                                                                  \
    const auto rnnkit_report = ::rnnkit::gradcheck(function, inputs, ##__VA_ARGS__);   \
    BOOST_TEST(rnnkit_report.passed, rnnkit_report.summary());                          \
  } while (false)

// gradcheck differentiates its own input tensors, but a layer's gradients land in its Variables.
// This node passes `y` through; its backward runs y's graph itself and hands each variable's
// gradient on to the gradcheck input that holds that variable's value.
inline Tensor route_variable_gradients(const Tensor& y, const std::vector<Variable>& variables,
                                const std::vector<Tensor>& leaves) {
  return record("route_variable_gradients", leaves, y.detach(),
                [y, variables](const std::vector<Tensor>& g) -> std::vector<Tensor> {
                  for (const Variable& v : variables) Tensor(v.value()).clear_grad();
                  y.backward(g[0]);
                  std::vector<Tensor> grads;
                  for (const Variable& v : variables) {
                    grads.push_back(v.value().has_grad() ? v.value().grad() : Tensor());
                  }
                  return grads;
                });
}

/// Whether two lists of tensors (e.g. get_weights()) hold the same shapes and bit-identical
/// values.
inline bool same_values(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape() || a[i].to_vector() != b[i].to_vector()) return false;
  }
  return true;
}

/// Element-wise |a - b| <= atol + rtol * |b|, reporting the worst element.
inline void check_close(const Tensor& actual, const Tensor& expected, double rtol, double atol) {
  BOOST_TEST_REQUIRE((actual.shape() == expected.shape()),
                     "shape " << shape_str(actual.shape()) << " != " << shape_str(expected.shape()));
  const auto a = actual.to_vector();
  const auto e = expected.to_vector();
  double worst = 0.0;
  std::size_t worst_at = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double difference = std::abs(a[i] - e[i]);
    const double ratio = difference == 0.0 ? 0.0 : difference / (atol + rtol * std::abs(e[i]));
    if (!(ratio <= worst)) {
      worst = ratio;
      worst_at = i;
    }
  }
  BOOST_TEST(worst <= 1.0, "worst element " << worst_at << ": " << (a.empty() ? 0 : a[worst_at])
                                            << " vs " << (e.empty() ? 0 : e[worst_at]) << " ("
                                            << worst << " of the allowed error)");
}

}  // namespace rnnkit::testing

#define BOOST_TEST_MODULE metrics
#include <rnnkit/framework/metrics.h>

#include <boost/test/unit_test.hpp>
#include <vector>

#include "test_support.h"

using namespace rnnkit;

BOOST_AUTO_TEST_CASE(binary_accuracy_thresholds_predictions_and_compares_labels_exactly) {
  const Tensor y_true = Tensor::from_values({4, 1}, {1, 0, 1, 0});
  const Tensor y_pred = Tensor::from_values({4, 1}, {0.7, 0.2, 0.5, 0.9});
  // 0.5 is not above the threshold, so the third sample is a miss.
  BOOST_TEST(
      metrics::binary_accuracy(y_true, y_pred).to_vector() == std::vector<double>({1, 1, 0, 0}),
      boost::test_tools::per_element());
  BOOST_TEST(metrics::binary_accuracy(Tensor::from_values({4}, {1, 0, 1, 0}), y_pred).shape() ==
             Shape({4}));
  BOOST_TEST(metrics::binary_accuracy(y_true, y_pred, 0.1).to_vector() ==
                 std::vector<double>({1, 0, 1, 0}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(binary_accuracy_averages_the_last_axis) {
  const Tensor y_true = Tensor::from_values({1, 2, 2}, {1, 1, 0, 1});
  const Tensor y_pred = Tensor::from_values({1, 2, 2}, {0.9, 0.1, 0.1, 0.9});
  BOOST_TEST(
      metrics::binary_accuracy(y_true, y_pred).to_vector() == std::vector<double>({0.5, 1.0}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(categorical_accuracy_compares_argmaxes) {
  const Tensor y_true = Tensor::from_values({3, 3}, {0, 1, 0, 1, 0, 0, 0, 0, 1});
  const Tensor y_pred = Tensor::from_values({3, 3}, {0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4});
  BOOST_TEST(
      metrics::categorical_accuracy(y_true, y_pred).to_vector() == std::vector<double>({1, 0, 1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sparse_categorical_accuracy_takes_ids_with_or_without_a_trailing_one) {
  const Tensor y_pred = Tensor::from_values({3, 3}, {0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4});
  const std::vector<double> expected = {1, 0, 1};
  const Tensor ids = Tensor::from_values({3}, {1, 0, 2}, DType::i64);
  BOOST_TEST(metrics::sparse_categorical_accuracy(ids, y_pred).to_vector() == expected,
             boost::test_tools::per_element());
  BOOST_TEST(
      metrics::sparse_categorical_accuracy(ids.reshape({3, 1}), y_pred).to_vector() == expected,
      boost::test_tools::per_element());
  BOOST_TEST(metrics::sparse_categorical_accuracy(Tensor::from_values({3}, {1, 0, 2}), y_pred)
                     .to_vector() == expected,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(mismatched_labels_are_refused_with_the_shapes) {
  const Tensor y_pred = Tensor::from_values({2, 3}, {0.1, 0.8, 0.1, 0.2, 0.7, 0.1});
  RNNKIT_CHECK_THROWS(metrics::categorical_accuracy(Tensor::zeros({2, 2}), y_pred),
                      std::invalid_argument, "categorical_accuracy", "[2, 3]", "[2, 2]");
  RNNKIT_CHECK_THROWS(metrics::sparse_categorical_accuracy(Tensor::zeros({3}), y_pred),
                      std::invalid_argument, "sparse_categorical_accuracy", "[3]");
}

#define BOOST_TEST_MODULE gather_rows
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/ops.h>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <vector>

#include "test_support.h"

// gather_rows, the lookup behind Embedding: values against an index loop, the scatter-add
// gradient against finite differences and exact row counts, and its argument checks.

using namespace rnnkit;
using rnnkit::testing::check_close;
using rnnkit::testing::random_tensor;
namespace bdata = boost::unit_test::data;

namespace {

Tensor ids_of(Shape shape, std::vector<double> values) {
  return Tensor::from_values(std::move(shape), values, DType::i64);
}

// out[s, d] = table[ids[s], d], by element.
Tensor by_hand(const Tensor& table, const Tensor& ids) {
  const std::vector<double> t = table.to_vector(), id = ids.to_vector();
  const std::int64_t columns = table.size(1);
  std::vector<double> out;
  for (double row : id) {
    for (std::int64_t d = 0; d < columns; ++d) {
      out.push_back(t[static_cast<std::size_t>(static_cast<std::int64_t>(row) * columns + d)]);
    }
  }
  Shape shape = ids.shape();
  shape.push_back(columns);
  return Tensor::from_values(shape, out, table.dtype());
}

}  // namespace

BOOST_DATA_TEST_CASE(rows_are_copied_for_ids_of_any_rank,
                     bdata::make({0, 1, 2}) * bdata::make({DType::f32, DType::f64}), rank, dtype) {
  const Tensor table = random_tensor({5, 3}, dtype, 1);
  const Tensor ids = rank == 0   ? ids_of({}, {4})
                     : rank == 1 ? ids_of({4}, {2, 0, 4, 2})
                                 : ids_of({2, 3}, {1, 1, 3, 0, 4, 1});
  const Tensor out = gather_rows(table, ids);
  BOOST_TEST((out.dtype() == dtype));
  check_close(out, by_hand(table, ids), 0.0, 0.0);
  BOOST_TEST(!out.requires_grad());
}

BOOST_AUTO_TEST_CASE(gradient_matches_finite_differences_with_repeated_ids) {
  const std::vector<Tensor> inputs{random_tensor({4, 3}, DType::f64, 2),
                                   ids_of({2, 3}, {3, 1, 3, 3, 0, 1})};
  const auto function = [](const std::vector<Tensor>& in) { return gather_rows(in[0], in[1]); };
  RNNKIT_CHECK_GRADIENTS(function, inputs);
}

BOOST_DATA_TEST_CASE(repeated_ids_accumulate_their_gradients, bdata::make({DType::f32, DType::f64}),
                     dtype) {
  Tensor table = random_tensor({4, 2}, dtype, 3).set_requires_grad();
  sum(gather_rows(table, ids_of({5}, {2, 0, 2, 2, 0}))).backward();
  // d sum / d table[r, :] = how often r was picked: row 0 twice, row 2 three times.
  check_close(table.grad(), Tensor::from_values({4, 2}, {2, 2, 0, 0, 3, 3, 0, 0}, dtype), 0.0, 0.0);
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw) {
  const Tensor table = random_tensor({3, 2}, DType::f64, 4);
  RNNKIT_CHECK_THROWS(gather_rows(table, ids_of({2, 2}, {0, 1, 2, 3})), std::invalid_argument,
                      "gather_rows", "ids[1, 1]", "= 3", "3 rows", "[0, 3)");
  RNNKIT_CHECK_THROWS(gather_rows(table, ids_of({2}, {0, -1})), std::invalid_argument, "ids[1]",
                      "= -1", "3 rows");
  RNNKIT_CHECK_THROWS(gather_rows(table, Tensor::zeros({2}, DType::f64)), std::invalid_argument,
                      "gather_rows", "int64", "float64");
  RNNKIT_CHECK_THROWS(gather_rows(table, Tensor()), std::invalid_argument, "gather_rows", "ids",
                      "undefined");
  RNNKIT_CHECK_THROWS(gather_rows(random_tensor({6}, DType::f64, 5), ids_of({1}, {0})),
                      std::invalid_argument, "gather_rows", "2-D", "[6]");
  RNNKIT_CHECK_THROWS(gather_rows(Tensor::zeros({3, 2}, DType::i64), ids_of({1}, {0})),
                      std::invalid_argument, "gather_rows", "table", "float");
}

#define BOOST_TEST_MODULE embedding_masking
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/initializers/initializers.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/embedding.h>
#include <rnnkit/layers/masking.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/optim/sgd.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "test_support.h"

// Embedding and Masking (spec §11): values against index loops, masks against the rule written
// out, gradients against finite differences, regularizers, constraints, errors, and the mask
// flowing through forward() into SimpleRNN and past Dense.

using namespace rnnkit;
using layers::Embedding;
using layers::LayerOutput;
using layers::Masking;
using rnnkit::testing::check_close;
using rnnkit::testing::random_tensor;
using rnnkit::testing::route_variable_gradients;
namespace bdata = boost::unit_test::data;

namespace {

Tensor ids_of(Shape shape, std::vector<double> values, DType dtype = DType::i64) {
  return Tensor::from_values(std::move(shape), values, dtype);
}

// out[s, :] = table[ids[s], :], element by element.
Tensor lookup_by_hand(const Tensor& table, const Tensor& ids) {
  const std::vector<double> t = table.to_vector();
  const std::int64_t columns = table.size(1);
  std::vector<double> out;
  for (double id : ids.to_vector()) {
    const auto row = static_cast<std::int64_t>(id);
    for (std::int64_t d = 0; d < columns; ++d) {
      out.push_back(t[static_cast<std::size_t>(row * columns + d)]);
    }
  }
  Shape shape = ids.shape();
  shape.push_back(columns);
  return Tensor::from_values(shape, out, table.dtype());
}

Tensor flat(const Tensor& t) { return t.reshape({t.numel()}); }

double max_abs_difference(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  double worst = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  return worst;
}

// Row `t` of batch entry `b` of a [B, T, F] tensor.
Tensor step(const Tensor& x, std::int64_t b, std::int64_t t) {
  return select(select(x, 0, b), 0, t);
}

// x [2, 4, 3] of values away from every mask value used here, with the steps of `fully` set to
// `mask_value` in every feature and, in `partly`, only features 0 and 2.
Tensor with_masked_steps(DType dtype, double mask_value,
                         const std::vector<std::pair<std::int64_t, std::int64_t>>& fully,
                         const std::vector<std::pair<std::int64_t, std::int64_t>>& partly) {
  Tensor x = random_tensor({2, 4, 3}, dtype, 9, 1.0, 2.0);
  for (auto [b, t] : fully) {
    for (std::int64_t f = 0; f < 3; ++f) x.set({b, t, f}, mask_value);
  }
  for (auto [b, t] : partly) {
    x.set({b, t, 0}, mask_value);
    x.set({b, t, 2}, mask_value);
  }
  return x;
}

}  // namespace

// ----------------------------------------------------------------------------------- Embedding

BOOST_DATA_TEST_CASE(embedding_outputs_are_the_table_rows,
                     bdata::make({DType::f32, DType::f64}) *
                         bdata::make({DType::i64, DType::f32, DType::f64}) * bdata::make({1, 2}),
                     dtype, ids_dtype, rank) {
  const Tensor table = random_tensor({6, 4}, DType::f64, 1);
  const Tensor ids =
      rank == 1 ? ids_of({3}, {5, 0, 3}, ids_dtype) : ids_of({2, 3}, {1, 5, 5, 0, 2, 4}, ids_dtype);
  Embedding layer(6, 4, {.dtype = dtype});
  layer.build(ids.shape());
  layer.set_weights({table});
  const Tensor out = layer(ids);
  BOOST_TEST((out.dtype() == dtype));
  check_close(out, lookup_by_hand(table.to(dtype), ids), 0.0, 0.0);
  BOOST_TEST(layer.losses().empty());
  const LayerOutput forward = layer.forward(ids, Tensor(), true);
  BOOST_TEST_REQUIRE(forward.outputs.size() == 1u);
  check_close(forward.outputs[0], out, 0.0, 0.0);
}

BOOST_DATA_TEST_CASE(mask_zero_hands_on_ids_not_equal_to_zero,
                     bdata::make({DType::i64, DType::f64}), ids_dtype) {
  const Tensor ids = ids_of({2, 4}, {3, 1, 0, 0, 0, 2, 0, 5}, ids_dtype);
  const std::vector<double> expected{1, 1, 0, 0, 0, 1, 0, 1};
  const Tensor incoming = Tensor::ones({2, 4}, DType::boolean);
  Embedding masking(6, 2, {.mask_zero = true});
  const LayerOutput out = masking.forward(ids, incoming, false);
  BOOST_TEST((out.mask.dtype() == DType::boolean));
  BOOST_TEST((out.mask.shape() == Shape{2, 4}));
  BOOST_TEST(out.mask.to_vector() == expected, boost::test_tools::per_element());
  // Padded steps still look up row 0; only the mask marks them.
  check_close(out.outputs[0], lookup_by_hand(masking.embeddings().value(), ids), 0.0, 0.0);
  // Without mask_zero there is no mask, whatever came in.
  Embedding plain(6, 2);
  BOOST_TEST(!plain.forward(ids, incoming, false).mask.defined());
}

BOOST_AUTO_TEST_CASE(embedding_defaults_names_and_the_uniform_initializer) {
  layers::reset_layer_names();
  Embedding layer(50, 20), other({.input_dim = 2, .output_dim = 3}), named(2, 3, {.name = "words"});
  BOOST_TEST(layer.name() == "embedding");
  BOOST_TEST(other.name() == "embedding_1");
  BOOST_TEST(named.name() == "words");
  BOOST_TEST(layer.class_name() == "Embedding");
  BOOST_TEST(layer.input_dim() == 50);
  BOOST_TEST(layer.output_dim() == 20);
  BOOST_TEST(other.input_dim() == 2);
  BOOST_TEST(other.output_dim() == 3);
  BOOST_TEST(!layer.mask_zero());
  BOOST_TEST(layer.input_length() == 0);
  BOOST_TEST(!layer.embeddings_regularizer());
  BOOST_TEST(!layer.activity_regularizer());
  BOOST_TEST(!layer.embeddings_constraint());
  BOOST_TEST((layer.dtype() == DType::f32));
  BOOST_TEST(!layer.built());
  layer.build({2, 7});
  BOOST_TEST(layer.built());
  BOOST_TEST(layer.embeddings().name() == "embedding/embeddings:0");
  BOOST_TEST((layer.embeddings().value().shape() == Shape{50, 20}));
  BOOST_TEST(layer.count_params() == 50 * 20);
  // "uniform" is Keras's RandomUniform(-0.05, 0.05) (spec §4, §11).
  const auto* uniform =
      dynamic_cast<const initializers::RandomUniform*>(&layer.embeddings_initializer().get());
  BOOST_TEST_REQUIRE(uniform != nullptr);
  BOOST_TEST(uniform->minval() == -0.05);
  BOOST_TEST(uniform->maxval() == 0.05);
  const std::vector<double> values = layer.embeddings().value().to_vector();
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  BOOST_TEST(*low >= static_cast<double>(-0.05f));
  BOOST_TEST(*high <= static_cast<double>(0.05f));
  // 1000 draws spread over the whole interval.
  BOOST_TEST(*low < -0.04);
  BOOST_TEST(*high > 0.04);
}

BOOST_AUTO_TEST_CASE(embedding_gradients_match_finite_differences_with_repeated_ids) {
  const Tensor ids = ids_of({2, 4}, {4, 1, 4, 0, 1, 1, 3, 4});
  const std::vector<Tensor> inputs{random_tensor({5, 3}, DType::f64, 2)};
  auto function = [&](const std::vector<Tensor>& in) {
    Embedding layer(
        5, 3, {.embeddings_regularizer = "l2", .activity_regularizer = "l2", .dtype = DType::f64});
    layer.build(ids.shape());
    layer.set_weights({in[0]});
    std::vector<Tensor> parts{flat(layer(ids))};
    for (const Tensor& loss : layer.losses()) parts.push_back(flat(loss));
    return route_variable_gradients(concat(parts, 0), layer.weights(), in);
  };
  RNNKIT_CHECK_GRADIENTS(function, inputs);
}

BOOST_AUTO_TEST_CASE(embedding_losses_are_the_regularizer_values) {
  const Tensor table = Tensor::from_values({3, 2}, {0.5, -1.0, 2.0, 0.25, -0.1, 0.3}, DType::f64);
  Embedding layer(3, 2,
                  {.embeddings_regularizer = regularizers::L2(0.1),
                   .activity_regularizer = regularizers::L1(0.5),
                   .dtype = DType::f64});
  layer.build({2, 2});
  layer.set_weights({table});
  layer(ids_of({2, 2}, {0, 2, 2, 1}));
  BOOST_TEST_REQUIRE(layer.losses().size() == 2u);
  // Factors are stored as float32 (spec §5). embeddings: 0.1 * (0.25 + 1 + 4 + 0.0625 + 0.01
  // + 0.09).
  const double l2 = static_cast<float>(0.1);
  BOOST_TEST(layer.losses()[0].item() == l2 * 5.4125, boost::test_tools::tolerance(1e-12));
  // rows 0, 2, 2, 1: Σ|out| = 1.5 + 0.4 + 0.4 + 2.25; activity 0.5 * Σ|out| / batch 2.
  BOOST_TEST(layer.losses()[1].item() == 0.5 * 4.55 / 2.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(embedding_constraint_is_applied_after_an_sgd_step) {
  Embedding layer(3, 2, {.embeddings_constraint = constraints::NonNeg(), .dtype = DType::f64});
  layer.build({1, 3});
  layer.set_weights({Tensor::from_values({3, 2}, {0.05, 0.3, 0.2, 0.15, 0.4, 0.5}, DType::f64)});
  // d sum(out) / d row r = how often r is looked up: row 0 twice, row 2 once.
  sum(layer(ids_of({1, 3}, {0, 2, 0}))).backward();
  optim::SGD sgd({.learning_rate = 0.1});
  sgd.apply(layer.trainable_weights());
  // row 0: [0.05, 0.3] - 0.2 = [-0.15, 0.1] -> NonNeg -> [0, 0.1]; row 1 untouched;
  // row 2: [0.4, 0.5] - 0.1 = [0.3, 0.4].
  check_close(layer.embeddings().value(),
              Tensor::from_values({3, 2}, {0.0, 0.1, 0.2, 0.15, 0.3, 0.4}, DType::f64), 1e-12,
              1e-12);
}

BOOST_AUTO_TEST_CASE(embedding_bad_options_throw_and_draw_no_name) {
  layers::reset_layer_names();
  RNNKIT_CHECK_THROWS(Embedding(0, 3), std::invalid_argument, "Embedding", "input_dim", "positive",
                      "0");
  RNNKIT_CHECK_THROWS(Embedding(5, -1, {.name = "e"}), std::invalid_argument, "Embedding 'e'",
                      "output_dim", "-1");
  RNNKIT_CHECK_THROWS(Embedding(5, 3, {.input_dim = 6}), std::invalid_argument, "input_dim",
                      "given twice", "5", "6");
  RNNKIT_CHECK_THROWS(Embedding(5, 3, {.output_dim = 4}), std::invalid_argument, "output_dim",
                      "given twice", "3", "4");
  RNNKIT_CHECK_THROWS(Embedding({.input_dim = 5, .output_dim = 3, .input_length = -2}),
                      std::invalid_argument, "input_length", "-2");
  RNNKIT_CHECK_THROWS(Embedding(5, 3, {.dtype = DType::i64}), std::invalid_argument, "dtype",
                      "int64");
  BOOST_TEST(Embedding(2, 2).name() == "embedding");
}

BOOST_AUTO_TEST_CASE(embedding_bad_ids_throw_and_change_nothing) {
  layers::reset_layer_names();
  Embedding layer(10, 3, {.embeddings_regularizer = "l2", .dtype = DType::f64});
  // A rejected first call builds nothing.
  RNNKIT_CHECK_THROWS(layer(ids_of({2, 3}, {1, 2, 3, 4, 10, 5})), std::invalid_argument,
                      "Embedding 'embedding'", "inputs[1, 1]", "= 10", "input_dim", "[0, 10)");
  BOOST_TEST(!layer.built());
  BOOST_TEST(layer.weights().empty());

  layer(ids_of({1, 2}, {1, 2}));
  const std::vector<Tensor> before = layer.get_weights();
  const std::vector<Tensor> losses_before = layer.losses();
  BOOST_TEST_REQUIRE(losses_before.size() == 1u);
  RNNKIT_CHECK_THROWS(layer.forward(ids_of({2}, {3, -1}), Tensor(), true), std::invalid_argument,
                      "inputs[1]", "= -1", "input_dim", "[0, 10)");
  RNNKIT_CHECK_THROWS(layer(ids_of({2}, {10, 1}, DType::f32)), std::invalid_argument, "inputs[0]",
                      "= 10", "input_dim");
  RNNKIT_CHECK_THROWS(layer(ids_of({1, 2}, {1, 2.5}, DType::f64)), std::invalid_argument, "integer",
                      "inputs[0, 1]", "2.5");
  RNNKIT_CHECK_THROWS(layer(ids_of({1}, {std::numeric_limits<double>::quiet_NaN()}, DType::f64)),
                      std::invalid_argument, "integer", "nan");
  RNNKIT_CHECK_THROWS(layer(Tensor::ones({2}, DType::boolean)), std::invalid_argument, "inputs",
                      "int64", "bool");
  RNNKIT_CHECK_THROWS(layer(Tensor()), std::invalid_argument, "inputs", "undefined");
  RNNKIT_CHECK_THROWS(layer(ids_of({}, {1})), std::invalid_argument, "min_ndim=1", "ndim=0");
  BOOST_TEST(layer.weights().size() == 1u);
  check_close(layer.embeddings().value(), before[0], 0.0, 0.0);
  BOOST_TEST_REQUIRE(layer.losses().size() == 1u);
  BOOST_TEST(layer.losses()[0].shares_storage_with(losses_before[0]));
}

BOOST_AUTO_TEST_CASE(embedding_input_length_fixes_the_sequence_length) {
  Embedding layer(10, 3, {.input_length = 4});
  BOOST_TEST(layer.input_length() == 4);
  BOOST_TEST((layer(ids_of({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})).shape() == Shape{2, 4, 3}));
  RNNKIT_CHECK_THROWS(layer(ids_of({2, 3}, {1, 2, 3, 4, 5, 6})), std::invalid_argument,
                      "input_length", "[batch, 4]", "[2, 3]");
  RNNKIT_CHECK_THROWS(layer(ids_of({4}, {1, 2, 3, 4})), std::invalid_argument, "input_length",
                      "[4]");
  RNNKIT_CHECK_THROWS(layer.build({2, 5}), std::invalid_argument, "input_length", "[2, 5]");
}

// ------------------------------------------------------------------------------------- Masking

BOOST_DATA_TEST_CASE(masking_zeroes_fully_masked_steps_and_returns_their_mask,
                     bdata::make({DType::f32, DType::f64}) * bdata::make({0.0, 0.5, 0.1}), dtype,
                     mask_value) {
  // Fully masked: (0, 1), (1, 0), (1, 3). Partly equal, so kept: (0, 2), (1, 2).
  const Tensor x = with_masked_steps(dtype, mask_value, {{0, 1}, {1, 0}, {1, 3}}, {{0, 2}, {1, 2}});
  const std::vector<double> expected_mask{1, 0, 1, 1, 0, 1, 1, 0};
  std::vector<double> expected = x.to_vector();
  for (std::size_t step = 0; step < expected_mask.size(); ++step) {
    if (expected_mask[step] == 0) std::fill_n(expected.begin() + 3 * step, 3, 0.0);
  }
  Masking masking({.mask_value = mask_value, .dtype = dtype});
  BOOST_TEST(masking.mask_value() == mask_value);
  const Tensor out = masking(x);
  BOOST_TEST((out.dtype() == dtype));
  check_close(out, Tensor::from_values({2, 4, 3}, expected, dtype), 0.0, 0.0);
  // An incoming mask is replaced by the layer's own.
  const LayerOutput forward = masking.forward(x, Tensor::ones({2, 4}, DType::boolean), true);
  BOOST_TEST_REQUIRE(forward.outputs.size() == 1u);
  check_close(forward.outputs[0], out, 0.0, 0.0);
  BOOST_TEST((forward.mask.dtype() == DType::boolean));
  BOOST_TEST((forward.mask.shape() == Shape{2, 4}));
  BOOST_TEST(forward.mask.to_vector() == expected_mask, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(masking_gradient_is_the_mask) {
  Tensor x = with_masked_steps(DType::f64, 0.0, {{0, 3}, {1, 1}}, {{0, 0}}).set_requires_grad();
  const Tensor w = random_tensor({2, 4, 3}, DType::f64, 3);
  Masking masking({.dtype = DType::f64});
  sum(mul(masking(x), w)).backward();
  std::vector<double> expected = w.to_vector();
  for (std::size_t step : {3u, 5u}) std::fill_n(expected.begin() + 3 * step, 3, 0.0);
  check_close(x.grad(), Tensor::from_values({2, 4, 3}, expected, DType::f64), 0.0, 0.0);
}

BOOST_AUTO_TEST_CASE(masking_gradients_match_finite_differences) {
  // Finite differences cannot step across the mask's jump, so the fully masked step is a
  // constant joined to the differentiated steps; features equal to mask_value in kept steps are
  // differentiated.
  Tensor kept = random_tensor({2, 3, 3}, DType::f64, 4);
  kept.set({0, 1, 0}, 0.5);
  kept.set({1, 2, 2}, 0.5);
  const Tensor masked_step = Tensor::full({2, 1, 3}, 0.5, DType::f64);
  const auto function = [&](const std::vector<Tensor>& in) {
    Masking masking({.mask_value = 0.5, .dtype = DType::f64});
    return masking(concat({in[0], masked_step}, 1));
  };
  RNNKIT_CHECK_GRADIENTS(function, std::vector<Tensor>{kept});
}

BOOST_AUTO_TEST_CASE(masking_defaults_and_bad_inputs) {
  layers::reset_layer_names();
  Masking masking;
  BOOST_TEST(masking.name() == "masking");
  BOOST_TEST(masking.class_name() == "Masking");
  BOOST_TEST(masking.mask_value() == 0.0);
  BOOST_TEST(masking.weights().empty());
  RNNKIT_CHECK_THROWS(masking(Tensor::ones({3})), std::invalid_argument, "Masking 'masking'",
                      "min_ndim=2", "ndim=1");
  RNNKIT_CHECK_THROWS(masking(Tensor::ones({2, 3}, DType::i64)), std::invalid_argument, "inputs",
                      "float");
  RNNKIT_CHECK_THROWS(masking(Tensor()), std::invalid_argument, "inputs", "undefined");
  // A float64 input to the default float32 layer comes out float32.
  BOOST_TEST((masking(Tensor::ones({1, 2, 2}, DType::f64)).dtype() == DType::f32));
}

// ----------------------------------------------------------------------- masks through forward()

BOOST_DATA_TEST_CASE(embedding_mask_zero_makes_simple_rnn_ignore_right_padding,
                     bdata::make({DType::f32, DType::f64}), dtype) {
  Embedding embed(6, 3, {.mask_zero = true, .dtype = dtype});
  layers::SimpleRNN rnn(4, {.dtype = dtype});
  const LayerOutput embedded =
      embed.forward(ids_of({2, 5}, {3, 1, 4, 0, 0, 2, 5, 0, 0, 0}), Tensor(), false);
  const LayerOutput out = rnn.forward(embedded.outputs[0], embedded.mask, false);
  // Only the last output comes back, so no mask goes on (spec §2.5).
  BOOST_TEST(!out.mask.defined());
  BOOST_TEST_REQUIRE(out.outputs.size() == 1u);
  const Tensor alone0 = rnn(embed(ids_of({1, 3}, {3, 1, 4})));
  const Tensor alone1 = rnn(embed(ids_of({1, 2}, {2, 5})));
  const double tolerance = dtype == DType::f32 ? 1e-6 : 1e-13;
  check_close(select(out.outputs[0], 0, 0), select(alone0, 0, 0), tolerance, tolerance);
  check_close(select(out.outputs[0], 0, 1), select(alone1, 0, 0), tolerance, tolerance);
  // Without the mask the padding runs through the cell and changes the result.
  const Tensor unmasked = rnn.forward(embedded.outputs[0], Tensor(), false).outputs[0];
  BOOST_TEST(max_abs_difference(select(unmasked, 0, 0), select(alone0, 0, 0)) > 1e-4);
}

BOOST_AUTO_TEST_CASE(masking_mask_flows_through_simple_rnn_sequences_and_dense) {
  Tensor x = random_tensor({2, 4, 5}, DType::f64, 5);
  for (auto [b, t] : {std::pair<std::int64_t, std::int64_t>{0, 2}, {1, 0}, {1, 3}}) {
    for (std::int64_t f = 0; f < 5; ++f) x.set({b, t, f}, 0.0);
  }
  const std::vector<double> expected_mask{1, 1, 0, 1, 0, 1, 1, 0};
  Masking masking({.dtype = DType::f64});
  layers::SimpleRNN rnn(3, {.return_sequences = true, .dtype = DType::f64});
  layers::Dense dense(2, {.dtype = DType::f64});
  const LayerOutput masked = masking.forward(x, Tensor(), true);
  const LayerOutput sequence = rnn.forward(masked.outputs[0], masked.mask, true);
  const LayerOutput projected = dense.forward(sequence.outputs[0], sequence.mask, true);
  BOOST_TEST(masked.mask.to_vector() == expected_mask, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(sequence.mask.defined());
  BOOST_TEST(sequence.mask.to_vector() == expected_mask, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(projected.mask.defined());
  BOOST_TEST(projected.mask.to_vector() == expected_mask, boost::test_tools::per_element());
  BOOST_TEST((projected.outputs[0].shape() == Shape{2, 4, 2}));
  // The RNN consumed the mask (spec §2.5): a masked step repeats the previous output, and a
  // leading masked step outputs zeros.
  const Tensor& h = sequence.outputs[0];
  check_close(step(h, 0, 2), step(h, 0, 1), 0.0, 0.0);
  check_close(step(h, 1, 0), Tensor::zeros({3}, DType::f64), 0.0, 0.0);
  check_close(step(h, 1, 3), step(h, 1, 2), 0.0, 0.0);
  BOOST_TEST(max_abs_difference(step(h, 0, 3), step(h, 0, 2)) > 1e-6);
}

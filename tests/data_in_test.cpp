// Getting data in: Tensor::from_values from float, double and int64 values, Tensor::from_buffer
// over the caller's memory, pad_sequences (keras.utils.pad_sequences) and argmax along an axis.
#define BOOST_TEST_MODULE data_in
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/preprocessing.h>
#include <rnnkit/framework/tensor.h>

#include <array>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "test_support.h"

using namespace rnnkit;

namespace {

std::vector<std::int64_t> int64_values(const Tensor& t) {
  const std::int64_t* p = t.data<std::int64_t>();
  return {p, p + t.numel()};
}

const std::vector<std::vector<std::int64_t>> keras_example{{1}, {2, 3}, {4, 5, 6}};

// pad_sequences(keras_example, options) as int64 rows, checked to be [3, width].
std::vector<std::int64_t> padded(const PadSequencesOptions& options, std::int64_t width) {
  const Tensor t = pad_sequences(keras_example, options);
  BOOST_TEST((t.shape() == Shape{3, width}));
  BOOST_TEST(t.dtype() == DType::i64);
  return int64_values(t);
}

// 2^53 + 1: not a double, so it only survives a path that never goes through one.
constexpr std::int64_t beyond_double = 9007199254740993;

}  // namespace

BOOST_AUTO_TEST_SUITE(from_values)

BOOST_AUTO_TEST_CASE(takes_a_vector_of_float) {
  const std::vector<float> values{1.5F, -2.25F, 3.0F, 0.1F};
  const Tensor t = Tensor::from_values({2, 2}, values);
  BOOST_TEST(t.dtype() == DType::f32);
  BOOST_TEST((t.shape() == Shape{2, 2}));
  const float* p = t.data<float>();
  BOOST_TEST((std::vector<float>(p, p + 4) == values));
  BOOST_TEST(Tensor::from_values({4}, values, DType::f64).at({3}) == static_cast<double>(0.1F));
}

BOOST_AUTO_TEST_CASE(takes_a_vector_of_int64_exactly_and_defaults_to_int64) {
  const std::vector<std::int64_t> ids{3, -4, beyond_double};
  const Tensor t = Tensor::from_values({3}, ids);
  BOOST_TEST(t.dtype() == DType::i64);
  BOOST_TEST(int64_values(t) == ids);
  BOOST_TEST(Tensor::from_values({3}, ids, DType::f32).at({1}) == -4.0);
  BOOST_TEST(
      (Tensor::from_values({3}, std::vector<std::int64_t>{0, 2, -1}, DType::boolean).to_vector() ==
       std::vector<double>{0, 1, 1}));
}

BOOST_AUTO_TEST_CASE(takes_spans_of_float_double_and_int64) {
  const std::array<float, 4> floats{1, 2, 3, 4};
  const std::array<double, 4> doubles{0.5, 1.5, 2.5, 3.5};
  const std::array<std::int64_t, 4> ints{7, 8, 9, beyond_double};
  BOOST_TEST((Tensor::from_values({2}, std::span<const float>(floats).subspan(2)).to_vector() ==
              std::vector<double>{3, 4}));
  BOOST_TEST((Tensor::from_values({1, 2}, std::span<const double>(doubles).first(2), DType::f64)
                  .to_vector() == std::vector<double>{0.5, 1.5}));
  BOOST_TEST((int64_values(Tensor::from_values({2}, std::span<const std::int64_t>(ints).last(2))) ==
              std::vector<std::int64_t>{9, beyond_double}));
}

BOOST_AUTO_TEST_CASE(refuses_a_count_that_does_not_fill_the_shape) {
  const std::vector<float> three(3, 1.0F);
  const std::vector<std::int64_t> five(5, 1);
  RNNKIT_CHECK_THROWS(Tensor::from_values({2, 2}, three), std::invalid_argument,
                      "Tensor::from_values", "[2, 2]", "needs 4 values, got 3");
  RNNKIT_CHECK_THROWS(Tensor::from_values({2, 2}, five), std::invalid_argument,
                      "needs 4 values, got 5");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(from_buffer)

BOOST_AUTO_TEST_CASE(views_the_callers_floats_without_copying) {
  std::vector<float> buffer{1, 2, 3, 4, 5, 6};
  Tensor t = Tensor::from_buffer({2, 3}, std::span<float>(buffer));
  BOOST_TEST(t.dtype() == DType::f32);
  BOOST_TEST(t.data<float>() == buffer.data());
  BOOST_TEST(t.at({1, 2}) == 6.0);
  buffer[4] = -5.0F;
  BOOST_TEST(t.at({1, 1}) == -5.0);
  const std::uint64_t before = t.version();
  t.set({0, 0}, 9.0);  // writes through the tensor reach the buffer and bump the version
  BOOST_TEST(buffer[0] == 9.0F);
  BOOST_TEST(t.version() == before + 1);
  BOOST_TEST(t.reshape({6}).shares_storage_with(t));
  BOOST_TEST(!(t + 1.0).shares_storage_with(t));  // ops write new storage, never the buffer
  BOOST_TEST(buffer[1] == 2.0F);
}

BOOST_AUTO_TEST_CASE(views_doubles_and_int64) {
  std::array<double, 2> doubles{0.25, 0.75};
  std::array<std::int64_t, 3> ids{1, beyond_double, 3};
  const Tensor d = Tensor::from_buffer({2}, std::span<double>(doubles));
  const Tensor i = Tensor::from_buffer({3, 1}, std::span<std::int64_t>(ids));
  BOOST_TEST(d.dtype() == DType::f64);
  BOOST_TEST(d.data<double>() == doubles.data());
  BOOST_TEST(i.dtype() == DType::i64);
  BOOST_TEST(i.data<std::int64_t>() == ids.data());
  BOOST_TEST(int64_values(i)[1] == beyond_double);
}

BOOST_AUTO_TEST_CASE(gradients_get_their_own_storage) {
  std::vector<double> buffer{1, -2, 3};
  Tensor w = Tensor::from_buffer({3}, std::span<double>(buffer));
  w.set_requires_grad();
  sum(mul(w, w)).backward();
  BOOST_TEST((w.grad().to_vector() == std::vector<double>{2, -4, 6}));
  BOOST_TEST(!w.grad().shares_storage_with(w));
  BOOST_TEST((buffer == std::vector<double>{1, -2, 3}));
}

BOOST_AUTO_TEST_CASE(in_place_writes_land_in_the_buffer) {
  std::vector<float> buffer(4, 0.0F);
  Tensor t = Tensor::from_buffer({2, 2}, std::span<float>(buffer));
  t.copy_(Tensor::from_values({2, 2}, {1, 2, 3, 4}));
  BOOST_TEST((buffer == std::vector<float>{1, 2, 3, 4}));
  t.fill_(7.0);
  BOOST_TEST((buffer == std::vector<float>(4, 7.0F)));
}

BOOST_AUTO_TEST_CASE(views_an_empty_buffer_as_an_empty_shape) {
  const Tensor t = Tensor::from_buffer({0, 3}, std::span<float>());
  BOOST_TEST((t.shape() == Shape{0, 3}));
  BOOST_TEST(t.numel() == 0);
}

BOOST_AUTO_TEST_CASE(refuses_a_shape_that_does_not_match_the_buffer) {
  std::vector<float> buffer(6, 1.0F);
  RNNKIT_CHECK_THROWS(Tensor::from_buffer({2, 2}, std::span<float>(buffer)), std::invalid_argument,
                      "Tensor::from_buffer", "[2, 2]", "4 elements", "holds 6");
  RNNKIT_CHECK_THROWS(Tensor::from_buffer({-2, -3}, std::span<float>(buffer)),
                      std::invalid_argument, "Tensor::from_buffer", "non-negative", "[-2, -3]");
  RNNKIT_CHECK_THROWS(
      Tensor::from_buffer({std::int64_t{1} << 40, std::int64_t{1} << 40}, std::span<float>(buffer)),
      std::invalid_argument, "64-bit");
  BOOST_TEST((buffer == std::vector<float>(6, 1.0F)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pad_sequences_as_keras)

BOOST_AUTO_TEST_CASE(pads_before_to_the_longest_by_default) {
  BOOST_TEST(padded({}, 3) == (std::vector<std::int64_t>{0, 0, 1, 0, 2, 3, 4, 5, 6}));
}

BOOST_AUTO_TEST_CASE(pads_with_value) {
  BOOST_TEST(padded({.value = -1.0}, 3) ==
             (std::vector<std::int64_t>{-1, -1, 1, -1, 2, 3, 4, 5, 6}));
}

BOOST_AUTO_TEST_CASE(pads_after_with_post) {
  BOOST_TEST(padded({.padding = "post"}, 3) ==
             (std::vector<std::int64_t>{1, 0, 0, 2, 3, 0, 4, 5, 6}));
}

BOOST_AUTO_TEST_CASE(pads_to_a_longer_maxlen) {
  BOOST_TEST(padded({.maxlen = 4}, 4) ==
             (std::vector<std::int64_t>{0, 0, 0, 1, 0, 0, 2, 3, 0, 4, 5, 6}));
}

BOOST_AUTO_TEST_CASE(truncates_the_start_by_default) {
  BOOST_TEST(padded({.maxlen = 2}, 2) == (std::vector<std::int64_t>{0, 1, 2, 3, 5, 6}));
}

BOOST_AUTO_TEST_CASE(truncates_the_end_with_post) {
  BOOST_TEST(padded({.maxlen = 2, .truncating = "post"}, 2) ==
             (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
  BOOST_TEST(padded({.maxlen = 2, .padding = "post", .truncating = "post"}, 2) ==
             (std::vector<std::int64_t>{1, 0, 2, 3, 4, 5}));
}

BOOST_AUTO_TEST_CASE(keeps_int64_ids_exact) {
  const Tensor t = pad_sequences({{beyond_double}, {}}, {.maxlen = 2});
  BOOST_TEST(int64_values(t) == (std::vector<std::int64_t>{0, beyond_double, 0, 0}));
}

BOOST_AUTO_TEST_CASE(converts_to_the_requested_dtype) {
  const Tensor f = pad_sequences(keras_example, {.dtype = DType::f32, .value = 0.5});
  BOOST_TEST(f.dtype() == DType::f32);
  BOOST_TEST((f.to_vector() == std::vector<double>{0.5, 0.5, 1, 0.5, 2, 3, 4, 5, 6}));
  const Tensor b = pad_sequences({{0, 2}}, {.maxlen = 3, .dtype = DType::boolean});
  BOOST_TEST(b.dtype() == DType::boolean);
  BOOST_TEST((b.to_vector() == std::vector<double>{0, 0, 1}));
  const Tensor d = pad_sequences({{4}}, {.maxlen = 2, .dtype = DType::f64, .value = 0.25});
  BOOST_TEST((d.to_vector() == std::vector<double>{0.25, 4}));
}

BOOST_AUTO_TEST_CASE(truncates_a_fractional_value_for_int64_as_numpy_does) {
  BOOST_TEST(int64_values(pad_sequences({{}}, {.maxlen = 1, .value = 1.7})) ==
             std::vector<std::int64_t>{1});
  BOOST_TEST(int64_values(pad_sequences({{}}, {.maxlen = 1, .value = -1.7})) ==
             std::vector<std::int64_t>{-1});
}

BOOST_AUTO_TEST_CASE(leaves_empty_sequences_as_padding) {
  const Tensor t = pad_sequences({{}, {7, 8}}, {.value = 9.0});
  BOOST_TEST((t.shape() == Shape{2, 2}));
  BOOST_TEST(int64_values(t) == (std::vector<std::int64_t>{9, 9, 7, 8}));
  BOOST_TEST((pad_sequences({{}, {}}).shape() == Shape{2, 0}));
  BOOST_TEST((pad_sequences({}, {.maxlen = 3}).shape() == Shape{0, 3}));
}

BOOST_AUTO_TEST_CASE(maxlen_zero_follows_keras) {
  // Keras truncates "post" with s[:0], so every row is empty; "pre" slices s[-0:], the whole
  // sequence, which cannot fit (numpy's broadcast error).
  BOOST_TEST(
      (pad_sequences(keras_example, {.maxlen = 0, .truncating = "post"}).shape() == Shape{3, 0}));
  BOOST_TEST((pad_sequences({{}, {}}, {.maxlen = 0}).shape() == Shape{2, 0}));
  RNNKIT_CHECK_THROWS(pad_sequences(keras_example, {.maxlen = 0}), std::invalid_argument,
                      "pad_sequences", "maxlen 0", "truncating \"pre\"", "sequence 0");
}

BOOST_AUTO_TEST_CASE(refuses_unknown_padding_and_truncating_as_keras) {
  RNNKIT_CHECK_THROWS(pad_sequences(keras_example, {.padding = "middle"}), std::invalid_argument,
                      "pad_sequences", "Padding type \"middle\" not understood", "\"pre\"",
                      "\"post\"");
  RNNKIT_CHECK_THROWS(pad_sequences(keras_example, {.truncating = "end"}), std::invalid_argument,
                      "Truncating type \"end\" not understood");
  // Keras checks truncating first.
  RNNKIT_CHECK_THROWS(pad_sequences(keras_example, {.padding = "x", .truncating = "y"}),
                      std::invalid_argument, "Truncating type \"y\"");
}

BOOST_AUTO_TEST_CASE(refuses_a_negative_maxlen) {
  RNNKIT_CHECK_THROWS(pad_sequences(keras_example, {.maxlen = -1}), std::invalid_argument,
                      "pad_sequences", "maxlen", "non-negative", "-1");
}

BOOST_AUTO_TEST_CASE(refuses_no_sequences_without_maxlen) {
  RNNKIT_CHECK_THROWS(pad_sequences({}), std::invalid_argument, "pad_sequences", "maxlen",
                      "no sequences");
}

BOOST_AUTO_TEST_CASE(refuses_a_value_int64_cannot_hold) {
  RNNKIT_CHECK_THROWS(pad_sequences(keras_example, {.value = std::nan("")}), std::invalid_argument,
                      "pad_sequences", "value", "int64", "nan");
  RNNKIT_CHECK_THROWS(pad_sequences(keras_example, {.value = 1e19}), std::invalid_argument, "int64",
                      "1e+19");
  const Tensor f = pad_sequences({{}}, {.maxlen = 1, .dtype = DType::f32, .value = std::nan("")});
  BOOST_TEST(std::isnan(f.item()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(argmax_along_an_axis)

BOOST_AUTO_TEST_CASE(defaults_to_the_last_axis_and_takes_the_first_of_ties) {
  const Tensor x = Tensor::from_values({2, 3}, {1, 5, 2, 7, 0, 7});
  BOOST_TEST(int64_values(argmax(x)) == (std::vector<std::int64_t>{1, 0}));
  BOOST_TEST(int64_values(argmax(x, -1)) == (std::vector<std::int64_t>{1, 0}));
  BOOST_TEST(int64_values(argmax(x, 1)) == (std::vector<std::int64_t>{1, 0}));
}

BOOST_AUTO_TEST_CASE(reduces_the_first_axis) {
  const Tensor x = Tensor::from_values({2, 3}, {1, 5, 2, 7, 0, 7}, DType::f64);
  const Tensor best = argmax(x, 0);
  BOOST_TEST((best.shape() == Shape{3}));
  BOOST_TEST(best.dtype() == DType::i64);
  BOOST_TEST(int64_values(best) == (std::vector<std::int64_t>{1, 0, 1}));
  BOOST_TEST(int64_values(argmax(x, -2)) == (std::vector<std::int64_t>{1, 0, 1}));
}

BOOST_AUTO_TEST_CASE(reduces_any_axis_of_a_rank_3_tensor) {
  // x[i][j][k]: [[[1, 2], [3, 0]], [[5, 6], [4, 8]]]
  const Tensor x = Tensor::from_values({2, 2, 2}, {1, 2, 3, 0, 5, 6, 4, 8});
  BOOST_TEST(int64_values(argmax(x, 0)) == (std::vector<std::int64_t>{1, 1, 1, 1}));
  const Tensor middle = argmax(x, 1);
  BOOST_TEST((middle.shape() == Shape{2, 2}));
  BOOST_TEST(int64_values(middle) == (std::vector<std::int64_t>{1, 0, 0, 1}));
  BOOST_TEST(int64_values(argmax(x, 2)) == (std::vector<std::int64_t>{1, 0, 1, 1}));
}

BOOST_AUTO_TEST_CASE(takes_the_first_nan_as_numpy_does) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = Tensor::from_values({4}, {1, nan, 3, nan});
  BOOST_TEST(int64_values(argmax(x, 0)) == std::vector<std::int64_t>{1});
}

BOOST_AUTO_TEST_CASE(other_axes_may_be_empty) {
  BOOST_TEST((argmax(Tensor::ones({0, 3}), 1).shape() == Shape{0}));
}

BOOST_AUTO_TEST_CASE(refuses_an_axis_out_of_range_or_empty) {
  const Tensor x = Tensor::ones({2, 3});
  RNNKIT_CHECK_THROWS(argmax(x, 2), std::invalid_argument, "argmax", "[-2, 2)", "got 2");
  RNNKIT_CHECK_THROWS(argmax(x, -3), std::invalid_argument, "argmax", "got -3");
  RNNKIT_CHECK_THROWS(argmax(Tensor::ones({2, 0}), 1), std::invalid_argument, "argmax", "axis 1",
                      "[2, 0]", "empty");
  RNNKIT_CHECK_THROWS(argmax(Tensor::ones({0, 3}), 0), std::invalid_argument, "axis 0", "[0, 3]");
}

BOOST_AUTO_TEST_SUITE_END()

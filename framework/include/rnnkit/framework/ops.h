#pragma once

// Differentiable operations on Tensors. float32 runs on oneDNN primitives where oneDNN has one
// (matmul, eltwise, binary, softmax, reduction); float64 and everything else runs on Eigen.
// Every op checks its arguments and throws std::invalid_argument naming the op, what it expected
// and what it got.

#include <cstdint>
#include <vector>

#include "rnnkit/framework/tensor.h"

namespace rnnkit {

// --- arithmetic, with NumPy broadcasting of trailing dimensions ---
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
Tensor rsub(double a, const Tensor& b);  ///< a - b
Tensor rdiv(double a, const Tensor& b);  ///< a / b

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);

// --- unary math ---
Tensor neg(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
/// Elements clamped into [low, high]; like TensorFlow's clip_by_value the gradient is 1 where
/// low <= x <= high (bounds included) and 0 outside.
Tensor clip(const Tensor& x, double low, double high);

// --- activations (Keras definitions, spec §8) ---
Tensor tanh(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor hard_sigmoid(const Tensor& x);  ///< clip(0.2 x + 0.5, 0, 1)
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
Tensor softplus(const Tensor& x);
Tensor softsign(const Tensor& x);
Tensor exponential(const Tensor& x);
Tensor linear(const Tensor& x);
Tensor swish(const Tensor& x);  ///< x * sigmoid(x), also "silu"
Tensor gelu(const Tensor& x);   ///< exact: 0.5 x (1 + erf(x / sqrt 2))
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double alpha = 0.2);
/// Softmax over `axis` (default: the last); rank >= 1.
Tensor softmax(const Tensor& x, std::int64_t axis = -1);
Tensor log_softmax(const Tensor& x, std::int64_t axis = -1);

// --- linear algebra ---
/// [M, K] x [K, N] -> [M, N]; [B, T, K] x [K, N] -> [B, T, N].
Tensor matmul(const Tensor& a, const Tensor& b);
/// Transpose of a 2-D tensor.
Tensor transpose(const Tensor& x);

// --- reductions ---
/// Sum of every element (a 0-d tensor).
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, std::int64_t axis, bool keepdims = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims = false);
/// Sums a broadcast result back down to `shape` (the inverse of broadcasting).
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

// --- shape and indexing ---
Tensor reshape(const Tensor& x, Shape shape);
/// Elements [start, stop) along `axis`.
Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t stop);
/// Index `index` along `axis`, removing that axis.
Tensor select(const Tensor& x, std::int64_t axis, std::int64_t index);
/// Joins same-shaped tensors along a new axis.
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis = 0);
/// Joins tensors along an existing axis.
Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis = 0);
/// Splits along `axis` into size(axis) tensors without that axis (the inverse of stack). One
/// node for all pieces, so backward costs O(numel) however many pieces are used (timesteps).
std::vector<Tensor> unstack(const Tensor& x, std::int64_t axis = 0);
/// Reverses the order of elements along `axis`.
Tensor reverse(const Tensor& x, std::int64_t axis);
/// Element-wise `mask ? a : b`; mask is boolean and broadcasts against a and b.
Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b);

// --- comparisons (boolean results, no gradient) ---
Tensor not_equal(const Tensor& x, double value);
Tensor greater(const Tensor& x, double value);
/// True where any element along `axis` is true.
Tensor any(const Tensor& mask, std::int64_t axis);
/// Index of the largest element along `axis` (negative counts from the end; default the last),
/// that axis removed, as int64 (numpy.argmax, tf.math.argmax): the first of equal maxima, the
/// first NaN if there is one. The axis must not be empty.
Tensor argmax(const Tensor& x, std::int64_t axis = -1);

// --- indexing ---
/// int64 `labels` (each in [0, depth)) as one-hot rows: shape labels.shape + [depth], float
/// `dtype`. A constant of the labels, so it records no gradient.
Tensor one_hot(const Tensor& labels, std::int64_t depth, DType dtype = DType::f32);
/// Rows of the float `table` [V, D] picked by int64 `ids` of any shape S: shape S + [D] with
/// out[s] = table[ids[s]] (the lookup of Keras Embedding, tf.gather on axis 0). Every id must be
/// in [0, V). The table's gradient adds each output row's gradient into the row it came from,
/// so repeated ids accumulate.
Tensor gather_rows(const Tensor& table, const Tensor& ids);

}  // namespace rnnkit

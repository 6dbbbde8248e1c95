#pragma once

#include <rnnkit/framework/tensor.h>

namespace rnnkit::metrics {

// Keras's accuracy functions: one value per sample (the last axis reduced), 1 for a hit and 0 for
// a miss, in y_pred's float dtype and without gradient. A model averages them over samples.

/// Mean over the last axis of (y_pred > threshold) == y_true; y_true may lack y_pred's trailing
/// dimension of 1. [B, 1] -> [B], [B, T, 1] -> [B, T].
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
/// argmax(y_true) == argmax(y_pred) over the last axis (one-hot labels).
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
/// y_true (integer class ids, shape y_pred's without its last axis, or with a trailing 1) ==
/// argmax(y_pred) over the last axis.
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);

}  // namespace rnnkit::metrics

#pragma once

#include <rnnkit/framework/tensor.h>
#include <rnnkit/models/sequential.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace rnnkit::models::detail {

/// How the samples of a tensor fall into batches, for naming where a bad sample is: samples
/// before `held_out` are batched for training, those from it on for validation, each from its
/// first sample. batch_size 0 is one batch of everything (train_on_batch, test_on_batch).
struct Batching {
  std::int64_t batch_size = 0;
  std::int64_t held_out = 0;
  std::string training_note = {};
  std::string validation_note = {};
};

/// Throws std::invalid_argument when `data` holds NaN or Inf, naming `what`, the first sample
/// holding one and the batch it falls in.
void require_finite(std::string_view who, std::string_view what, const Tensor& data,
                    const Batching& batching);

/// Throws std::invalid_argument unless the model's first layer takes the values of every sample
/// of `x` (Layer::find_bad_sample, e.g. Embedding ids in range), naming `what`, the sample and
/// its batch.
void require_layer_inputs(std::string_view who, std::string_view what, const Sequential& model,
                          const Tensor& x, const Batching& batching);

/// Throws std::invalid_argument unless every class id in `y` is an integer in [0, classes) when
/// the loss or a metric reads y as class ids (sparse categorical crossentropy or accuracy),
/// naming `what`, the sample and its batch. The model must be built and compiled.
void require_class_ids(std::string_view who, std::string_view what, const Sequential& model,
                       const Tensor& y, const Batching& batching);

/// Throws std::invalid_argument unless `data` holds samples like those of `x`: the same dtype
/// and per-sample shape, except the length of a sequence (axis 1 of inputs [N, T, ...] and of
/// int64 ids [N, T]).
void require_like_x(std::string_view who, std::string_view what, const Tensor& data,
                    const Tensor& x);

}  // namespace rnnkit::models::detail

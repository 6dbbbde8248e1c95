#pragma once

#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/initializers/initializer.h>
#include <rnnkit/layers/layer.h>

#include <cstdint>
#include <optional>
#include <string>

namespace rnnkit::layers {

/// Keras Embedding arguments, in Keras order, then the base-layer keywords.
struct EmbeddingOptions {
  std::int64_t input_dim = 0;   ///< vocabulary size: ids are in [0, input_dim)
  std::int64_t output_dim = 0;  ///< length of each embedding vector
  initializers::AnyInitializer embeddings_initializer = "uniform";  ///< RandomUniform(±0.05)
  regularizers::AnyRegularizer embeddings_regularizer = nullptr;
  regularizers::AnyRegularizer activity_regularizer = nullptr;
  constraints::AnyConstraint embeddings_constraint = nullptr;
  bool mask_zero = false;         ///< id 0 is padding: the layer hands on the mask ids != 0
  std::int64_t input_length = 0;  ///< the fixed sequence length T of [B, T] ids; 0: None
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras Embedding: maps integer ids to rows of the weight embeddings [input_dim, output_dim],
/// so ids [B] -> [B, output_dim] and [B, T] -> [B, T, output_dim] (any rank >= 1). Ids are int64,
/// or float32/float64 holding integers (Keras casts them). With mask_zero, forward() hands on
/// the mask ids != 0 (spec §11), which an RNN downstream consumes.
class Embedding : public Layer {
 public:
  explicit Embedding(EmbeddingOptions options);
  /// Embedding(1000, 64, {...}) reads like Keras's Embedding(1000, 64, ...); `options.input_dim`
  /// and `options.output_dim` must then be unset (0) or equal.
  Embedding(std::int64_t input_dim, std::int64_t output_dim, EmbeddingOptions options = {});

  std::string class_name() const override { return "Embedding"; }
  /// Keras get_config(): name, trainable, dtype, input_dim, output_dim, embeddings_initializer,
  /// embeddings_regularizer, activity_regularizer, embeddings_constraint, mask_zero,
  /// input_length (null for None).
  Config get_config() const override;
  /// The inverse of get_config(): input_dim and output_dim are required, absent keys take the
  /// defaults, an unknown key throws std::invalid_argument.
  static Embedding from_config(const Config& config);

  std::int64_t input_dim() const { return options_.input_dim; }
  std::int64_t output_dim() const { return options_.output_dim; }
  const initializers::AnyInitializer& embeddings_initializer() const {
    return options_.embeddings_initializer;
  }
  const regularizers::AnyRegularizer& embeddings_regularizer() const {
    return options_.embeddings_regularizer;
  }
  const regularizers::AnyRegularizer& activity_regularizer() const {
    return options_.activity_regularizer;
  }
  const constraints::AnyConstraint& embeddings_constraint() const {
    return options_.embeddings_constraint;
  }
  bool mask_zero() const { return options_.mask_zero; }
  /// 0 when None.
  std::int64_t input_length() const { return options_.input_length; }

  /// [input_dim, output_dim]; undefined before build.
  const Variable& embeddings() const { return embeddings_; }

  /// Checks `input_shape` (rank >= 1; [B, input_length] when input_length is set) and creates
  /// the weight on the first call.
  void build(const Shape& input_shape);
  /// ids -> ids.shape + [output_dim], in the layer's dtype; builds on the first call. Every id is
  /// checked (an integer in [0, input_dim)) before anything changes. losses() then holds the
  /// embeddings penalty and the activity penalty divided by the batch size (spec §5).
  Tensor operator()(const Tensor& inputs);
  /// The output, and the mask ids != 0 with mask_zero (none otherwise); an incoming mask is
  /// not used, as in Keras.
  LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;
  /// The first sample holding an id that is not an integer in [0, input_dim).
  std::optional<BadSample> find_bad_sample(const Tensor& inputs) const override;

 private:
  struct BadId {
    std::int64_t flat = 0;  ///< its row-major index in the inputs
    std::string reason;
  };
  /// The first id of int64 or float `inputs` that is not an integer in [0, input_dim).
  std::optional<BadId> find_bad_id(const Tensor& inputs) const;
  /// The ids as int64 after checking their dtype, shape and values.
  Tensor checked_ids(const Tensor& inputs) const;
  void check_input_shape(const Shape& input_shape) const;
  /// The lookup of already checked int64 ids.
  Tensor lookup(const Tensor& ids);

  EmbeddingOptions options_;
  Variable embeddings_;
};

}  // namespace rnnkit::layers

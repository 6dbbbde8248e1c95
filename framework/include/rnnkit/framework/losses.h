#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/framework/config.h"
#include "rnnkit/framework/tensor.h"

/// Keras losses (spec §9): per-sample functions that reduce the last axis, and Loss objects that
/// weight and reduce those as `compile` does. Every function is differentiable.
namespace rnnkit::losses {

/// Keras's fuzz factor backend.epsilon(): probabilities are clipped to [epsilon, 1 - epsilon].
inline constexpr double epsilon = 1e-7;

/// Options of binary_crossentropy and categorical_crossentropy, in Keras argument order.
struct CrossentropyOptions {
  bool from_logits = false;      ///< y_pred holds logits instead of probabilities
  double label_smoothing = 0.0;  ///< in [0, 1]; y <- y (1 - ls) + ls / 2 (binary) or ls / C
};

/// Keras mean_squared_error ("mse"): mean over the last axis of (y_pred - y_true)^2.
/// y_true and y_pred share shape [..., D] and a float dtype; the result is [...].
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
/// Keras mean_absolute_error ("mae"): mean over the last axis of |y_pred - y_true|.
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
/// Keras binary_crossentropy ("bce"), mean over the last axis. From probabilities:
/// p = clip(y_pred, eps, 1 - eps), -[y log(p + eps) + (1 - y) log(1 - p + eps)]; from logits x:
/// max(x, 0) - x y + log(1 + e^-|x|). Shapes as mean_squared_error.
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                           const CrossentropyOptions& options = {});
/// Keras categorical_crossentropy over one-hot (or soft) targets y_true [..., C]. From
/// probabilities: p = clip(y_pred / sum(y_pred), eps, 1 - eps), -sum(y log p); from logits:
/// -sum(y log_softmax(y_pred)). The result is [...].
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                const CrossentropyOptions& options = {});
/// Keras sparse_categorical_crossentropy: integer labels y_true of shape [...] or [..., 1]
/// (int64, or floats holding integers), each in [0, C), against y_pred [..., C]. From
/// probabilities: q = clip(y_pred, eps, 1 - eps), -log(q_label / sum(q)); from logits:
/// -log_softmax(y_pred)_label. The result is [...].
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                       bool from_logits = false);

/// How per-sample losses become the value a Loss object returns (Keras Reduction). Keras's
/// AUTO is sum_over_batch_size.
enum class Reduction {
  none,                 ///< the weighted per-sample losses, unreduced
  sum,                  ///< their sum
  sum_over_batch_size,  ///< their sum over the number of per-sample loss elements
};

/// Keras's spelling: "none", "sum", "sum_over_batch_size".
std::string_view reduction_name(Reduction reduction);
/// Parses a Keras reduction: "none", "sum", "sum_over_batch_size", or "auto" (what Keras's
/// default is called, sum_over_batch_size); throws std::invalid_argument otherwise.
Reduction parse_reduction(std::string_view name);
/// Writes reduction_name(reduction).
std::ostream& operator<<(std::ostream& out, Reduction reduction);

/// Keras compute_weighted_loss: multiplies `losses` by `sample_weight` (undefined: no weights;
/// a scalar, losses' shape, or that shape with a trailing 1 dropped or added) and reduces.
Tensor compute_weighted_loss(const Tensor& losses, const Tensor& sample_weight = {},
                             Reduction reduction = Reduction::sum_over_batch_size);

/// Base class of every loss object (Keras tf.keras.losses.Loss); subclass it for your own.
class Loss {
 public:
  explicit Loss(Reduction reduction = Reduction::sum_over_batch_size) : reduction_(reduction) {}
  virtual ~Loss() = default;

  /// The weighted, reduced loss. As `compile` does, y_true may lack y_pred's trailing
  /// dimension of 1 or carry an extra one; sample_weight is optional.
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = {}) const;
  /// The per-sample losses (the last axis reduced), unweighted.
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  /// Keras's default name, e.g. "mean_squared_error".
  virtual std::string name() const = 0;
  /// Keras class name, e.g. "MeanSquaredError".
  virtual std::string class_name() const = 0;
  /// Keras get_config(): {"reduction", "name"} (Keras writes the default reduction,
  /// sum_over_batch_size, as "auto"); subclasses append their arguments. A wrapped user function
  /// throws std::invalid_argument.
  virtual Config get_config() const;
  Reduction reduction() const { return reduction_; }

 private:
  Reduction reduction_;
};

/// Options of MeanSquaredError and MeanAbsoluteError.
struct LossOptions {
  Reduction reduction = Reduction::sum_over_batch_size;
};

/// Options of BinaryCrossentropy and CategoricalCrossentropy, in Keras argument order.
struct CrossentropyLossOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  Reduction reduction = Reduction::sum_over_batch_size;
};

/// Options of SparseCategoricalCrossentropy, in Keras argument order.
struct SparseCategoricalCrossentropyOptions {
  bool from_logits = false;
  Reduction reduction = Reduction::sum_over_batch_size;
};

/// Keras MeanSquaredError: mean_squared_error, reduced.
class MeanSquaredError : public Loss {
 public:
  explicit MeanSquaredError(LossOptions options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string name() const override { return "mean_squared_error"; }
  std::string class_name() const override { return "MeanSquaredError"; }
  /// Keys "reduction" and "name" (which must be "mean_squared_error": rnnkit losses keep Keras's
  /// default names).
  static MeanSquaredError from_config(const Config& config);
};

/// Keras MeanAbsoluteError: mean_absolute_error, reduced.
class MeanAbsoluteError : public Loss {
 public:
  explicit MeanAbsoluteError(LossOptions options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string name() const override { return "mean_absolute_error"; }
  std::string class_name() const override { return "MeanAbsoluteError"; }
  /// Keys "reduction" and "name" (which must be "mean_absolute_error": rnnkit losses keep Keras's
  /// default names).
  static MeanAbsoluteError from_config(const Config& config);
};

/// Keras BinaryCrossentropy: binary_crossentropy, reduced.
class BinaryCrossentropy : public Loss {
 public:
  /// Throws std::invalid_argument for label_smoothing outside [0, 1].
  explicit BinaryCrossentropy(CrossentropyLossOptions options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string name() const override { return "binary_crossentropy"; }
  std::string class_name() const override { return "BinaryCrossentropy"; }
  /// {"reduction", "name", "from_logits", "label_smoothing", "axis"} (axis is always -1).
  Config get_config() const override;
  /// The keys of get_config(); "name" must be "binary_crossentropy" and "axis" -1 (rnnkit reduces
  /// the last axis only).
  static BinaryCrossentropy from_config(const Config& config);
  const CrossentropyLossOptions& options() const { return options_; }

 private:
  CrossentropyLossOptions options_;
};

/// Keras CategoricalCrossentropy: categorical_crossentropy, reduced.
class CategoricalCrossentropy : public Loss {
 public:
  /// Throws std::invalid_argument for label_smoothing outside [0, 1].
  explicit CategoricalCrossentropy(CrossentropyLossOptions options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string name() const override { return "categorical_crossentropy"; }
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  /// {"reduction", "name", "from_logits", "label_smoothing", "axis"} (axis is always -1).
  Config get_config() const override;
  /// The keys of get_config(); "name" must be "categorical_crossentropy" and "axis" -1 (rnnkit
  /// reduces the last axis only).
  static CategoricalCrossentropy from_config(const Config& config);
  const CrossentropyLossOptions& options() const { return options_; }

 private:
  CrossentropyLossOptions options_;
};

/// Keras SparseCategoricalCrossentropy: sparse_categorical_crossentropy, reduced.
class SparseCategoricalCrossentropy : public Loss {
 public:
  explicit SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string name() const override { return "sparse_categorical_crossentropy"; }
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  /// {"reduction", "name", "from_logits"}.
  Config get_config() const override;
  /// The keys of get_config(); "name" must be "sparse_categorical_crossentropy".
  static SparseCategoricalCrossentropy from_config(const Config& config);
  const SparseCategoricalCrossentropyOptions& options() const { return options_; }

 private:
  SparseCategoricalCrossentropyOptions options_;
};

/// Holds any loss, or none. Built from a Keras name ("mse", "mean_squared_error", "mae",
/// "mean_absolute_error", "bce", "binary_crossentropy", "categorical_crossentropy",
/// "sparse_categorical_crossentropy"), a Loss object, or a per-sample callable
/// Tensor(const Tensor& y_true, const Tensor& y_pred) reduced with sum_over_batch_size (as Keras
/// wraps a plain function). An unknown name throws std::invalid_argument listing the valid ones.
class AnyLoss {
 public:
  using Function = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;

  AnyLoss() = default;
  AnyLoss(std::nullptr_t) {}         // NOLINT: implicit, reads like Keras's None
  AnyLoss(const char* name);         // NOLINT: implicit, so options read `.loss = "mse"`
  AnyLoss(std::string_view name);    // NOLINT
  AnyLoss(const std::string& name);  // NOLINT
  template <std::derived_from<Loss> L>
  AnyLoss(L loss)  // NOLINT: implicit, so options read `.loss = losses::MeanSquaredError()`
      : impl_(std::make_shared<L>(std::move(loss))) {}
  AnyLoss(std::shared_ptr<const Loss> loss);  // NOLINT
  /// A per-sample function; `name` is what name() reports.
  AnyLoss(std::string name, Function function);
  template <class F>
  requires std::invocable<const F&, const Tensor&, const Tensor&> &&
      std::convertible_to<std::invoke_result_t<const F&, const Tensor&, const Tensor&>, Tensor> &&
      (!std::convertible_to<F, std::string_view>)&&(!std::derived_from<F, Loss>)
          AnyLoss(F function)  // NOLINT: implicit, so options read `.loss = my_loss`
      : AnyLoss("custom", Function(std::move(function))) {}

  explicit operator bool() const { return impl_ != nullptr; }
  /// The weighted, reduced loss (Loss::operator()); throws std::logic_error when empty.
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = {}) const;
  /// The held loss's name; throws std::logic_error when empty.
  std::string name() const;
  const Loss* get() const { return impl_.get(); }

  /// Every accepted name, sorted.
  static std::vector<std::string> names();

 private:
  std::shared_ptr<const Loss> impl_;
};

/// Keras losses.serialize: {"class_name", "config"}, e.g. {"class_name": "MeanSquaredError",
/// "config": {"reduction": "auto", "name": "mean_squared_error"}}. A user function throws
/// std::invalid_argument.
Config serialize(const Loss& loss);
/// serialize() of the held loss; null when empty.
Config serialize(const AnyLoss& loss);
/// Keras losses.deserialize: null gives none; {"class_name", "config"} with a loss class name;
/// or a name string, either a class name ("MeanSquaredError", defaults) or a name AnyLoss
/// accepts ("mse", ...). Throws std::invalid_argument for an unknown name (listing the valid
/// ones), a malformed config or an unknown key.
AnyLoss deserialize(const Config& config);

}  // namespace rnnkit::losses

// Keras losses, composed from differentiable ops (spec §9).

#include "rnnkit/framework/losses.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <stdexcept>

#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit::losses {
namespace {

void require_rank_at_least_one(std::string_view loss, const Tensor& y_pred) {
  if (y_pred.dim() < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: expected y_pred of rank >= 1 (the last axis is reduced), got a scalar", loss));
  }
}

// Dense targets: y_true must match y_pred exactly (Keras would broadcast [B] against [B, 1]
// into [B, B] here; the Loss objects fix the rank first, as `compile` does).
void require_dense_pair(std::string_view loss, const Tensor& y_true, const Tensor& y_pred) {
  detail::require_floating(loss, y_pred, "y_pred");
  detail::require_defined(loss, y_true, "y_true");
  require_rank_at_least_one(loss, y_pred);
  if (y_true.dtype() != y_pred.dtype()) {
    throw std::invalid_argument(fmt::format("{}: expected y_true of y_pred's dtype {}, got {}",
                                            loss, dtype_name(y_pred.dtype()),
                                            dtype_name(y_true.dtype())));
  }
  if (y_true.shape() != y_pred.shape()) {
    throw std::invalid_argument(fmt::format("{}: expected y_true of y_pred's shape {}, got {}",
                                            loss, shape_str(y_pred.shape()),
                                            shape_str(y_true.shape())));
  }
}

void require_label_smoothing(std::string_view loss, double label_smoothing) {
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0)) {
    throw std::invalid_argument(
        fmt::format("{}: expected label_smoothing in [0, 1], got {}", loss, label_smoothing));
  }
}

// y (1 - ls) + ls * target, where target is 1/2 (binary) or 1/C (categorical).
Tensor smooth(const Tensor& y, double label_smoothing, double target) {
  if (label_smoothing == 0.0) return y;
  return add(mul(y, 1.0 - label_smoothing), label_smoothing * target);
}

// Labels as int64 of shape y_pred.shape[:-1], each in [0, C).
Tensor sparse_labels(std::string_view loss, const Tensor& y_true, const Tensor& y_pred) {
  detail::require_defined(loss, y_true, "y_true");
  Shape expected(y_pred.shape().begin(), y_pred.shape().end() - 1);
  Shape with_one = expected;
  with_one.push_back(1);
  if (y_true.shape() != expected && y_true.shape() != with_one) {
    throw std::invalid_argument(
        fmt::format("{}: expected integer labels of shape {} or {} for y_pred of shape {}, got {}",
                    loss, shape_str(expected), shape_str(with_one), shape_str(y_pred.shape()),
                    shape_str(y_true.shape())));
  }
  Tensor labels;
  if (y_true.dtype() == DType::i64) {
    labels = y_true.reshape(expected);
  } else if (is_floating(y_true.dtype())) {
    // Keras casts float labels to int64; a fractional one is a mistake, not a label.
    const auto values = y_true.to_vector();
    const auto fractional =
        std::find_if(values.begin(), values.end(), [](double v) { return v != std::trunc(v); });
    if (fractional != values.end()) {
      throw std::invalid_argument(
          fmt::format("{}: expected integer labels, got {} at flat index {}", loss, *fractional,
                      fractional - values.begin()));
    }
    labels = y_true.detach().to(DType::i64).reshape(expected);
  } else {
    throw std::invalid_argument(
        fmt::format("{}: expected int64 (or integer-valued float) labels, got {}", loss,
                    dtype_name(y_true.dtype())));
  }
  const std::int64_t classes = y_pred.size(-1);
  const std::int64_t* p = labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < labels.numel(); ++i) {
    if (p[i] < 0 || p[i] >= classes) {
      throw std::invalid_argument(fmt::format(
          "{}: expected labels in [0, {}) for y_pred of shape {}, got {} at flat index {}", loss,
          classes, shape_str(y_pred.shape()), p[i], i));
    }
  }
  return labels;
}

Tensor weighted_reduce(std::string_view loss, const Tensor& losses, const Tensor& sample_weight,
                       Reduction reduction) {
  detail::require_floating(loss, losses, "losses");
  Tensor weighted = losses;
  if (sample_weight.defined()) {
    detail::require_floating(loss, sample_weight, "sample_weight");
    if (sample_weight.dtype() != losses.dtype()) {
      throw std::invalid_argument(
          fmt::format("{}: expected sample_weight of the loss's dtype {}, got {}", loss,
                      dtype_name(losses.dtype()), dtype_name(sample_weight.dtype())));
    }
    // Keras squeeze_or_expand_dimensions: a trailing 1 may be dropped or added.
    Tensor w = sample_weight;
    Shape shape = w.shape();
    if (w.dim() == losses.dim() + 1 && shape.back() == 1) {
      shape.pop_back();
      w = w.reshape(shape);
    } else if (w.dim() + 1 == losses.dim() && w.dim() > 0) {
      shape.push_back(1);
      w = w.reshape(shape);
    }
    const bool broadcasts =
        w.dim() <= losses.dim() &&
        std::equal(w.shape().rbegin(), w.shape().rend(), losses.shape().rbegin(),
                   [](std::int64_t wd, std::int64_t ld) { return wd == ld || wd == 1; });
    if (!broadcasts) {
      throw std::invalid_argument(fmt::format(
          "{}: expected sample_weight of shape {} (or one that broadcasts to it), got {}", loss,
          shape_str(losses.shape()), shape_str(sample_weight.shape())));
    }
    weighted = mul(losses, w);
  }
  switch (reduction) {
    case Reduction::none:
      return weighted;
    case Reduction::sum:
      return sum(weighted);
    case Reduction::sum_over_batch_size:
      break;
  }
  // Keras's _safe_mean: an empty batch gives 0, not NaN.
  return div(sum(weighted), static_cast<double>(std::max<std::int64_t>(weighted.numel(), 1)));
}

}  // namespace

// ---------------------------------------------------------------- per-sample functions

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  require_dense_pair("mean_squared_error", y_true, y_pred);
  return mean(square(sub(y_pred, y_true)), -1);
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  require_dense_pair("mean_absolute_error", y_true, y_pred);
  return mean(abs(sub(y_pred, y_true)), -1);
}

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                           const CrossentropyOptions& options) {
  require_dense_pair("binary_crossentropy", y_true, y_pred);
  require_label_smoothing("binary_crossentropy", options.label_smoothing);
  const Tensor y = smooth(y_true, options.label_smoothing, 0.5);
  if (options.from_logits) {
    // TensorFlow's sigmoid_cross_entropy_with_logits: max(x, 0) - x y + log(1 + e^-|x|), with
    // -|x| picked per element so that the gradient at x = 0 is the true one, 1/2 - y.
    const Tensor& x = y_pred;
    const Tensor negative_abs = where(greater(x, 0.0), neg(x), x);
    return mean(add(sub(relu(x), mul(x, y)), softplus(negative_abs)), -1);
  }
  // Keras's backend.binary_crossentropy: eps both clips p and sits inside the logs.
  const Tensor p = clip(y_pred, epsilon, 1.0 - epsilon);
  const Tensor log_p = log(add(p, epsilon));
  const Tensor log_not_p = log(add(rsub(1.0, p), epsilon));
  return neg(mean(add(mul(y, log_p), mul(rsub(1.0, y), log_not_p)), -1));
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                const CrossentropyOptions& options) {
  require_dense_pair("categorical_crossentropy", y_true, y_pred);
  require_label_smoothing("categorical_crossentropy", options.label_smoothing);
  const auto classes = static_cast<double>(std::max<std::int64_t>(y_pred.size(-1), 1));
  const Tensor y = smooth(y_true, options.label_smoothing, 1.0 / classes);
  if (options.from_logits) return neg(sum(mul(y, log_softmax(y_pred, -1)), -1));
  // Keras renormalises the probabilities, then clips them.
  const Tensor p = clip(div(y_pred, sum(y_pred, -1, true)), epsilon, 1.0 - epsilon);
  return neg(sum(mul(y, log(p)), -1));
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                       bool from_logits) {
  constexpr std::string_view name = "sparse_categorical_crossentropy";
  detail::require_floating(name, y_pred, "y_pred");
  require_rank_at_least_one(name, y_pred);
  const Tensor labels = sparse_labels(name, y_true, y_pred);
  const Tensor target = one_hot(labels, y_pred.size(-1), y_pred.dtype());
  // From probabilities Keras clips first and renormalises after, inside the softmax of log q.
  const Tensor logits = from_logits ? y_pred : log(clip(y_pred, epsilon, 1.0 - epsilon));
  return neg(sum(mul(target, log_softmax(logits, -1)), -1));
}

std::string_view reduction_name(Reduction reduction) {
  switch (reduction) {
    case Reduction::none:
      return "none";
    case Reduction::sum:
      return "sum";
    case Reduction::sum_over_batch_size:
      break;
  }
  return "sum_over_batch_size";
}

Reduction parse_reduction(std::string_view name) {
  if (name == "none") return Reduction::none;
  if (name == "sum") return Reduction::sum;
  if (name == "sum_over_batch_size" || name == "auto") return Reduction::sum_over_batch_size;
  throw std::invalid_argument(fmt::format(
      "reduction: unknown name \"{}\"; expected one of: auto, none, sum, sum_over_batch_size",
      name));
}

std::ostream& operator<<(std::ostream& out, Reduction reduction) {
  return out << reduction_name(reduction);
}

Tensor compute_weighted_loss(const Tensor& losses, const Tensor& sample_weight,
                             Reduction reduction) {
  return weighted_reduce("compute_weighted_loss", losses, sample_weight, reduction);
}

// ---------------------------------------------------------------- Loss objects

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred,
                        const Tensor& sample_weight) const {
  const std::string loss = name();
  detail::require_defined(loss, y_true, "y_true");
  detail::require_floating(loss, y_pred, "y_pred");
  // What Keras's compile does before calling the loss: [B] targets meet [B, 1] outputs.
  Tensor target = y_true;
  Shape shape = target.shape();
  if (target.dim() + 1 == y_pred.dim() && y_pred.size(-1) == 1) {
    shape.push_back(1);
    target = target.reshape(shape);
  } else if (target.dim() == y_pred.dim() + 1 && shape.back() == 1) {
    shape.pop_back();
    target = target.reshape(shape);
  }
  return weighted_reduce(loss, call(target, y_pred), sample_weight, reduction_);
}

MeanSquaredError::MeanSquaredError(LossOptions options) : Loss(options.reduction) {}

Tensor MeanSquaredError::call(const Tensor& y_true, const Tensor& y_pred) const {
  return mean_squared_error(y_true, y_pred);
}

MeanAbsoluteError::MeanAbsoluteError(LossOptions options) : Loss(options.reduction) {}

Tensor MeanAbsoluteError::call(const Tensor& y_true, const Tensor& y_pred) const {
  return mean_absolute_error(y_true, y_pred);
}

BinaryCrossentropy::BinaryCrossentropy(CrossentropyLossOptions options)
    : Loss(options.reduction), options_(options) {
  require_label_smoothing("BinaryCrossentropy", options.label_smoothing);
}

Tensor BinaryCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return binary_crossentropy(
      y_true, y_pred,
      {.from_logits = options_.from_logits, .label_smoothing = options_.label_smoothing});
}

CategoricalCrossentropy::CategoricalCrossentropy(CrossentropyLossOptions options)
    : Loss(options.reduction), options_(options) {
  require_label_smoothing("CategoricalCrossentropy", options.label_smoothing);
}

Tensor CategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return categorical_crossentropy(
      y_true, y_pred,
      {.from_logits = options_.from_logits, .label_smoothing = options_.label_smoothing});
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(
    SparseCategoricalCrossentropyOptions options)
    : Loss(options.reduction), options_(options) {}

Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return sparse_categorical_crossentropy(y_true, y_pred, options_.from_logits);
}

// ---------------------------------------------------------------- AnyLoss

namespace {

// A plain per-sample function, reduced like Keras's LossFunctionWrapper.
class FunctionLoss : public Loss {
 public:
  FunctionLoss(std::string name, AnyLoss::Function function)
      : name_(std::move(name)), function_(std::move(function)) {}
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    return function_(y_true, y_pred);
  }
  std::string name() const override { return name_; }
  std::string class_name() const override { return "custom"; }
  Config get_config() const override {
    throw std::invalid_argument(fmt::format(
        "loss '{}': a user function cannot be serialized (no config can rebuild it); use a "
        "built-in loss",
        name_));
  }

 private:
  std::string name_;
  AnyLoss::Function function_;
};

using Factory = std::shared_ptr<const Loss> (*)();

template <class L>
std::shared_ptr<const Loss> make() {
  return std::make_shared<L>();
}

const std::map<std::string, Factory, std::less<>>& builtins() {
  static const std::map<std::string, Factory, std::less<>> table{
      {"mse", &make<MeanSquaredError>},
      {"mean_squared_error", &make<MeanSquaredError>},
      {"mae", &make<MeanAbsoluteError>},
      {"mean_absolute_error", &make<MeanAbsoluteError>},
      {"bce", &make<BinaryCrossentropy>},
      {"binary_crossentropy", &make<BinaryCrossentropy>},
      {"categorical_crossentropy", &make<CategoricalCrossentropy>},
      {"sparse_categorical_crossentropy", &make<SparseCategoricalCrossentropy>},
  };
  return table;
}

}  // namespace

AnyLoss::AnyLoss(const char* name)
    : AnyLoss(name == nullptr ? std::string_view("(null)") : std::string_view(name)) {}
AnyLoss::AnyLoss(const std::string& name) : AnyLoss(std::string_view(name)) {}

AnyLoss::AnyLoss(std::string_view name) {
  const auto& table = builtins();
  const auto it = table.find(name);
  if (it == table.end()) {
    throw std::invalid_argument(fmt::format("loss: unknown name \"{}\"; expected one of: {}", name,
                                            fmt::join(names(), ", ")));
  }
  impl_ = it->second();
}

AnyLoss::AnyLoss(std::shared_ptr<const Loss> loss) : impl_(std::move(loss)) {}

AnyLoss::AnyLoss(std::string name, Function function) {
  if (!function) {
    throw std::invalid_argument(fmt::format("loss '{}': the function is empty", name));
  }
  impl_ = std::make_shared<FunctionLoss>(std::move(name), std::move(function));
}

Tensor AnyLoss::operator()(const Tensor& y_true, const Tensor& y_pred,
                           const Tensor& sample_weight) const {
  if (!impl_) throw std::logic_error("loss: no loss is set (it is None)");
  return (*impl_)(y_true, y_pred, sample_weight);
}

std::string AnyLoss::name() const {
  if (!impl_) throw std::logic_error("loss: no loss is set (it is None)");
  return impl_->name();
}

std::vector<std::string> AnyLoss::names() {
  std::vector<std::string> out;
  for (const auto& [name, factory] : builtins()) out.push_back(name);
  return out;
}

}  // namespace rnnkit::losses

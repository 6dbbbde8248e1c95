#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/framework/tensor.h"

/// Weight constraints (Keras spec §6), applied by optimizers right after each update.
namespace rnnkit::constraints {

/// Base class of every constraint; subclass it for your own.
class Constraint {
 public:
  virtual ~Constraint() = default;
  /// The constrained value of `w` (computed without recording gradients).
  virtual Tensor operator()(const Tensor& w) const = 0;
  /// Keras class name, e.g. "MaxNorm".
  virtual std::string class_name() const = 0;
  /// Keras get_config() entries, name -> number.
  virtual std::map<std::string, double> config() const { return {}; }
};

/// Holds any constraint, or none (Keras's None). Built from a Keras name ("max_norm",
/// "MaxNorm", "non_neg", "unit_norm", "min_max_norm", "radial_constraint", legacy "maxnorm",
/// "nonneg", "unitnorm"), a Constraint object, or a callable Tensor(const Tensor&).
class AnyConstraint {
 public:
  AnyConstraint() = default;
  AnyConstraint(std::nullptr_t) {}                // NOLINT: implicit, reads like Keras's None
  AnyConstraint(const char* name);                // NOLINT
  AnyConstraint(std::string_view name);           // NOLINT
  AnyConstraint(const std::string& name);         // NOLINT
  template <std::derived_from<Constraint> C>
  AnyConstraint(C constraint)  // NOLINT
      : impl_(std::make_shared<C>(std::move(constraint))) {}
  AnyConstraint(std::shared_ptr<const Constraint> constraint) : impl_(std::move(constraint)) {}
  template <class F>
    requires std::invocable<const F&, const Tensor&> && (!std::convertible_to<F, std::string_view>) &&
             (!std::derived_from<F, Constraint>)
  AnyConstraint(F function)  // NOLINT
      : AnyConstraint(make_function(std::function<Tensor(const Tensor&)>(std::move(function)))) {}

  explicit operator bool() const { return impl_ != nullptr; }
  /// Applies the constraint; the identity when empty.
  Tensor operator()(const Tensor& w) const;
  const Constraint* get() const { return impl_.get(); }

  /// Every accepted name, sorted.
  static std::vector<std::string> names();

 private:
  static std::shared_ptr<const Constraint> make_function(std::function<Tensor(const Tensor&)> f);
  std::shared_ptr<const Constraint> impl_;
};

/// Options of MaxNorm, in Keras order. `axis` may be negative (counted from the end).
struct MaxNormOptions {
  double max_value = 2.0;
  std::int64_t axis = 0;
};

/// Keras MaxNorm ("max_norm", "MaxNorm", "maxnorm"): with n the L2 norm over `axis` (kept),
/// w · clip(n, 0, max_value) / (ε + n), ε = 1e-7. Not the identity below max_value.
class MaxNorm : public Constraint {
 public:
  explicit MaxNorm(MaxNormOptions options = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "MaxNorm"; }
  std::map<std::string, double> config() const override;
  double max_value() const { return max_value_; }
  std::int64_t axis() const { return axis_; }

 private:
  double max_value_;
  std::int64_t axis_;
};

/// Keras NonNeg ("non_neg", "NonNeg", "nonneg"): w · [w >= 0].
class NonNeg : public Constraint {
 public:
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "NonNeg"; }
};

/// Options of UnitNorm, in Keras order.
struct UnitNormOptions {
  std::int64_t axis = 0;
};

/// Keras UnitNorm ("unit_norm", "UnitNorm", "unitnorm"): w / (ε + n), n the L2 norm over
/// `axis`, ε = 1e-7.
class UnitNorm : public Constraint {
 public:
  explicit UnitNorm(UnitNormOptions options = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "UnitNorm"; }
  std::map<std::string, double> config() const override;
  std::int64_t axis() const { return axis_; }

 private:
  std::int64_t axis_;
};

/// Options of MinMaxNorm, in Keras order. Requires min_value <= max_value and rate in [0, 1].
struct MinMaxNormOptions {
  double min_value = 0.0;
  double max_value = 1.0;
  double rate = 1.0;
  std::int64_t axis = 0;
};

/// Keras MinMaxNorm ("min_max_norm", "MinMaxNorm"): with n the L2 norm over `axis`,
/// w · (rate · clip(n, min_value, max_value) + (1 - rate) · n) / (ε + n), ε = 1e-7.
class MinMaxNorm : public Constraint {
 public:
  explicit MinMaxNorm(MinMaxNormOptions options = {});
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "MinMaxNorm"; }
  std::map<std::string, double> config() const override;
  double min_value() const { return min_value_; }
  double max_value() const { return max_value_; }
  double rate() const { return rate_; }
  std::int64_t axis() const { return axis_; }

 private:
  double min_value_;
  double max_value_;
  double rate_;
  std::int64_t axis_;
};

/// Keras RadialConstraint ("radial_constraint", "RadialConstraint"): for a rank-4 kernel
/// [h, h, channels, filters], rebuilds every h×h slice K as concentric square rings (spec §6):
/// odd h (s = ⌊h/2⌋): centre K[s-1][s-1], ring i = 0…s-1 (innermost first) K[s+i][s+i]; even h:
/// inner 2×2 block K[s-1][s-1], ring i = 1…s-1 K[s+i][s+i]. rnnkit: rank other than 4,
/// non-square slices or h < 2 throw std::invalid_argument.
class RadialConstraint : public Constraint {
 public:
  Tensor operator()(const Tensor& w) const override;
  std::string class_name() const override { return "RadialConstraint"; }
};

}  // namespace rnnkit::constraints

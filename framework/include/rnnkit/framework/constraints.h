#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/framework/config.h"
#include "rnnkit/framework/tensor.h"

/// Weight constraints (Keras spec §6), applied by optimizers right after each update. Each
/// built-in class has Keras's get_config() and a static from_config() that takes it back (keys
/// left out take the defaults, unknown keys throw std::invalid_argument).
namespace rnnkit::constraints {

/// Base class of every constraint; subclass it for your own.
class Constraint {
 public:
  virtual ~Constraint() = default;
  /// The constrained value of `w` (computed without recording gradients).
  virtual Tensor operator()(const Tensor& w) const = 0;
  /// Keras class name, e.g. "MaxNorm".
  virtual std::string class_name() const = 0;
  /// Keras get_config(): the constructor arguments, keys in Keras's order; {} by default, as
  /// Keras's base class. A wrapped user function throws std::invalid_argument.
  virtual Config get_config() const { return Config::object(); }
};

/// Holds any constraint, or none (Keras's None). Built from a Keras name ("max_norm",
/// "MaxNorm", "non_neg", "unit_norm", "min_max_norm", "radial_constraint", legacy "maxnorm",
/// "nonneg", "unitnorm"), a Constraint object, or a callable Tensor(const Tensor&).
class AnyConstraint {
 public:
  AnyConstraint() = default;
  AnyConstraint(std::nullptr_t) {}         // NOLINT: implicit, reads like Keras's None
  AnyConstraint(const char* name);         // NOLINT
  AnyConstraint(std::string_view name);    // NOLINT
  AnyConstraint(const std::string& name);  // NOLINT
  template <std::derived_from<Constraint> C>
  AnyConstraint(C constraint)  // NOLINT
      : impl_(std::make_shared<C>(std::move(constraint))) {}
  AnyConstraint(std::shared_ptr<const Constraint> constraint) : impl_(std::move(constraint)) {}
  template <class F>
  requires std::invocable<const F&, const Tensor&> &&
      (!std::convertible_to<F, std::string_view>)&&(!std::derived_from<F, Constraint>)
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
  /// {"max_value", "axis"}; a whole max_value is written as an integer, like Keras's default 2.
  Config get_config() const override;
  static MaxNorm from_config(const Config& config);
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
  static NonNeg from_config(const Config& config);
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
  /// {"axis"}.
  Config get_config() const override;
  static UnitNorm from_config(const Config& config);
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
  /// {"min_value", "max_value", "rate", "axis"}.
  Config get_config() const override;
  static MinMaxNorm from_config(const Config& config);
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
  static RadialConstraint from_config(const Config& config);
};

/// Keras constraints.serialize: {"class_name", "config"}, e.g. {"class_name": "MaxNorm",
/// "config": {"max_value": 2, "axis": 0}}; null for none. A user function throws
/// std::invalid_argument.
Config serialize(const AnyConstraint& constraint);
/// Keras constraints.deserialize: null gives none; {"class_name", "config"} with any name
/// AnyConstraint accepts, or a plain name string. Throws std::invalid_argument for an unknown
/// name, a malformed config or an unknown key.
AnyConstraint deserialize(const Config& config);

}  // namespace rnnkit::constraints

#pragma once

#include <concepts>
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

}  // namespace rnnkit::constraints

#pragma once

#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/framework/tensor.h"

/// Weight and activity regularizers (Keras spec §5).
namespace rnnkit::regularizers {

/// Base class of every regularizer; subclass it for your own.
class Regularizer {
 public:
  virtual ~Regularizer() = default;
  /// The penalty for `x`, a differentiable 0-d tensor of x's dtype.
  virtual Tensor operator()(const Tensor& x) const = 0;
  /// Keras class name, e.g. "L1L2".
  virtual std::string class_name() const = 0;
  /// Keras get_config() entries, name -> number.
  virtual std::map<std::string, double> config() const { return {}; }
};

/// Holds any regularizer, or none (Keras's None). Built from a Keras name ("l1", "l2",
/// "l1_l2", "L1", "L2", "L1L2"), a Regularizer object, or a callable Tensor(const Tensor&).
class AnyRegularizer {
 public:
  AnyRegularizer() = default;
  AnyRegularizer(std::nullptr_t) {}         // NOLINT: implicit, reads like Keras's None
  AnyRegularizer(const char* name);         // NOLINT
  AnyRegularizer(std::string_view name);    // NOLINT
  AnyRegularizer(const std::string& name);  // NOLINT
  template <std::derived_from<Regularizer> R>
  AnyRegularizer(R regularizer)  // NOLINT
      : impl_(std::make_shared<R>(std::move(regularizer))) {}
  AnyRegularizer(std::shared_ptr<const Regularizer> regularizer) : impl_(std::move(regularizer)) {}
  template <class F>
    requires std::invocable<const F&, const Tensor&> && (!std::convertible_to<F, std::string_view>) &&
             (!std::derived_from<F, Regularizer>)
  AnyRegularizer(F function)  // NOLINT
      : AnyRegularizer(make_function(std::function<Tensor(const Tensor&)>(std::move(function)))) {}

  explicit operator bool() const { return impl_ != nullptr; }
  /// The penalty; throws std::logic_error when empty.
  Tensor operator()(const Tensor& x) const;
  const Regularizer* get() const { return impl_.get(); }

  /// Every accepted name, sorted.
  static std::vector<std::string> names();

 private:
  static std::shared_ptr<const Regularizer> make_function(std::function<Tensor(const Tensor&)> f);
  std::shared_ptr<const Regularizer> impl_;
};

}  // namespace rnnkit::regularizers

#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/framework/tensor.h>

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Weight initializers (Keras spec §4).
namespace rnnkit::initializers {

/// Base class of every initializer; subclass it for your own.
class Initializer {
 public:
  virtual ~Initializer() = default;
  /// A new tensor of `shape` and `dtype` (float32 or float64) filled with initial values.
  virtual Tensor operator()(const Shape& shape, DType dtype = DType::f32) const = 0;
  /// Keras class name, e.g. "GlorotUniform".
  virtual std::string class_name() const = 0;
  /// Keras get_config(): the constructor arguments, keys in Keras's order; {} by default, as
  /// Keras's base class. A wrapped user function throws std::invalid_argument (it cannot be
  /// rebuilt from a config).
  virtual Config get_config() const { return Config::object(); }
};

/// Holds any initializer. Built from a Keras name ("glorot_uniform", "orthogonal", "zeros",
/// "GlorotUniform", ...), an Initializer object, or a callable Tensor(const Shape&, DType).
class AnyInitializer {
 public:
  AnyInitializer(const char* name);         // NOLINT: implicit, so options read like Keras
  AnyInitializer(std::string_view name);    // NOLINT
  AnyInitializer(const std::string& name);  // NOLINT
  template <std::derived_from<Initializer> I>
  AnyInitializer(I initializer)  // NOLINT
      : impl_(std::make_shared<I>(std::move(initializer))) {}
  AnyInitializer(std::shared_ptr<const Initializer> initializer);
  template <class F>
  requires std::invocable<const F&, const Shape&, DType> &&
      (!std::convertible_to<F, std::string_view>)&&(!std::derived_from<F, Initializer>)
          AnyInitializer(F function)  // NOLINT
      : AnyInitializer(
            make_function(std::function<Tensor(const Shape&, DType)>(std::move(function)))) {}

  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const;
  const Initializer& get() const { return *impl_; }

  /// Every accepted name, sorted.
  static std::vector<std::string> names();

 private:
  static std::shared_ptr<const Initializer> make_function(
      std::function<Tensor(const Shape&, DType)> f);
  std::shared_ptr<const Initializer> impl_;
};

}  // namespace rnnkit::initializers

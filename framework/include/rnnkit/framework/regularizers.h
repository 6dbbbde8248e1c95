#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/framework/config.h"
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
  /// Keras get_config(): the constructor arguments, keys in Keras's order. Keras's base class
  /// has none, so the default throws std::invalid_argument naming class_name().
  virtual Config get_config() const;
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
  requires std::invocable<const F&, const Tensor&> &&
      (!std::convertible_to<F, std::string_view>)&&(!std::derived_from<F, Regularizer>)
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

/// Keras L1(l1=0.01) ("l1", "L1"): l1 · Σ|x|. The factor must be finite and >= 0 and is
/// stored as float32, as Keras does; the penalty is computed in x's dtype.
class L1 : public Regularizer {
 public:
  explicit L1(double l1 = 0.01);
  Tensor operator()(const Tensor& x) const override;
  std::string class_name() const override { return "L1"; }
  /// {"l1"}: the stored float32 factor.
  Config get_config() const override { return {{"l1", l1()}}; }
  /// Keys "l1" (null: the default) and Keras's legacy "l", which wins when both are given.
  static L1 from_config(const Config& config);
  /// The stored factor, e.g. 0.009999999776482582 for 0.01.
  double l1() const { return l1_; }

 private:
  float l1_;
};

/// Keras L2(l2=0.01) ("l2", "L2"): l2 · Σx². The factor must be finite and >= 0 and is stored
/// as float32; the penalty is computed in x's dtype.
class L2 : public Regularizer {
 public:
  explicit L2(double l2 = 0.01);
  Tensor operator()(const Tensor& x) const override;
  std::string class_name() const override { return "L2"; }
  /// {"l2"}: the stored float32 factor.
  Config get_config() const override { return {{"l2", l2()}}; }
  /// Keys "l2" (null: the default) and Keras's legacy "l", which wins when both are given.
  static L2 from_config(const Config& config);
  /// The stored factor, e.g. 0.009999999776482582 for 0.01.
  double l2() const { return l2_; }

 private:
  float l2_;
};

/// Keras L1L2(l1=0, l2=0) ("L1L2"; the name "l1_l2" gives 0.01, 0.01): l1 · Σ|x| + l2 · Σx²,
/// a term with a zero factor left out (both zero: a constant 0). Factors as in L1 and L2.
class L1L2 : public Regularizer {
 public:
  explicit L1L2(double l1 = 0.0, double l2 = 0.0);
  Tensor operator()(const Tensor& x) const override;
  std::string class_name() const override { return "L1L2"; }
  /// {"l1", "l2"}: the stored float32 factors.
  Config get_config() const override { return {{"l1", l1()}, {"l2", l2()}}; }
  /// Keys "l1", "l2" (null: 0).
  static L1L2 from_config(const Config& config);
  double l1() const { return l1_; }
  double l2() const { return l2_; }

 private:
  float l1_;
  float l2_;
};

/// Keras l1(l1=0.01): an L1 regularizer.
L1 l1(double l1 = 0.01);
/// Keras l2(l2=0.01): an L2 regularizer.
L2 l2(double l2 = 0.01);
/// Keras l1_l2(l1=0.01, l2=0.01): an L1L2 regularizer with both defaults 0.01.
L1L2 l1_l2(double l1 = 0.01, double l2 = 0.01);

/// Keras regularizers.serialize: {"class_name", "config"}, e.g. {"class_name": "L2", "config":
/// {"l2": 0.009999999776482582}}; null for none. A regularizer without get_config (a user
/// function) throws std::invalid_argument.
Config serialize(const AnyRegularizer& regularizer);
/// Keras regularizers.deserialize: null gives none; {"class_name", "config"} with any name
/// AnyRegularizer accepts ("L2", "l2", ...; "l1_l2" defaults a missing factor to 0.01, as
/// Keras's l1_l2 function does), or a plain name string. Throws std::invalid_argument for an
/// unknown name, a malformed config or an unknown key.
AnyRegularizer deserialize(const Config& config);

}  // namespace rnnkit::regularizers

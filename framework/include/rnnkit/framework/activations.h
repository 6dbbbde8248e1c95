#pragma once

#include <concepts>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/framework/config.h"
#include "rnnkit/framework/tensor.h"

namespace rnnkit {

/// An activation function, by Keras name ("tanh", "relu", "sigmoid", "linear", ...; spec §8) or
/// as any callable Tensor(const Tensor&). Keras's `None` is "linear". An unknown name is held
/// unresolved so the layer given it can reject it by name (check); calling it throws
/// std::invalid_argument listing the valid names.
class Activation {
 public:
  using Function = std::function<Tensor(const Tensor&)>;

  /// "linear".
  Activation();
  Activation(const char* name);  // NOLINT: implicit, so options read `.activation = "relu"`
  Activation(std::string_view name);
  Activation(const std::string& name);
  /// A user function; `name` is what get_config reports.
  Activation(std::string name, Function function);
  template <class F>
  requires std::invocable<const F&, const Tensor&> &&
      std::convertible_to<std::invoke_result_t<const F&, const Tensor&>, Tensor> &&
      (!std::convertible_to<F, std::string_view>)
          Activation(F function)  // NOLINT: implicit, so options read `.activation = my_function`
      : Activation("custom", Function(std::move(function))) {}

  Tensor operator()(const Tensor& x) const;
  const std::string& name() const { return name_; }
  /// True for a built-in activation (as opposed to a user callable or an unknown name).
  bool is_builtin() const { return builtin_; }
  /// False only for a name that is not in names().
  bool is_known() const { return static_cast<bool>(function_); }
  /// Throws std::invalid_argument "<who>: argument '<argument>': unknown name ..." listing the
  /// valid names unless is_known().
  void check(std::string_view who, std::string_view argument = "activation") const;

  /// Every name accepted, sorted.
  static std::vector<std::string> names();

 private:
  std::string name_;
  Function function_;
  bool builtin_ = false;
};

}  // namespace rnnkit

/// Keras activations.serialize / deserialize (spec §10).
namespace rnnkit::activations {

/// The name, e.g. "tanh" ("silu" is written "swish", the Keras function it names). A user
/// function cannot be rebuilt from a name: std::invalid_argument.
Config serialize(const Activation& activation);
/// Keras activations.get on a name string; null is Keras's None, "linear". An unknown name or
/// another JSON type throws std::invalid_argument listing the valid names.
Activation deserialize(const Config& config);

}  // namespace rnnkit::activations

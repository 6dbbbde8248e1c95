#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/optim/optimizer.h"

namespace rnnkit::optim {

/// A new optimizer with Keras's defaults from its name, case-insensitive as in Keras
/// ("sgd", "adam", "rmsprop", "adagrad", or the class names "SGD", "Adam", "RMSprop",
/// "Adagrad"); an unknown name throws std::invalid_argument listing the valid ones.
std::unique_ptr<Optimizer> get(std::string_view name);

/// Holds any optimizer: what compile()'s `optimizer` accepts. Built from a name (see get()),
/// an optimizer object (moved in), or a shared pointer to one. Copies share the optimizer and
/// its state.
class AnyOptimizer {
 public:
  AnyOptimizer(const char* name);         // NOLINT: implicit, reads like Keras's "adam"
  AnyOptimizer(std::string_view name);    // NOLINT
  AnyOptimizer(const std::string& name);  // NOLINT
  template <std::derived_from<Optimizer> O>
  AnyOptimizer(O optimizer)  // NOLINT
      : impl_(std::make_shared<O>(std::move(optimizer))) {}
  template <std::derived_from<Optimizer> O>
  AnyOptimizer(std::shared_ptr<O> optimizer)  // NOLINT
      : impl_(std::move(optimizer)) {
    if (!impl_) throw_null();
  }

  Optimizer& operator*() const { return *impl_; }
  Optimizer* operator->() const { return impl_.get(); }
  Optimizer* get() const { return impl_.get(); }

  /// Every accepted name (matching is case-insensitive), sorted.
  static std::vector<std::string> names();

 private:
  [[noreturn]] static void throw_null();
  std::shared_ptr<Optimizer> impl_;
};

}  // namespace rnnkit::optim

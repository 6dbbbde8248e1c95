#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rnnkit/framework/constraints.h"
#include "rnnkit/framework/tensor.h"

namespace rnnkit {

/// A named model parameter (Keras's tf.Variable): a leaf tensor that requires grad when
/// trainable, plus the constraint the optimizer applies right after each update. A cheap handle:
/// copies share the same parameter.
class Variable {
 public:
  Variable() = default;
  Variable(std::string name, Tensor value, constraints::AnyConstraint constraint = {},
           bool trainable = true);

  bool defined() const { return impl_ != nullptr; }
  const std::string& name() const;
  /// The current value (a leaf; in-place updates bump its version).
  const Tensor& value() const;
  const constraints::AnyConstraint& constraint() const;
  bool trainable() const;
  void set_trainable(bool trainable);
  /// Replaces the value in place (shape and dtype must match; the dtype is converted).
  void assign(const Tensor& value);
  /// Zeroes the accumulated gradient, keeping its buffer (call after each optimizer step).
  void zero_grad();
  /// Applies the constraint, if any, in place (what optimizers call after each update).
  void apply_constraint();
  /// Identity of the shared parameter, stable for its lifetime (keys optimizer slots).
  std::uintptr_t id() const { return reinterpret_cast<std::uintptr_t>(impl_.get()); }

 private:
  struct Impl {
    std::string name;
    Tensor value;
    constraints::AnyConstraint constraint;
    bool trainable = true;
  };
  const Impl& checked() const;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rnnkit

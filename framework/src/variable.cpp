#include "rnnkit/framework/variable.h"

#include <stdexcept>

#include <fmt/format.h>

#include "rnnkit/framework/autograd.h"

namespace rnnkit {

Variable::Variable(std::string name, Tensor value, constraints::AnyConstraint constraint,
                   bool trainable)
    : impl_(std::make_shared<Impl>()) {
  if (!value.defined() || !is_floating(value.dtype())) {
    throw std::invalid_argument(
        fmt::format("Variable '{}': expected a defined float32 or float64 value", name));
  }
  impl_->name = std::move(name);
  impl_->value = value.detach();
  impl_->value.set_requires_grad(trainable);
  impl_->constraint = std::move(constraint);
  impl_->trainable = trainable;
}

const Variable::Impl& Variable::checked() const {
  if (!impl_) throw std::logic_error("Variable: operation on an undefined variable");
  return *impl_;
}

const std::string& Variable::name() const { return checked().name; }
const Tensor& Variable::value() const { return checked().value; }
const constraints::AnyConstraint& Variable::constraint() const { return checked().constraint; }
bool Variable::trainable() const { return checked().trainable; }

void Variable::set_trainable(bool trainable) {
  checked();
  impl_->trainable = trainable;
  impl_->value.set_requires_grad(trainable);
}

void Variable::assign(const Tensor& value) {
  const Tensor& current = checked().value;
  if (!value.defined() || value.shape() != current.shape()) {
    throw std::invalid_argument(fmt::format(
        "Variable '{}': assign expected a value of shape {}, got {}", impl_->name,
        shape_str(current.shape()), value.defined() ? shape_str(value.shape()) : "undefined"));
  }
  impl_->value.copy_(value);
}

void Variable::zero_grad() {
  checked();
  impl_->value.zero_grad();
}

void Variable::apply_constraint() {
  const auto& constraint = checked().constraint;
  if (!constraint) return;
  NoGradGuard no_grad;
  impl_->value.copy_(constraint(impl_->value));
}

}  // namespace rnnkit

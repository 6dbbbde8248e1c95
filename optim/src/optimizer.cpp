#include "rnnkit/optim/optimizer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/autograd.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "blocks.h"
#include "checks.h"
#include "rnnkit/optim/serialization.h"

namespace rnnkit::optim {
namespace {

/// ‖clip(g, -clipvalue, clipvalue)‖²: vectorised sums in T over blocks, accumulated in double
/// (as fast as a float sum, nearly as accurate as a double one).
template <class T>
double squared_norm(const Tensor& gradient, const std::optional<double>& clipvalue) {
  const T* data = gradient.data<T>();
  const std::int64_t size = gradient.numel();
  double sum = 0.0;
  for (std::int64_t begin = 0; begin < size; begin += detail::block_size<T>) {
    const detail::ConstArrayMap<T> g(data + begin, std::min(detail::block_size<T>, size - begin));
    if (clipvalue) {
      const T c = static_cast<T>(*clipvalue);
      sum += g.max(-c).min(c).square().sum();
    } else {
      sum += g.square().sum();
    }
  }
  return sum;
}

std::string slot_key(const Variable& variable, const std::string& slot) {
  return variable.name() + "/" + slot;
}

}  // namespace

void Optimizer::set_learning_rate(LearningRate learning_rate) {
  if (!learning_rate.schedule()) {
    detail::require_non_negative(class_name_, "learning_rate", learning_rate(0));
  }
  learning_rate_ = std::move(learning_rate);
}

Optimizer::Optimizer(Settings settings)
    : class_name_(std::move(settings.class_name)),
      name_(std::move(settings.name)),
      learning_rate_(std::move(settings.learning_rate)),
      clipnorm_(settings.clipnorm),
      clipvalue_(settings.clipvalue),
      global_clipnorm_(settings.global_clipnorm),
      decay_(settings.decay) {
  if (!learning_rate_.schedule()) {
    detail::require_non_negative(class_name_, "learning_rate", learning_rate_(0));
  }
  if (clipnorm_) detail::require_non_negative(class_name_, "clipnorm", *clipnorm_);
  if (clipvalue_) detail::require_non_negative(class_name_, "clipvalue", *clipvalue_);
  if (global_clipnorm_) {
    detail::require_non_negative(class_name_, "global_clipnorm", *global_clipnorm_);
  }
  if (clipnorm_ && global_clipnorm_) {
    throw std::invalid_argument(fmt::format(
        "{}: clipnorm and global_clipnorm cannot both be set (expected at most one), got "
        "clipnorm={} and global_clipnorm={}",
        class_name_, *clipnorm_, *global_clipnorm_));
  }
  detail::require_non_negative(class_name_, "decay", decay_);
}

Config Optimizer::get_config() const {
  Config config = {{"name", name_}};
  if (clipnorm_) config["clipnorm"] = *clipnorm_;
  if (clipvalue_) config["clipvalue"] = *clipvalue_;
  if (global_clipnorm_) config["global_clipnorm"] = *global_clipnorm_;
  return config;
}

Config Optimizer::learning_rate_config() const {
  if (const LearningRateSchedule* schedule = learning_rate_.schedule()) return serialize(*schedule);
  return learning_rate_(0);
}

Optimizer::~Optimizer() = default;
Optimizer::Optimizer(Optimizer&&) noexcept = default;
Optimizer& Optimizer::operator=(Optimizer&&) noexcept = default;

double Optimizer::initial_slot_value(std::size_t) const { return 0.0; }

double Optimizer::learning_rate() const { return learning_rate_at(iterations_); }

double Optimizer::learning_rate_at(std::int64_t step) const {
  double rate = learning_rate_(step);
  if (!(std::isfinite(rate) && rate >= 0.0)) {
    throw std::invalid_argument(fmt::format(
        "{}: the learning_rate schedule must give a finite number >= 0, got {} at step {}",
        class_name_, rate, step));
  }
  // Keras applies the legacy `decay` on top of a schedule (spec §7).
  if (decay_ > 0.0) rate /= 1.0 + decay_ * static_cast<double>(step);
  return rate;
}

void Optimizer::apply(const std::vector<Variable>& variables) {
  // Everything is checked before anything changes, so a throwing call leaves the optimizer and
  // the variables as they were.
  pending_.clear();
  bool any_trainable = false;
  for (const Variable& variable : variables) {
    if (!variable.trainable()) continue;
    any_trainable = true;
    const Tensor& value = variable.value();
    if (!value.has_grad()) continue;
    const Tensor& gradient = value.grad();
    if (gradient.shape() != value.shape() || gradient.dtype() != value.dtype()) {
      throw std::invalid_argument(fmt::format(
          "{}.apply: variable '{}' expected a gradient of shape {} and dtype {}, got shape {} "
          "and dtype {}",
          class_name_, variable.name(), shape_str(value.shape()), dtype_name(value.dtype()),
          shape_str(gradient.shape()), dtype_name(gradient.dtype())));
    }
    for (const Pending& earlier : pending_) {
      if (earlier.variable->id() == variable.id()) {
        throw std::invalid_argument(fmt::format(
            "{}.apply: expected each variable once, got '{}' twice", class_name_, variable.name()));
      }
    }
    pending_.push_back({&variable, nullptr, 1.0});
  }
  if (any_trainable && pending_.empty()) {
    // Keras raises "No gradients provided for any variable" here.
    throw std::logic_error(fmt::format(
        "{}.apply: no trainable variable has a gradient; call backward() on the loss first",
        class_name_));
  }
  const double rate = learning_rate_at(iterations_);

  for (Pending& pending : pending_) pending.slots = &slots_for(*pending.variable);
  compute_gradient_scales();
  prepare(iterations_, rate);
  NoGradGuard no_grad;
  for (const Pending& pending : pending_) {
    if (pending.variable->value().dtype() == DType::f32) {
      update_variable<float>(pending);
    } else {
      update_variable<double>(pending);
    }
    Variable variable = *pending.variable;
    variable.apply_constraint();
  }
  ++iterations_;
}

Optimizer::Slots& Optimizer::slots_for(const Variable& variable) {
  const auto found = slots_.find(variable.id());
  if (found != slots_.end()) return found->second;
  const std::vector<std::string> names = slot_names();
  if (names.size() > UpdateBlock<float>::max_slots) {
    throw std::logic_error(fmt::format("{}: at most {} slots per variable are supported, got {}",
                                       class_name_, UpdateBlock<float>::max_slots, names.size()));
  }
  Slots slots{variable, {}};
  const Tensor& value = variable.value();
  for (std::size_t k = 0; k < names.size(); ++k) {
    slots.tensors.push_back(Tensor::full(value.shape(), initial_slot_value(k), value.dtype()));
  }
  return slots_.emplace(variable.id(), std::move(slots)).first->second;
}

void Optimizer::compute_gradient_scales() {
  if (!clipnorm_ && !global_clipnorm_) return;
  // Clipping order of optimizer_v2 (spec §7): clipvalue, then clipnorm per tensor, then
  // global_clipnorm. The clipped gradients are never materialised: each becomes
  // clip(g, -clipvalue, clipvalue) * gradient_scale inside update_variable.
  double global_squared = 0.0;
  for (Pending& pending : pending_) {
    const Tensor& gradient = pending.variable->value().grad();
    double squared = gradient.dtype() == DType::f32 ? squared_norm<float>(gradient, clipvalue_)
                                                    : squared_norm<double>(gradient, clipvalue_);
    if (clipnorm_) {
      const double norm = std::sqrt(squared);
      if (norm > *clipnorm_) {
        pending.gradient_scale = *clipnorm_ / norm;
        squared *= pending.gradient_scale * pending.gradient_scale;
      }
    }
    global_squared += squared;
  }
  if (global_clipnorm_) {
    const double global_norm = std::sqrt(global_squared);
    if (global_norm > *global_clipnorm_) {
      for (Pending& pending : pending_) pending.gradient_scale *= *global_clipnorm_ / global_norm;
    }
  }
}

template <class T>
void Optimizer::update_variable(const Pending& pending) {
  Tensor value = pending.variable->value();
  const std::int64_t size = value.numel();
  T* values = value.mutable_data<T>();
  const T* gradient = value.grad().data<T>();
  std::array<T*, UpdateBlock<T>::max_slots> slots{};
  for (std::size_t k = 0; k < pending.slots->tensors.size(); ++k) {
    slots[k] = pending.slots->tensors[k].mutable_data<T>();
  }
  const bool clip_value = clipvalue_.has_value();
  const bool transform = clip_value || pending.gradient_scale != 1.0;
  const T clip = clip_value ? static_cast<T>(*clipvalue_) : T{0};
  const T scale = static_cast<T>(pending.gradient_scale);
  alignas(64) std::array<T, detail::block_size<T>> clipped;

  for (std::int64_t begin = 0; begin < size; begin += detail::block_size<T>) {
    UpdateBlock<T> block;
    block.size = std::min(detail::block_size<T>, size - begin);
    block.value = values + begin;
    block.gradient = gradient + begin;
    for (std::size_t k = 0; k < slots.size(); ++k) {
      if (slots[k] != nullptr) block.slots[k] = slots[k] + begin;
    }
    if (transform) {
      const detail::ConstArrayMap<T> g(block.gradient, block.size);
      detail::ArrayMap<T> out(clipped.data(), block.size);
      if (clip_value) {
        out = g.max(-clip).min(clip) * scale;
      } else {
        out = g * scale;
      }
      block.gradient = clipped.data();
    }
    update(block);
  }
}

OptimizerState Optimizer::state() const {
  OptimizerState state{iterations_, {}};
  const std::vector<std::string> names = slot_names();
  for (const auto& [id, slots] : slots_) {
    for (std::size_t k = 0; k < names.size(); ++k) {
      const std::string key = slot_key(slots.variable, names[k]);
      if (!state.slots.emplace(key, slots.tensors[k].clone()).second) {
        throw std::logic_error(
            fmt::format("{}.state: expected distinct variable names, got two variables named '{}'",
                        class_name_, slots.variable.name()));
      }
    }
  }
  return state;
}

void Optimizer::load_state(const OptimizerState& state, const std::vector<Variable>& variables) {
  const std::string where = class_name_ + ".load_state";
  if (state.iterations < 0) {
    throw std::invalid_argument(
        fmt::format("{}: iterations must be >= 0, got {}", where, state.iterations));
  }
  const std::vector<std::string> names = slot_names();
  std::set<std::string> variable_names;
  std::set<std::string> expected_keys;
  for (const Variable& variable : variables) {
    if (!variable_names.insert(variable.name()).second) {
      throw std::invalid_argument(fmt::format(
          "{}: expected distinct variable names, got '{}' twice", where, variable.name()));
    }
    for (const std::string& slot : names) expected_keys.insert(slot_key(variable, slot));
  }
  for (const auto& [key, tensor] : state.slots) {
    if (!expected_keys.contains(key)) {
      throw std::invalid_argument(fmt::format(
          "{}: unknown slot '{}'; expected '<variable name>/<slot>' with a variable among [{}] "
          "and a slot among [{}]",
          where, key, fmt::join(variable_names, ", "), fmt::join(names, ", ")));
    }
  }

  std::unordered_map<std::uintptr_t, Slots> loaded;
  for (const Variable& variable : variables) {
    const auto present = std::count_if(names.begin(), names.end(), [&](const std::string& slot) {
      return state.slots.contains(slot_key(variable, slot));
    });
    if (present == 0) continue;
    Slots slots{variable, {}};
    const Tensor& value = variable.value();
    for (const std::string& slot : names) {
      const std::string key = slot_key(variable, slot);
      const auto found = state.slots.find(key);
      if (found == state.slots.end()) {
        throw std::invalid_argument(fmt::format(
            "{}: slot '{}' is missing (expected all of [{}] for variable '{}', got {} of them)",
            where, key, fmt::join(names, ", "), variable.name(), present));
      }
      const Tensor& source = found->second;
      if (!source.defined() || source.shape() != value.shape()) {
        throw std::invalid_argument(fmt::format(
            "{}: slot '{}' expected a tensor of shape {}, got {}", where, key,
            shape_str(value.shape()), source.defined() ? shape_str(source.shape()) : "undefined"));
      }
      Tensor copy = Tensor::empty(value.shape(), value.dtype());
      copy.copy_(source);
      slots.tensors.push_back(std::move(copy));
    }
    loaded.emplace(variable.id(), std::move(slots));
  }
  iterations_ = state.iterations;
  slots_ = std::move(loaded);
}

}  // namespace rnnkit::optim

#include "rnnkit/framework/constraints.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/config_reader.h"
#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit::constraints {
namespace {

// Keras's fuzz factor backend.epsilon(), added to the norm in every denominator (spec §6).
constexpr double epsilon = 1e-7;

void require_floating(std::string_view constraint, const Tensor& w) {
  if (!w.defined() || !is_floating(w.dtype())) {
    throw std::invalid_argument(fmt::format(
        "{}: expected a float32 or float64 weight, got {}", constraint,
        w.defined() ? std::string(dtype_name(w.dtype())) : std::string("an undefined tensor")));
  }
}

void require_not_nan(std::string_view constraint, std::string_view argument, double value) {
  if (std::isnan(value)) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be a number, got nan", constraint, argument));
  }
}

// L2 norms over `axis`, kept as a size-1 dimension so they broadcast against w.
Tensor norms(const Tensor& w, int axis) { return sqrt(sum(square(w), axis, true)); }

using Factory = std::shared_ptr<const Constraint> (*)();

template <class C>
std::shared_ptr<const Constraint> make() {
  return std::make_shared<C>();
}

// Snake-case and class names, plus the legacy maxnorm/nonneg/unitnorm aliases.
const std::map<std::string, Factory, std::less<>>& registry() {
  static const std::map<std::string, Factory, std::less<>> table{
      {"max_norm", &make<MaxNorm>},
      {"MaxNorm", &make<MaxNorm>},
      {"maxnorm", &make<MaxNorm>},
      {"non_neg", &make<NonNeg>},
      {"NonNeg", &make<NonNeg>},
      {"nonneg", &make<NonNeg>},
      {"unit_norm", &make<UnitNorm>},
      {"UnitNorm", &make<UnitNorm>},
      {"unitnorm", &make<UnitNorm>},
      {"min_max_norm", &make<MinMaxNorm>},
      {"MinMaxNorm", &make<MinMaxNorm>},
      {"radial_constraint", &make<RadialConstraint>},
      {"RadialConstraint", &make<RadialConstraint>},
  };
  return table;
}

// A user callable seen as a Constraint.
class FunctionConstraint final : public Constraint {
 public:
  explicit FunctionConstraint(std::function<Tensor(const Tensor&)> function)
      : function_(std::move(function)) {}
  Tensor operator()(const Tensor& w) const override { return function_(w); }
  std::string class_name() const override { return "custom"; }
  Config get_config() const override {
    throw std::invalid_argument(
        "constraint: a user function cannot be serialized (no config can rebuild it); use a "
        "built-in constraint");
  }

 private:
  std::function<Tensor(const Tensor&)> function_;
};

}  // namespace

MaxNorm::MaxNorm(MaxNormOptions options) : max_value_(options.max_value), axis_(options.axis) {
  if (!(max_value_ >= 0)) {
    throw std::invalid_argument(fmt::format("MaxNorm: max_value must be >= 0, got {}", max_value_));
  }
}

Tensor MaxNorm::operator()(const Tensor& w) const {
  require_floating("MaxNorm", w);
  const int axis = normalize_axis("MaxNorm", axis_, w.shape().size());
  NoGradGuard no_grad;
  const Tensor n = norms(w, axis);
  return mul(w, div(clip(n, 0.0, max_value_), add(n, epsilon)));
}

Config MaxNorm::get_config() const {
  return {{"max_value", whole_as_integer(max_value_)}, {"axis", axis_}};
}

MaxNorm MaxNorm::from_config(const Config& config) {
  ConfigReader reader("MaxNorm config", config);
  MaxNormOptions options;
  options.max_value = reader.number("max_value", options.max_value);
  options.axis = reader.integer("axis", options.axis);
  reader.finish();
  return MaxNorm(options);
}

NonNeg NonNeg::from_config(const Config& config) {
  ConfigReader("NonNeg config", config).finish();
  return NonNeg();
}

Tensor NonNeg::operator()(const Tensor& w) const {
  require_floating("NonNeg", w);
  Tensor out = Tensor::empty(w.shape(), w.dtype());
  rnnkit::detail::dispatch_float("NonNeg", w.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = w.data<T>();
    T* o = out.mutable_data<T>();
    for (std::int64_t i = 0; i < w.numel(); ++i) o[i] = in[i] * static_cast<T>(in[i] >= T(0));
  });
  return out;
}

UnitNorm::UnitNorm(UnitNormOptions options) : axis_(options.axis) {}

Tensor UnitNorm::operator()(const Tensor& w) const {
  require_floating("UnitNorm", w);
  const int axis = normalize_axis("UnitNorm", axis_, w.shape().size());
  NoGradGuard no_grad;
  return div(w, add(norms(w, axis), epsilon));
}

Config UnitNorm::get_config() const { return {{"axis", axis_}}; }

UnitNorm UnitNorm::from_config(const Config& config) {
  ConfigReader reader("UnitNorm config", config);
  UnitNormOptions options;
  options.axis = reader.integer("axis", options.axis);
  reader.finish();
  return UnitNorm(options);
}

MinMaxNorm::MinMaxNorm(MinMaxNormOptions options)
    : min_value_(options.min_value),
      max_value_(options.max_value),
      rate_(options.rate),
      axis_(options.axis) {
  require_not_nan("MinMaxNorm", "min_value", min_value_);
  require_not_nan("MinMaxNorm", "max_value", max_value_);
  if (min_value_ > max_value_) {
    throw std::invalid_argument(
        fmt::format("MinMaxNorm: expected min_value <= max_value, got min_value={} max_value={}",
                    min_value_, max_value_));
  }
  if (!(rate_ >= 0 && rate_ <= 1)) {
    throw std::invalid_argument(fmt::format("MinMaxNorm: rate must be in [0, 1], got {}", rate_));
  }
}

Tensor MinMaxNorm::operator()(const Tensor& w) const {
  require_floating("MinMaxNorm", w);
  const int axis = normalize_axis("MinMaxNorm", axis_, w.shape().size());
  NoGradGuard no_grad;
  const Tensor n = norms(w, axis);
  const Tensor desired = add(mul(clip(n, min_value_, max_value_), rate_), mul(n, 1.0 - rate_));
  return mul(w, div(desired, add(n, epsilon)));
}

Config MinMaxNorm::get_config() const {
  return {{"min_value", min_value_}, {"max_value", max_value_}, {"rate", rate_}, {"axis", axis_}};
}

MinMaxNorm MinMaxNorm::from_config(const Config& config) {
  ConfigReader reader("MinMaxNorm config", config);
  MinMaxNormOptions options;
  options.min_value = reader.number("min_value", options.min_value);
  options.max_value = reader.number("max_value", options.max_value);
  options.rate = reader.number("rate", options.rate);
  options.axis = reader.integer("axis", options.axis);
  reader.finish();
  return MinMaxNorm(options);
}

RadialConstraint RadialConstraint::from_config(const Config& config) {
  ConfigReader("RadialConstraint config", config).finish();
  return RadialConstraint();
}

Tensor RadialConstraint::operator()(const Tensor& w) const {
  require_floating("RadialConstraint", w);
  if (w.dim() != 4) {
    throw std::invalid_argument(fmt::format(
        "RadialConstraint: expected a rank-4 kernel [height, width, channels, filters], got "
        "shape {} (rank {})",
        shape_str(w.shape()), w.dim()));
  }
  const std::int64_t h = w.size(0);
  if (w.size(1) != h || h < 2) {
    throw std::invalid_argument(fmt::format(
        "RadialConstraint: expected square kernel slices of size >= 2 (height == width), got "
        "shape {}",
        shape_str(w.shape())));
  }
  const std::int64_t slices = w.size(2) * w.size(3);
  const std::int64_t s = h / 2;
  // Keras grows the rings outward from the centre, so every element takes the value of the
  // diagonal element K[k][k] of its ring (spec §6, including the odd-size centre K[s-1][s-1]).
  const auto ring = [h, s](std::int64_t i) {
    return h % 2 == 1 ? std::abs(i - s) : (i < s ? s - 1 - i : i - s);
  };
  const auto source = [h, s](std::int64_t d) {
    return d == 0 ? s - 1 : (h % 2 == 1 ? s + d - 1 : s + d);
  };
  Tensor out = Tensor::empty(w.shape(), w.dtype());
  rnnkit::detail::dispatch_float("RadialConstraint", w.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = w.data<T>();
    T* o = out.mutable_data<T>();
    for (std::int64_t y = 0; y < h; ++y) {
      for (std::int64_t x = 0; x < h; ++x) {
        const std::int64_t k = source(std::max(ring(y), ring(x)));
        std::copy_n(in + (k * h + k) * slices, slices, o + (y * h + x) * slices);
      }
    }
  });
  return out;
}

// A null name is Keras's None: no constraint.
AnyConstraint::AnyConstraint(const char* name) {
  if (name != nullptr) *this = AnyConstraint(std::string_view(name));
}
AnyConstraint::AnyConstraint(const std::string& name) : AnyConstraint(std::string_view(name)) {}

AnyConstraint::AnyConstraint(std::string_view name) {
  const auto& table = registry();
  const auto it = table.find(name);
  if (it == table.end()) {
    throw std::invalid_argument(fmt::format("constraint: unknown name \"{}\"; expected one of: {}",
                                            name, fmt::join(names(), ", ")));
  }
  impl_ = it->second();
}

std::shared_ptr<const Constraint> AnyConstraint::make_function(
    std::function<Tensor(const Tensor&)> f) {
  if (!f) throw std::invalid_argument("constraint: expected a callable, got an empty function");
  return std::make_shared<FunctionConstraint>(std::move(f));
}

Tensor AnyConstraint::operator()(const Tensor& w) const {
  if (!impl_) return w;
  NoGradGuard no_grad;
  Tensor constrained = (*impl_)(w);
  if (!constrained.defined() || constrained.shape() != w.shape()) {
    throw std::invalid_argument(fmt::format(
        "constraint {}: expected a result of the weight's shape {}, got {}", impl_->class_name(),
        shape_str(w.shape()),
        constrained.defined() ? "shape " + shape_str(constrained.shape()) : "an undefined tensor"));
  }
  return constrained;
}

std::vector<std::string> AnyConstraint::names() {
  std::vector<std::string> out;
  for (const auto& entry : registry()) out.push_back(entry.first);
  return out;
}

}  // namespace rnnkit::constraints

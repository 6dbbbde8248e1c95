#include "rnnkit/framework/regularizers.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>
#include <stdexcept>

#include "rnnkit/framework/config_reader.h"
#include "rnnkit/framework/ops.h"

namespace rnnkit::regularizers {
namespace {

// Keras keeps factors as float32 (cast_to_floatx, spec §5); a value that overflows float32 is
// rejected like any other non-finite factor.
float factor(std::string_view regularizer, std::string_view argument, double value) {
  if (!(value >= 0 && value <= std::numeric_limits<float>::max())) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be a finite number >= 0 within float32 range, got {}", regularizer,
                    argument, value));
  }
  return static_cast<float>(value);
}

void require_floating(std::string_view regularizer, const Tensor& x) {
  if (!x.defined() || !is_floating(x.dtype())) {
    throw std::invalid_argument(fmt::format(
        "{}: expected a float32 or float64 tensor, got {}", regularizer,
        x.defined() ? std::string(dtype_name(x.dtype())) : std::string("an undefined tensor")));
  }
}

Tensor l1_penalty(const Tensor& x, float l1) { return mul(sum(abs(x)), static_cast<double>(l1)); }
Tensor l2_penalty(const Tensor& x, float l2) {
  return mul(sum(square(x)), static_cast<double>(l2));
}

using Factory = std::shared_ptr<const Regularizer> (*)();

const std::map<std::string, Factory, std::less<>>& registry() {
  static const std::map<std::string, Factory, std::less<>> table{
      {"L1", []() -> std::shared_ptr<const Regularizer> { return std::make_shared<L1>(); }},
      {"l1", []() -> std::shared_ptr<const Regularizer> { return std::make_shared<L1>(); }},
      {"L2", []() -> std::shared_ptr<const Regularizer> { return std::make_shared<L2>(); }},
      {"l2", []() -> std::shared_ptr<const Regularizer> { return std::make_shared<L2>(); }},
      {"L1L2", []() -> std::shared_ptr<const Regularizer> { return std::make_shared<L1L2>(); }},
      // Keras special-cases this name: the l1_l2 function's defaults, not the class's zeros.
      {"l1_l2",
       []() -> std::shared_ptr<const Regularizer> { return std::make_shared<L1L2>(l1_l2()); }},
  };
  return table;
}

// A user callable seen as a Regularizer.
class FunctionRegularizer final : public Regularizer {
 public:
  explicit FunctionRegularizer(std::function<Tensor(const Tensor&)> function)
      : function_(std::move(function)) {}
  Tensor operator()(const Tensor& x) const override { return function_(x); }
  std::string class_name() const override { return "custom"; }
  Config get_config() const override {
    throw std::invalid_argument(
        "regularizer: a user function cannot be serialized (no config can rebuild it); use a "
        "built-in regularizer");
  }

 private:
  std::function<Tensor(const Tensor&)> function_;
};

// Keras's L1 and L2 take their factor under its own key or the legacy "l"; None means 0.01.
double l1_or_l2_factor(ConfigReader& reader, std::string_view key) {
  const std::optional<double> factor = reader.optional_number(key);
  const bool legacy_given = reader.contains("l");
  const std::optional<double> legacy = reader.optional_number("l");
  return (legacy_given ? legacy : factor).value_or(0.01);
}

}  // namespace

Config Regularizer::get_config() const {
  throw std::invalid_argument(
      fmt::format("regularizer {}: cannot be serialized, its class does not override get_config",
                  class_name()));
}

L1::L1(double l1) : l1_(factor("L1", "l1", l1)) {}

L1 L1::from_config(const Config& config) {
  ConfigReader reader("L1 config", config);
  const double l1 = l1_or_l2_factor(reader, "l1");
  reader.finish();
  return L1(l1);
}

Tensor L1::operator()(const Tensor& x) const {
  require_floating("L1", x);
  return l1_penalty(x, l1_);
}

L2::L2(double l2) : l2_(factor("L2", "l2", l2)) {}

L2 L2::from_config(const Config& config) {
  ConfigReader reader("L2 config", config);
  const double l2 = l1_or_l2_factor(reader, "l2");
  reader.finish();
  return L2(l2);
}

Tensor L2::operator()(const Tensor& x) const {
  require_floating("L2", x);
  return l2_penalty(x, l2_);
}

L1L2::L1L2(double l1, double l2) : l1_(factor("L1L2", "l1", l1)), l2_(factor("L1L2", "l2", l2)) {}

L1L2 L1L2::from_config(const Config& config) {
  ConfigReader reader("L1L2 config", config);
  const double l1 = reader.optional_number("l1").value_or(0.0);
  const double l2 = reader.optional_number("l2").value_or(0.0);
  reader.finish();
  return L1L2(l1, l2);
}

Tensor L1L2::operator()(const Tensor& x) const {
  require_floating("L1L2", x);
  if (l1_ == 0 && l2_ == 0) return Tensor::scalar(0.0, x.dtype());
  if (l2_ == 0) return l1_penalty(x, l1_);
  if (l1_ == 0) return l2_penalty(x, l2_);
  return add(l1_penalty(x, l1_), l2_penalty(x, l2_));
}

L1 l1(double l1) { return L1(l1); }
L2 l2(double l2) { return L2(l2); }
L1L2 l1_l2(double l1, double l2) { return L1L2(l1, l2); }

// A null name is Keras's None: no regularizer.
AnyRegularizer::AnyRegularizer(const char* name) {
  if (name != nullptr) *this = AnyRegularizer(std::string_view(name));
}
AnyRegularizer::AnyRegularizer(const std::string& name) : AnyRegularizer(std::string_view(name)) {}

AnyRegularizer::AnyRegularizer(std::string_view name) {
  const auto& table = registry();
  const auto it = table.find(name);
  if (it == table.end()) {
    throw std::invalid_argument(fmt::format("regularizer: unknown name \"{}\"; expected one of: {}",
                                            name, fmt::join(names(), ", ")));
  }
  impl_ = it->second();
}

std::shared_ptr<const Regularizer> AnyRegularizer::make_function(
    std::function<Tensor(const Tensor&)> f) {
  if (!f) throw std::invalid_argument("regularizer: expected a callable, got an empty function");
  return std::make_shared<FunctionRegularizer>(std::move(f));
}

Tensor AnyRegularizer::operator()(const Tensor& x) const {
  if (!impl_) throw std::logic_error("regularizer: called an empty regularizer (None)");
  Tensor penalty = (*impl_)(x);
  if (!penalty.defined() || penalty.numel() != 1) {
    throw std::invalid_argument(fmt::format(
        "regularizer {}: expected a one-element penalty, got {}", impl_->class_name(),
        penalty.defined() ? "shape " + shape_str(penalty.shape()) : "an undefined tensor"));
  }
  return penalty;
}

std::vector<std::string> AnyRegularizer::names() {
  std::vector<std::string> out;
  for (const auto& entry : registry()) out.push_back(entry.first);
  return out;
}

}  // namespace rnnkit::regularizers

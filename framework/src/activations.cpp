#include "rnnkit/framework/activations.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rnnkit/framework/ops.h"

namespace rnnkit {
namespace {

const std::map<std::string, Activation::Function, std::less<>>& builtins() {
  static const std::map<std::string, Activation::Function, std::less<>> table{
      {"tanh", [](const Tensor& x) { return tanh(x); }},
      {"relu", [](const Tensor& x) { return relu(x); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
      {"hard_sigmoid", [](const Tensor& x) { return hard_sigmoid(x); }},
      {"linear", [](const Tensor& x) { return linear(x); }},
      {"elu", [](const Tensor& x) { return elu(x); }},
      {"selu", [](const Tensor& x) { return selu(x); }},
      {"softplus", [](const Tensor& x) { return softplus(x); }},
      {"softsign", [](const Tensor& x) { return softsign(x); }},
      {"exponential", [](const Tensor& x) { return exponential(x); }},
      {"swish", [](const Tensor& x) { return swish(x); }},
      {"silu", [](const Tensor& x) { return swish(x); }},
      {"gelu", [](const Tensor& x) { return gelu(x); }},
      {"relu6", [](const Tensor& x) { return relu6(x); }},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }},
      {"softmax", [](const Tensor& x) { return softmax(x); }},
      {"log_softmax", [](const Tensor& x) { return log_softmax(x); }},
  };
  return table;
}

std::string unknown_name_message(std::string_view who, std::string_view name) {
  return fmt::format("{}: unknown name \"{}\"; expected one of: {}", who, name,
                     fmt::join(Activation::names(), ", "));
}

}  // namespace

Activation::Activation() : Activation(std::string_view("linear")) {}
// A null name is Keras's None: the identity.
Activation::Activation(const char* name)
    : Activation(std::string_view(name == nullptr ? "linear" : name)) {}
Activation::Activation(const std::string& name) : Activation(std::string_view(name)) {}

// An unknown name is kept, not thrown, so the layer it is given to names itself in the error.
Activation::Activation(std::string_view name) : name_(name) {
  const auto& table = builtins();
  if (auto it = table.find(name); it != table.end()) {
    function_ = it->second;
    builtin_ = true;
  }
}

Activation::Activation(std::string name, Function function)
    : name_(std::move(name)), function_(std::move(function)) {
  if (!function_) {
    throw std::invalid_argument(fmt::format("activation '{}': the function is empty", name_));
  }
}

Tensor Activation::operator()(const Tensor& x) const {
  if (!is_known()) throw std::invalid_argument(unknown_name_message("activation", name_));
  return function_(x);
}

void Activation::check(std::string_view who, std::string_view argument) const {
  if (!is_known()) {
    throw std::invalid_argument(
        unknown_name_message(fmt::format("{}: argument '{}'", who, argument), name_));
  }
}

std::vector<std::string> Activation::names() {
  std::vector<std::string> out;
  for (const auto& [name, function] : builtins()) out.push_back(name);
  return out;
}

}  // namespace rnnkit

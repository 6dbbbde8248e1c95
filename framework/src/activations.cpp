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

}  // namespace

Activation::Activation() : Activation(std::string_view("linear")) {}
Activation::Activation(const char* name) : Activation(std::string_view(name)) {}
Activation::Activation(const std::string& name) : Activation(std::string_view(name)) {}

Activation::Activation(std::string_view name) {
  const auto& table = builtins();
  auto it = table.find(name);
  if (it == table.end()) {
    throw std::invalid_argument(fmt::format("activation: unknown name \"{}\"; expected one of: {}",
                                            name, fmt::join(names(), ", ")));
  }
  name_ = it->first;
  function_ = it->second;
}

Activation::Activation(std::string name, Function function)
    : name_(std::move(name)), function_(std::move(function)), builtin_(false) {
  if (!function_) {
    throw std::invalid_argument(fmt::format("activation '{}': the function is empty", name_));
  }
}

Tensor Activation::operator()(const Tensor& x) const { return function_(x); }

std::vector<std::string> Activation::names() {
  std::vector<std::string> out;
  for (const auto& [name, function] : builtins()) out.push_back(name);
  return out;
}

}  // namespace rnnkit

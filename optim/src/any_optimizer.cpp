#include "rnnkit/optim/any_optimizer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "rnnkit/optim/adagrad.h"
#include "rnnkit/optim/adam.h"
#include "rnnkit/optim/rmsprop.h"
#include "rnnkit/optim/sgd.h"

namespace rnnkit::optim {

std::unique_ptr<Optimizer> get(std::string_view name) {
  // Keras lower-cases built-in optimizer names before looking them up.
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (key == "sgd") return std::make_unique<SGD>();
  if (key == "adam") return std::make_unique<Adam>();
  if (key == "rmsprop") return std::make_unique<RMSprop>();
  if (key == "adagrad") return std::make_unique<Adagrad>();
  throw std::invalid_argument(fmt::format("optimizer: unknown name '{}'; expected one of: {}", name,
                                          fmt::join(AnyOptimizer::names(), ", ")));
}

AnyOptimizer::AnyOptimizer(const char* name)
    : AnyOptimizer(name == nullptr ? std::string_view("(null)") : std::string_view(name)) {}
AnyOptimizer::AnyOptimizer(std::string_view name) : impl_(optim::get(name)) {}
AnyOptimizer::AnyOptimizer(const std::string& name) : AnyOptimizer(std::string_view(name)) {}

void AnyOptimizer::throw_null() {
  throw std::invalid_argument("AnyOptimizer: expected an optimizer, got a null pointer");
}

std::vector<std::string> AnyOptimizer::names() {
  return {"Adagrad", "Adam", "RMSprop", "SGD", "adagrad", "adam", "rmsprop", "sgd"};
}

}  // namespace rnnkit::optim

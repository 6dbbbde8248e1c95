// AnyInitializer: the Keras names (spec §4) and user callables.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "rnnkit/initializers/initial_values.h"
#include "rnnkit/initializers/initializers.h"

namespace rnnkit::initializers {
namespace {

using Factory = std::shared_ptr<const Initializer> (*)();

template <class I>
std::shared_ptr<const Initializer> make() {
  return std::make_shared<I>();
}

// Class names, their snake_case forms, the aliases uniform/normal/one/zero, and the legacy
// "…V2" names Keras 2.9 still deserializes, and Keras 3.0-3.3's "OrthogonalInitializer" class
// name (keras/src/initializers/random_initializers.py before 3.4).
const std::map<std::string, Factory, std::less<>>& registry() {
  static const auto table = [] {
    std::map<std::string, Factory, std::less<>> names;
    const auto add = [&names](std::initializer_list<const char*> keys, Factory factory) {
      for (const char* key : keys) names.emplace(key, factory);
    };
    add({"Zeros", "zeros", "zero", "ZerosV2"}, &make<Zeros>);
    add({"Ones", "ones", "one", "OnesV2"}, &make<Ones>);
    add({"Constant", "constant", "ConstantV2"}, &make<Constant>);
    add({"RandomUniform", "random_uniform", "uniform", "RandomUniformV2"}, &make<RandomUniform>);
    add({"RandomNormal", "random_normal", "normal", "RandomNormalV2"}, &make<RandomNormal>);
    add({"TruncatedNormal", "truncated_normal", "TruncatedNormalV2"}, &make<TruncatedNormal>);
    add({"VarianceScaling", "variance_scaling", "VarianceScalingV2"}, &make<VarianceScaling>);
    add({"GlorotUniform", "glorot_uniform", "GlorotUniformV2", "glorot_uniformV2"},
        &make<GlorotUniform>);
    add({"GlorotNormal", "glorot_normal", "GlorotNormalV2", "glorot_normalV2"},
        &make<GlorotNormal>);
    add({"HeUniform", "he_uniform", "HeUniformV2", "he_uniformV2"}, &make<HeUniform>);
    add({"HeNormal", "he_normal", "HeNormalV2", "he_normalV2"}, &make<HeNormal>);
    add({"LecunUniform", "lecun_uniform", "LecunUniformV2", "lecun_uniformV2"},
        &make<LecunUniform>);
    add({"LecunNormal", "lecun_normal", "LecunNormalV2", "lecun_normalV2"}, &make<LecunNormal>);
    add({"Orthogonal", "orthogonal", "OrthogonalV2", "OrthogonalInitializer"}, &make<Orthogonal>);
    add({"Identity", "identity", "IdentityV2"}, &make<Identity>);
    return names;
  }();
  return table;
}

// A user callable seen as an Initializer.
class FunctionInitializer final : public Initializer {
 public:
  explicit FunctionInitializer(std::function<Tensor(const Shape&, DType)> function)
      : function_(std::move(function)) {}
  Tensor operator()(const Shape& shape, DType dtype) const override {
    return function_(shape, dtype);
  }
  std::string class_name() const override { return "custom"; }
  Config get_config() const override {
    throw std::invalid_argument(
        "initializer: a user function cannot be serialized (no config can rebuild it); use a "
        "built-in initializer");
  }

 private:
  std::function<Tensor(const Shape&, DType)> function_;
};

}  // namespace

AnyInitializer::AnyInitializer(const char* name)
    : AnyInitializer(name == nullptr ? std::string_view("(null)") : std::string_view(name)) {}
AnyInitializer::AnyInitializer(const std::string& name) : AnyInitializer(std::string_view(name)) {}

AnyInitializer::AnyInitializer(std::string_view name) {
  const auto& table = registry();
  const auto it = table.find(name);
  if (it == table.end()) {
    throw std::invalid_argument(fmt::format("initializer: unknown name \"{}\"; expected one of: {}",
                                            name, fmt::join(names(), ", ")));
  }
  impl_ = it->second();
}

AnyInitializer::AnyInitializer(std::shared_ptr<const Initializer> initializer)
    : impl_(std::move(initializer)) {
  if (!impl_)
    throw std::invalid_argument("initializer: expected an initializer, got a null pointer");
}

std::shared_ptr<const Initializer> AnyInitializer::make_function(
    std::function<Tensor(const Shape&, DType)> f) {
  if (!f) throw std::invalid_argument("initializer: expected a callable, got an empty function");
  return std::make_shared<FunctionInitializer>(std::move(f));
}

Tensor AnyInitializer::operator()(const Shape& shape, DType dtype) const {
  if (ScopedInitialValues* file_values = ScopedInitialValues::current()) {
    return file_values->next(shape, dtype);
  }
  Tensor value = (*impl_)(shape, dtype);
  if (!value.defined() || value.shape() != shape || value.dtype() != dtype) {
    throw std::invalid_argument(
        fmt::format("initializer {}: expected a tensor of shape {} and dtype {}, got {}",
                    impl_->class_name(), shape_str(shape), dtype_name(dtype),
                    value.defined() ? fmt::format("shape {} and dtype {}", shape_str(value.shape()),
                                                  dtype_name(value.dtype()))
                                    : std::string("an undefined tensor")));
  }
  return value;
}

std::vector<std::string> AnyInitializer::names() {
  std::vector<std::string> out;
  for (const auto& entry : registry()) out.push_back(entry.first);
  return out;
}

}  // namespace rnnkit::initializers

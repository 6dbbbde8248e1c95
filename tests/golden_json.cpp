#include "golden_json.h"

#include <cmath>

#include <fmt/format.h>

namespace rnnkit::golden {

Fields::Fields(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) throw SchemaError(fmt::format("{}: expected an object", path_));
}

const Json& Fields::required(const std::string& key) {
  if (!object_.contains(key)) throw SchemaError(fmt::format("{}: missing field \"{}\"", path_, key));
  seen_.insert(key);
  return object_.at(key);
}

const Json* Fields::optional(const std::string& key) {
  if (!object_.contains(key)) return nullptr;
  seen_.insert(key);
  return &object_.at(key);
}

void Fields::finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (!seen_.contains(key)) throw SchemaError(fmt::format("{}: unknown field \"{}\"", path_, key));
  }
}

double number(const Json& value, const std::string& path) {
  if (!value.is_number()) throw SchemaError(fmt::format("{}: expected a number", path));
  return value.get<double>();
}

bool boolean(const Json& value, const std::string& path) {
  if (!value.is_boolean()) throw SchemaError(fmt::format("{}: expected true or false", path));
  return value.get<bool>();
}

std::string string(const Json& value, const std::string& path) {
  if (!value.is_string()) throw SchemaError(fmt::format("{}: expected a string", path));
  return value.get<std::string>();
}

Tensor tensor(const Json& value, const std::string& path, DType dtype) {
  Fields fields(value, path);
  const Json& shape_json = fields.required("shape");
  const Json& data_json = fields.required("data");
  fields.finish();
  if (!shape_json.is_array() || !data_json.is_array()) {
    throw SchemaError(fmt::format("{}: shape and data must be arrays", path));
  }
  Shape shape;
  for (const Json& d : shape_json) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0) {
      throw SchemaError(fmt::format("{}.shape: expected non-negative integers", path));
    }
    shape.push_back(d.get<std::int64_t>());
  }
  std::vector<double> data;
  for (const Json& v : data_json) data.push_back(number(v, path + ".data[]"));
  if (static_cast<std::int64_t>(data.size()) != numel(shape)) {
    throw SchemaError(fmt::format("{}: shape {} needs {} values, data has {}", path, shape_str(shape),
                                  numel(shape), data.size()));
  }
  return Tensor::from_values(shape, data, dtype);
}

void Comparison::compare(const std::string& what, const Tensor& got, const Tensor& expected) {
  if (!got.defined() || got.shape() != expected.shape()) {
    worst_ = INFINITY;
    worst_at_ = fmt::format("{}: shape {} but expected {}", what,
                            got.defined() ? shape_str(got.shape()) : "none",
                            shape_str(expected.shape()));
    return;
  }
  const auto g = got.to_vector();
  const auto e = expected.to_vector();
  for (std::size_t i = 0; i < g.size(); ++i) {
    const double ratio = std::abs(g[i] - e[i]) / (atol_ + rtol_ * std::abs(e[i]));
    if (!(ratio <= worst_)) {
      worst_ = std::isnan(ratio) ? INFINITY : ratio;
      worst_at_ = fmt::format("{}[{}]: {:.9g} vs {:.9g}", what, i, g[i], e[i]);
    }
  }
}

void Comparison::compare(const std::string& what, double got, double expected) {
  compare(what, Tensor::scalar(got, DType::f64), Tensor::scalar(expected, DType::f64));
}

}  // namespace rnnkit::golden

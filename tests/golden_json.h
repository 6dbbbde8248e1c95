#pragma once

// Reading the golden files (schema rnnkit-golden/1, ../shared/golden/README.md) strictly: every
// object's fields are declared, and an unknown or missing one is an error naming its path.

#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include <rnnkit/framework/tensor.h>

namespace rnnkit::golden {

using Json = nlohmann::json;

/// A golden case that cannot be run as written.
struct SchemaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The fields of one JSON object, consumed one by one; finish() rejects any left over.
class Fields {
 public:
  Fields(const Json& object, std::string path);
  const Json& required(const std::string& key);
  /// nullptr when absent.
  const Json* optional(const std::string& key);
  void finish() const;
  const std::string& path() const { return path_; }

 private:
  const Json& object_;
  std::string path_;
  std::set<std::string> seen_;
};

double number(const Json& value, const std::string& path);
bool boolean(const Json& value, const std::string& path);
std::string string(const Json& value, const std::string& path);

/// A {"shape": [...], "data": [...]} tensor converted to `dtype`.
Tensor tensor(const Json& value, const std::string& path, DType dtype);

/// Worst |got - expected| / (atol + rtol |expected|) over everything compared.
class Comparison {
 public:
  Comparison(double rtol, double atol) : rtol_(rtol), atol_(atol) {}
  void compare(const std::string& what, const Tensor& got, const Tensor& expected);
  void compare(const std::string& what, double got, double expected);
  double worst() const { return worst_; }
  const std::string& worst_at() const { return worst_at_; }
  bool passed() const { return worst_ <= 1.0; }

 private:
  double rtol_, atol_;
  double worst_ = 0.0;
  std::string worst_at_ = "-";
};

}  // namespace rnnkit::golden

#include "rnnkit/framework/config_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rnnkit {
namespace {

// Whole numbers a double holds exactly.
constexpr double max_exact_integer = 9007199254740992.0;  // 2^53

bool is_whole(double value) {
  return std::isfinite(value) && std::trunc(value) == value && std::abs(value) <= max_exact_integer;
}

}  // namespace

std::string describe_config_value(const Config& value) {
  constexpr std::size_t limit = 60;
  std::string text = value.dump();
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  if (value.is_null()) return text;
  return fmt::format("{} {}", value.type_name(), text);
}

Config keras_object(std::string class_name, Config config) {
  Config object = Config::object();
  object["class_name"] = std::move(class_name);
  object["config"] = std::move(config);
  return object;
}

KerasObject read_keras_object(std::string_view what, const Config& value) {
  if (!value.is_object() || !value.contains("class_name") || !value["class_name"].is_string() ||
      !value.contains("config") || !value["config"].is_object()) {
    throw std::invalid_argument(
        fmt::format("{}: expected {{\"class_name\": <string>, \"config\": <object>}}, got {}", what,
                    describe_config_value(value)));
  }
  return {.class_name = value["class_name"].get<std::string>(), .config = &value["config"]};
}

Config whole_as_integer(double value) {
  if (is_whole(value)) return static_cast<std::int64_t>(value);
  return value;
}

ConfigReader::ConfigReader(std::string owner, const Config& config)
    : owner_(std::move(owner)), config_(config) {
  if (!config_.is_object()) {
    throw std::invalid_argument(
        fmt::format("{}: expected a JSON object, got {}", owner_, describe_config_value(config_)));
  }
}

const Config* ConfigReader::find(std::string_view key) {
  asked_.emplace_back(key);
  const auto it = config_.find(key);
  return it == config_.end() ? nullptr : &*it;
}

const Config& ConfigReader::require(std::string_view key) {
  const Config* value = find(key);
  if (value == nullptr) fail(key, "is required but missing");
  return *value;
}

const Config& ConfigReader::typed(std::string_view key, const Config& value, bool ok,
                                  std::string_view expected) const {
  if (!ok) fail(key, fmt::format("must be {}, got {}", expected, describe_config_value(value)));
  return value;
}

double ConfigReader::number(std::string_view key) {
  const Config& value = require(key);
  return typed(key, value, value.is_number(), "a number").get<double>();
}

double ConfigReader::number(std::string_view key, double fallback) {
  const Config* value = find(key);
  if (value == nullptr) return fallback;
  return typed(key, *value, value->is_number(), "a number").get<double>();
}

std::optional<double> ConfigReader::optional_number(std::string_view key) {
  const Config* value = find(key);
  if (value == nullptr || value->is_null()) return std::nullopt;
  return typed(key, *value, value->is_number(), "a number or null").get<double>();
}

std::int64_t ConfigReader::integer(std::string_view key) {
  const Config& value = require(key);
  const bool whole =
      value.is_number_integer() || (value.is_number_float() && is_whole(value.get<double>()));
  typed(key, value, whole, "a whole number");
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail(key, fmt::format("is out of range, got {}", value.dump()));
  }
  return value.is_number_float() ? static_cast<std::int64_t>(value.get<double>())
                                 : value.get<std::int64_t>();
}

std::int64_t ConfigReader::integer(std::string_view key, std::int64_t fallback) {
  if (!contains(key)) {
    drop(key);
    return fallback;
  }
  return integer(key);
}

bool ConfigReader::boolean(std::string_view key, bool fallback) {
  const Config* value = find(key);
  if (value == nullptr) return fallback;
  return typed(key, *value, value->is_boolean(), "true or false").get<bool>();
}

std::string ConfigReader::string(std::string_view key, std::string fallback) {
  const Config* value = find(key);
  if (value == nullptr) return fallback;
  return typed(key, *value, value->is_string(), "a string").get<std::string>();
}

std::optional<std::uint64_t> ConfigReader::seed(std::string_view key) {
  const Config* value = find(key);
  if (value == nullptr || value->is_null()) return std::nullopt;
  const bool ok = value->is_number_unsigned() ||
                  (value->is_number_integer() && value->get<std::int64_t>() >= 0);
  return typed(key, *value, ok, "a non-negative integer or null").get<std::uint64_t>();
}

std::vector<double> ConfigReader::numbers(std::string_view key) {
  const Config& value = require(key);
  const bool ok = value.is_array() && std::all_of(value.begin(), value.end(),
                                                  [](const Config& v) { return v.is_number(); });
  typed(key, value, ok, "an array of numbers");
  return value.get<std::vector<double>>();
}

void ConfigReader::drop(std::string_view key) { asked_.emplace_back(key); }

void ConfigReader::finish() const {
  for (const auto& [key, value] : config_.items()) {
    if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) {
      throw std::invalid_argument(fmt::format("{}: unknown key '{}'; expected only: {}", owner_,
                                              key, fmt::join(asked_, ", ")));
    }
  }
}

void ConfigReader::fail(std::string_view key, std::string_view message) const {
  throw std::invalid_argument(fmt::format("{}: key '{}' {}", owner_, key, message));
}

}  // namespace rnnkit

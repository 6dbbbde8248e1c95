#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rnnkit/framework/config.h"

namespace rnnkit {

/// {"class_name": class_name, "config": config}: how Keras serializes an object
/// (serialize_keras_object).
Config keras_object(std::string class_name, Config config);

/// The two halves of a Keras-serialized object.
struct KerasObject {
  std::string class_name;
  const Config* config = nullptr;
};

/// Splits {"class_name": ..., "config": {...}}. Throws std::invalid_argument naming `what`
/// unless `value` is an object with a string "class_name" and an object "config". Other
/// top-level keys (Keras 2.12's "module", "registered_name") are ignored, as Keras does.
KerasObject read_keras_object(std::string_view what, const Config& value);

/// What a config value is, for error messages: its JSON type and up to 60 characters of its text
/// ("string \"4\"", "number 1.5"), or "null".
std::string describe_config_value(const Config& value);

/// `value` as a JSON integer when it is a whole number, else as a float: the encoding of Keras
/// arguments whose default is a Python int (MaxNorm's max_value=2, Constant's value=0, a
/// schedule's decay_steps), which a double cannot otherwise tell from 2.0.
Config whole_as_integer(double value);

/// Reads the "config" object of a Keras serialization for a from_config. Every look-up marks its
/// key as read and names the owner ("SimpleRNN config") and the key in its errors
/// (std::invalid_argument); finish() then rejects any key left unread, because Keras passes a
/// config to the constructor as keyword arguments, where an unknown key is a TypeError. A key
/// that is absent takes the constructor's default, as in Keras.
class ConfigReader {
 public:
  /// Throws std::invalid_argument unless `config` is a JSON object, which must outlive the
  /// reader.
  ConfigReader(std::string owner, const Config& config);

  /// Whether `key` is present (without marking it as read).
  bool contains(std::string_view key) const { return config_.contains(key); }
  /// The value of `key`, or nullptr when absent.
  const Config* find(std::string_view key);
  /// The value of `key`; throws when absent.
  const Config& require(std::string_view key);
  /// A number (JSON integer or float); throws when absent, null or of another type.
  double number(std::string_view key);
  /// A number; `fallback` when absent; null and other types throw.
  double number(std::string_view key, double fallback);
  /// A number, or nullopt when absent or null (Keras arguments where None means the default).
  std::optional<double> optional_number(std::string_view key);
  /// A whole number (a float holding one is accepted, as Keras's int(units) does); throws when
  /// absent.
  std::int64_t integer(std::string_view key);
  /// A whole number; `fallback` when absent.
  std::int64_t integer(std::string_view key, std::int64_t fallback);
  bool boolean(std::string_view key, bool fallback);
  std::string string(std::string_view key, std::string fallback);
  /// A random seed: a non-negative whole number, or nullopt when absent or null.
  std::optional<std::uint64_t> seed(std::string_view key);
  /// An array of numbers; throws when absent.
  std::vector<double> numbers(std::string_view key);
  /// parse(value) when `key` is present, else `fallback`. A std::invalid_argument thrown by
  /// `parse` is re-thrown as "<owner>: key '<key>' is invalid: <its message>".
  template <class T, class Parse>
  T parse(std::string_view key, T fallback, Parse&& parse) {
    const Config* value = find(key);
    if (value == nullptr) return fallback;
    try {
      return parse(*value);
    } catch (const std::invalid_argument& error) {
      fail(key, std::string("is invalid: ") + error.what());
    }
  }
  /// parse(value) of a required key; errors as for the other parse().
  template <class Parse>
  auto parse(std::string_view key, Parse&& parse)
      -> decltype(parse(std::declval<const Config&>())) {
    const Config& value = require(key);
    try {
      return parse(value);
    } catch (const std::invalid_argument& error) {
      fail(key, std::string("is invalid: ") + error.what());
    }
  }
  /// Accepts `key` and discards its value (a legacy key Keras drops, such as `implementation`).
  void drop(std::string_view key);
  /// Throws std::invalid_argument naming the first key no look-up asked for, and the accepted
  /// keys.
  void finish() const;

  /// Throws std::invalid_argument "<owner>: key '<key>' <message>".
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;

 private:
  const Config& typed(std::string_view key, const Config& value, bool ok,
                      std::string_view expected) const;

  std::string owner_;
  const Config& config_;
  std::vector<std::string> asked_;
};

}  // namespace rnnkit

#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rnnkit::models {

/// Named scalar results ("loss", "accuracy", "val_loss", ...) in the order they were first set,
/// which is the order fit() displays and records them (Keras's `logs` dict).
class Logs {
 public:
  using Entry = std::pair<std::string, double>;

  /// Sets `name` to `value`, appending it when new.
  void set(std::string_view name, double value);
  /// The value of `name`, or nullptr.
  const double* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  /// The value of `name`; std::out_of_range listing the names present when it is absent.
  double at(std::string_view name) const;
  /// The names present, comma-separated (for error messages).
  std::string names() const;

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

/// What fit() returns (Keras History): the epochs run and, per logged name, one value per epoch.
class History {
 public:
  /// Appends epoch `epoch`'s logs.
  void append(int epoch, const Logs& logs);
  /// The epoch numbers run (0-based, as Keras's history.epoch).
  const std::vector<int>& epoch() const { return epochs_; }
  /// The per-epoch values of `name`; std::out_of_range listing the names present when absent.
  const std::vector<double>& at(std::string_view name) const;
  const std::vector<double>& operator[](std::string_view name) const { return at(name); }
  bool contains(std::string_view name) const;
  /// Every name recorded, in first-logged order.
  std::vector<std::string> keys() const;

 private:
  std::vector<int> epochs_;
  std::vector<std::pair<std::string, std::vector<double>>> values_;
};

}  // namespace rnnkit::models

#include "rnnkit/models/logs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

namespace rnnkit::models {

void Logs::set(std::string_view name, double value) {
  for (Entry& entry : entries_) {
    if (entry.first == name) {
      entry.second = value;
      return;
    }
  }
  entries_.emplace_back(std::string(name), value);
}

const double* Logs::find(std::string_view name) const {
  for (const Entry& entry : entries_) {
    if (entry.first == name) return &entry.second;
  }
  return nullptr;
}

double Logs::at(std::string_view name) const {
  if (const double* value = find(name)) return *value;
  throw std::out_of_range(fmt::format("logs have no value named '{}'; present: {}", name, names()));
}

std::string Logs::names() const {
  std::vector<std::string> names;
  for (const Entry& entry : entries_) names.push_back(entry.first);
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

void History::append(int epoch, const Logs& logs) {
  epochs_.push_back(epoch);
  for (const auto& [name, value] : logs) {
    auto found = std::find_if(values_.begin(), values_.end(),
                              [&key = name](const auto& entry) { return entry.first == key; });
    if (found == values_.end()) {
      values_.emplace_back(name, std::vector<double>{});
      found = std::prev(values_.end());
    }
    found->second.push_back(value);
  }
}

const std::vector<double>& History::at(std::string_view name) const {
  for (const auto& entry : values_) {
    if (entry.first == name) return entry.second;
  }
  throw std::out_of_range(fmt::format(
      "history has no values named '{}'; present: {}", name,
      keys().empty() ? std::string("none") : fmt::format("{}", fmt::join(keys(), ", "))));
}

bool History::contains(std::string_view name) const {
  return std::any_of(values_.begin(), values_.end(),
                     [name](const auto& entry) { return entry.first == name; });
}

std::vector<std::string> History::keys() const {
  std::vector<std::string> keys;
  for (const auto& entry : values_) keys.push_back(entry.first);
  return keys;
}

}  // namespace rnnkit::models

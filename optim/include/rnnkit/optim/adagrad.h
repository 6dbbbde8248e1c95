#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rnnkit/optim/optimizer.h"

namespace rnnkit::optim {

/// Arguments of Adagrad, in Keras order.
struct AdagradOptions {
  LearningRate learning_rate = 0.001;
  double initial_accumulator_value = 0.1;  ///< >= 0
  double epsilon = 1e-7;                   ///< 0 means 1e-7
  std::string name = "Adagrad";
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  double decay = 0.0;
};

/// Adagrad (Keras Adagrad). Slot "accumulator" starts at initial_accumulator_value:
/// acc += g^2, w -= lr*g/(sqrt(acc) + epsilon).
class Adagrad final : public Optimizer {
 public:
  explicit Adagrad(AdagradOptions options = {});
  std::vector<std::string> slot_names() const override;
  /// {"name", ..., "learning_rate", "decay", "initial_accumulator_value", "epsilon"}.
  Config get_config() const override;
  /// The keys of get_config() (absent ones take the defaults; unknown ones throw
  /// std::invalid_argument).
  static Adagrad from_config(const Config& config);

 private:
  double initial_slot_value(std::size_t slot) const override;
  void prepare(std::int64_t iterations, double learning_rate) override;
  void update(const UpdateBlock<float>& block) override;
  void update(const UpdateBlock<double>& block) override;
  template <class T>
  void update_block(const UpdateBlock<T>& block) const;

  double initial_accumulator_value_;
  double epsilon_;
  double learning_rate_t_ = 0.0;
};

}  // namespace rnnkit::optim

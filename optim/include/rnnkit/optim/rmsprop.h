#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rnnkit/optim/optimizer.h"

namespace rnnkit::optim {

/// Arguments of RMSprop, in Keras order.
struct RMSpropOptions {
  LearningRate learning_rate = 0.001;
  double rho = 0.9;       ///< in [0, 1]
  double momentum = 0.0;  ///< in [0, 1]
  double epsilon = 1e-7;  ///< 0 means 1e-7
  bool centered = false;
  std::string name = "RMSprop";
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  double decay = 0.0;
};

/// RMSprop (Keras RMSprop, optimizer_v2). Slot "rms" ms (starts at 0), "mg" when centered,
/// "momentum" when momentum > 0: ms = rho*ms + (1-rho)g^2; centered: mg = rho*mg + (1-rho)g,
/// d = ms - mg^2, else d = ms. Momentum 0: w -= lr*g/(sqrt(d) + epsilon); otherwise
/// mom = momentum*mom + lr*g/sqrt(d + epsilon), w -= mom.
class RMSprop final : public Optimizer {
 public:
  explicit RMSprop(RMSpropOptions options = {});
  std::vector<std::string> slot_names() const override;
  /// {"name", ..., "learning_rate", "decay", "rho", "momentum", "epsilon", "centered"}.
  Config get_config() const override;
  /// The keys of get_config() (absent ones take the defaults; unknown ones throw
  /// std::invalid_argument).
  static RMSprop from_config(const Config& config);

 private:
  void prepare(std::int64_t iterations, double learning_rate) override;
  void update(const UpdateBlock<float>& block) override;
  void update(const UpdateBlock<double>& block) override;
  template <class T>
  void update_block(const UpdateBlock<T>& block) const;

  double rho_;
  double momentum_;
  double epsilon_;
  bool centered_;
  double learning_rate_t_ = 0.0;
};

}  // namespace rnnkit::optim

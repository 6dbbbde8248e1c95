#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rnnkit/optim/optimizer.h"

namespace rnnkit::optim {

/// Arguments of Adam, in Keras order.
struct AdamOptions {
  LearningRate learning_rate = 0.001;
  double beta_1 = 0.9;    ///< in [0, 1)
  double beta_2 = 0.999;  ///< in [0, 1)
  double epsilon = 1e-7;  ///< 0 means 1e-7
  bool amsgrad = false;
  std::string name = "Adam";
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  double decay = 0.0;
};

/// Adam (Keras Adam). Slots "m", "v" (and "vhat" with amsgrad), starting at 0; with
/// t = iterations + 1: m += (1-beta_1)(g - m), v += (1-beta_2)(g^2 - v),
/// alpha = lr*sqrt(1-beta_2^t)/(1-beta_1^t), w -= alpha*m/(sqrt(v) + epsilon); amsgrad
/// keeps vhat = max(vhat, v) and uses it in place of v. Epsilon is added to the uncorrected
/// sqrt(v), as Keras does.
class Adam final : public Optimizer {
 public:
  explicit Adam(AdamOptions options = {});
  std::vector<std::string> slot_names() const override;
  /// {"name", ..., "learning_rate", "decay", "beta_1", "beta_2", "epsilon", "amsgrad"}.
  Config get_config() const override;
  /// The keys of get_config() (absent ones take the defaults; unknown ones throw
  /// std::invalid_argument).
  static Adam from_config(const Config& config);

 private:
  void prepare(std::int64_t iterations, double learning_rate) override;
  void update(const UpdateBlock<float>& block) override;
  void update(const UpdateBlock<double>& block) override;
  template <class T>
  void update_block(const UpdateBlock<T>& block) const;

  double beta_1_;
  double beta_2_;
  double epsilon_;
  bool amsgrad_;
  double alpha_ = 0.0;
};

}  // namespace rnnkit::optim

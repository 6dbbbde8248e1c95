#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rnnkit/optim/optimizer.h"

namespace rnnkit::optim {

/// Arguments of SGD, in Keras order.
struct SGDOptions {
  LearningRate learning_rate = 0.01;
  double momentum = 0.0;  ///< in [0, 1]
  bool nesterov = false;
  std::string name = "SGD";
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  double decay = 0.0;
};

/// Gradient descent with optional (Nesterov) momentum (Keras SGD). With momentum 0:
/// w -= lr*g. Otherwise slot "momentum" v: v = momentum*v - lr*g, then w += v, or with
/// nesterov w += momentum*v - lr*g.
class SGD final : public Optimizer {
 public:
  explicit SGD(SGDOptions options = {});
  std::vector<std::string> slot_names() const override;
  /// {"name", ..., "learning_rate", "decay", "momentum", "nesterov"}.
  Config get_config() const override;
  /// The keys of get_config() (absent ones take the defaults; unknown ones throw
  /// std::invalid_argument).
  static SGD from_config(const Config& config);

 private:
  void prepare(std::int64_t iterations, double learning_rate) override;
  void update(const UpdateBlock<float>& block) override;
  void update(const UpdateBlock<double>& block) override;
  template <class T>
  void update_block(const UpdateBlock<T>& block) const;

  double momentum_;
  bool nesterov_;
  double learning_rate_t_ = 0.0;
};

}  // namespace rnnkit::optim

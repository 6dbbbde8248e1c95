#include "rnnkit/optim/adam.h"

#include <cmath>

#include "blocks.h"
#include "checks.h"
#include "shared_config.h"

namespace rnnkit::optim {

Adam::Adam(AdamOptions options)
    : Optimizer(settings_of("Adam", options)),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(detail::keras_epsilon("Adam", options.epsilon)),
      amsgrad_(options.amsgrad) {
  detail::require_unit_half_open("Adam", "beta_1", beta_1_);
  detail::require_unit_half_open("Adam", "beta_2", beta_2_);
}

std::vector<std::string> Adam::slot_names() const {
  if (amsgrad_) return {"m", "v", "vhat"};
  return {"m", "v"};
}

Config Adam::get_config() const {
  Config config = Optimizer::get_config();
  config["learning_rate"] = learning_rate_config();
  config["decay"] = decay();
  config["beta_1"] = beta_1_;
  config["beta_2"] = beta_2_;
  config["epsilon"] = epsilon_;
  config["amsgrad"] = amsgrad_;
  return config;
}

Adam Adam::from_config(const Config& config) {
  ConfigReader reader("Adam config", config);
  AdamOptions options;
  detail::read_shared(reader, options);
  options.beta_1 = reader.number("beta_1", options.beta_1);
  options.beta_2 = reader.number("beta_2", options.beta_2);
  options.epsilon = reader.optional_number("epsilon").value_or(options.epsilon);
  options.amsgrad = reader.boolean("amsgrad", options.amsgrad);
  reader.finish();
  return Adam(std::move(options));
}

void Adam::prepare(std::int64_t iterations, double learning_rate) {
  // The bias corrections are folded into the step size, so epsilon meets the uncorrected
  // sqrt(v) (spec §7), unlike PyTorch.
  const double t = static_cast<double>(iterations + 1);
  alpha_ = learning_rate * std::sqrt(1.0 - std::pow(beta_2_, t)) / (1.0 - std::pow(beta_1_, t));
}

void Adam::update(const UpdateBlock<float>& block) { update_block(block); }
void Adam::update(const UpdateBlock<double>& block) { update_block(block); }

template <class T>
void Adam::update_block(const UpdateBlock<T>& block) const {
  auto w = detail::value_of(block);
  const auto g = detail::gradient_of(block);
  auto m = detail::slot_of(block, 0);
  auto v = detail::slot_of(block, 1);
  const T alpha = static_cast<T>(alpha_);
  const T epsilon = static_cast<T>(epsilon_);
  m += (g - m) * static_cast<T>(1.0 - beta_1_);
  v += (g.square() - v) * static_cast<T>(1.0 - beta_2_);
  if (amsgrad_) {
    auto vhat = detail::slot_of(block, 2);
    vhat = vhat.max(v);
    w -= m * alpha / (vhat.sqrt() + epsilon);
  } else {
    w -= m * alpha / (v.sqrt() + epsilon);
  }
}

}  // namespace rnnkit::optim

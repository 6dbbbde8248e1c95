#include "rnnkit/optim/rmsprop.h"

#include "blocks.h"
#include "checks.h"
#include "shared_config.h"

namespace rnnkit::optim {

RMSprop::RMSprop(RMSpropOptions options)
    : Optimizer(settings_of("RMSprop", options)),
      rho_(options.rho),
      momentum_(options.momentum),
      epsilon_(detail::keras_epsilon("RMSprop", options.epsilon)),
      centered_(options.centered) {
  detail::require_unit_closed("RMSprop", "rho", rho_);
  detail::require_unit_closed("RMSprop", "momentum", momentum_);
}

std::vector<std::string> RMSprop::slot_names() const {
  std::vector<std::string> names{"rms"};
  if (centered_) names.emplace_back("mg");
  if (momentum_ > 0.0) names.emplace_back("momentum");
  return names;
}

Config RMSprop::get_config() const {
  Config config = Optimizer::get_config();
  config["learning_rate"] = learning_rate_config();
  config["decay"] = decay();
  config["rho"] = rho_;
  config["momentum"] = momentum_;
  config["epsilon"] = epsilon_;
  config["centered"] = centered_;
  return config;
}

RMSprop RMSprop::from_config(const Config& config) {
  ConfigReader reader("RMSprop config", config);
  RMSpropOptions options;
  detail::read_shared(reader, options);
  options.rho = reader.number("rho", options.rho);
  options.momentum = reader.number("momentum", options.momentum);
  options.epsilon = reader.optional_number("epsilon").value_or(options.epsilon);
  options.centered = reader.boolean("centered", options.centered);
  reader.finish();
  return RMSprop(std::move(options));
}

void RMSprop::prepare(std::int64_t, double learning_rate) { learning_rate_t_ = learning_rate; }

void RMSprop::update(const UpdateBlock<float>& block) { update_block(block); }
void RMSprop::update(const UpdateBlock<double>& block) { update_block(block); }

template <class T>
void RMSprop::update_block(const UpdateBlock<T>& block) const {
  auto w = detail::value_of(block);
  const auto g = detail::gradient_of(block);
  auto ms = detail::slot_of(block, 0);
  const T rho = static_cast<T>(rho_);
  const T one_minus_rho = static_cast<T>(1.0 - rho_);
  const T lr = static_cast<T>(learning_rate_t_);
  const T epsilon = static_cast<T>(epsilon_);
  ms = ms * rho + g.square() * one_minus_rho;
  // d = ms - mg^2 when centered, else ms. optimizer_v2 puts epsilon outside the root without
  // momentum and inside it with momentum (spec §7).
  const auto step = [&](const auto& d) {
    if (momentum_ == 0.0) {
      w -= g * lr / (d.sqrt() + epsilon);
      return;
    }
    auto mom = detail::slot_of(block, centered_ ? 2 : 1);
    mom = mom * static_cast<T>(momentum_) + g * lr / (d + epsilon).sqrt();
    w -= mom;
  };
  if (centered_) {
    auto mg = detail::slot_of(block, 1);
    mg = mg * rho + g * one_minus_rho;
    step(ms - mg.square());
  } else {
    step(ms);
  }
}

}  // namespace rnnkit::optim

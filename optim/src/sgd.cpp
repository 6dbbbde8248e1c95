#include "rnnkit/optim/sgd.h"

#include "blocks.h"
#include "checks.h"
#include "shared_config.h"

namespace rnnkit::optim {

SGD::SGD(SGDOptions options)
    : Optimizer(settings_of("SGD", options)),
      momentum_(options.momentum),
      nesterov_(options.nesterov) {
  detail::require_unit_closed("SGD", "momentum", momentum_);
}

std::vector<std::string> SGD::slot_names() const {
  if (momentum_ > 0.0) return {"momentum"};
  return {};
}

Config SGD::get_config() const {
  Config config = Optimizer::get_config();
  config["learning_rate"] = learning_rate_config();
  config["decay"] = decay();
  config["momentum"] = momentum_;
  config["nesterov"] = nesterov_;
  return config;
}

SGD SGD::from_config(const Config& config) {
  ConfigReader reader("SGD config", config);
  SGDOptions options;
  detail::read_shared(reader, options);
  options.momentum = reader.number("momentum", options.momentum);
  options.nesterov = reader.boolean("nesterov", options.nesterov);
  reader.finish();
  return SGD(std::move(options));
}

void SGD::prepare(std::int64_t, double learning_rate) { learning_rate_t_ = learning_rate; }

void SGD::update(const UpdateBlock<float>& block) { update_block(block); }
void SGD::update(const UpdateBlock<double>& block) { update_block(block); }

template <class T>
void SGD::update_block(const UpdateBlock<T>& block) const {
  auto w = detail::value_of(block);
  const auto g = detail::gradient_of(block);
  const T lr = static_cast<T>(learning_rate_t_);
  if (momentum_ == 0.0) {
    w -= g * lr;
    return;
  }
  const T mu = static_cast<T>(momentum_);
  auto v = detail::slot_of(block, 0);
  v = v * mu - g * lr;
  if (nesterov_) {
    w += v * mu - g * lr;
  } else {
    w += v;
  }
}

}  // namespace rnnkit::optim

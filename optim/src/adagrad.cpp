#include "rnnkit/optim/adagrad.h"

#include "blocks.h"
#include "checks.h"
#include "shared_config.h"

namespace rnnkit::optim {

Adagrad::Adagrad(AdagradOptions options)
    : Optimizer(settings_of("Adagrad", options)),
      initial_accumulator_value_(options.initial_accumulator_value),
      epsilon_(detail::keras_epsilon("Adagrad", options.epsilon)) {
  detail::require_non_negative("Adagrad", "initial_accumulator_value", initial_accumulator_value_);
}

std::vector<std::string> Adagrad::slot_names() const { return {"accumulator"}; }

Config Adagrad::get_config() const {
  Config config = Optimizer::get_config();
  config["learning_rate"] = learning_rate_config();
  config["decay"] = decay();
  config["initial_accumulator_value"] = initial_accumulator_value_;
  config["epsilon"] = epsilon_;
  return config;
}

Adagrad Adagrad::from_config(const Config& config) {
  ConfigReader reader("Adagrad config", config);
  AdagradOptions options;
  detail::read_shared(reader, options);
  options.initial_accumulator_value =
      reader.number("initial_accumulator_value", options.initial_accumulator_value);
  options.epsilon = reader.optional_number("epsilon").value_or(options.epsilon);
  reader.finish();
  return Adagrad(std::move(options));
}

double Adagrad::initial_slot_value(std::size_t) const { return initial_accumulator_value_; }

void Adagrad::prepare(std::int64_t, double learning_rate) { learning_rate_t_ = learning_rate; }

void Adagrad::update(const UpdateBlock<float>& block) { update_block(block); }
void Adagrad::update(const UpdateBlock<double>& block) { update_block(block); }

template <class T>
void Adagrad::update_block(const UpdateBlock<T>& block) const {
  auto w = detail::value_of(block);
  const auto g = detail::gradient_of(block);
  auto accumulator = detail::slot_of(block, 0);
  accumulator += g.square();
  w -= g * static_cast<T>(learning_rate_t_) / (accumulator.sqrt() + static_cast<T>(epsilon_));
}

}  // namespace rnnkit::optim

#define BOOST_TEST_MODULE optimizers
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/optim/adagrad.h>
#include <rnnkit/optim/adam.h>
#include <rnnkit/optim/any_optimizer.h>
#include <rnnkit/optim/rmsprop.h>
#include <rnnkit/optim/schedules.h>
#include <rnnkit/optim/sgd.h>

#include <algorithm>
#include <atomic>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "test_support.h"

// Counts every allocation made through operator new, so a test can assert that training steps
// after the first allocate nothing.
namespace {
std::atomic<long> allocation_count{0};
}

void* operator new(std::size_t size) {
  ++allocation_count;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC cannot see that operator new above is malloc, and flags the inlined free() as mismatched.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

using namespace rnnkit;
namespace data = boost::unit_test::data;
using rnnkit::testing::check_close;

namespace {

// ---------------------------------------------------------------------------------------------
// One optimizer configuration, and the same configuration written out from spec §7 in double
// precision, independently of the library.

struct Case {
  std::string label;
  std::string kind;  // sgd, adam, rmsprop, adagrad
  double learning_rate = 0.01;
  std::optional<optim::LearningRate> schedule = std::nullopt;  // handed to the optimizer
  std::function<double(std::int64_t)> schedule_formula = {};   // the same, for the reference
  double momentum = 0.0;
  bool nesterov = false;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  double rho = 0.9;
  bool centered = false;
  double initial_accumulator_value = 0.1;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  double decay = 0.0;
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.label; }

std::unique_ptr<optim::Optimizer> make_optimizer(const Case& c) {
  const optim::LearningRate rate = c.schedule ? *c.schedule : optim::LearningRate(c.learning_rate);
  if (c.kind == "sgd") {
    return std::make_unique<optim::SGD>(optim::SGDOptions{.learning_rate = rate,
                                                          .momentum = c.momentum,
                                                          .nesterov = c.nesterov,
                                                          .clipnorm = c.clipnorm,
                                                          .clipvalue = c.clipvalue,
                                                          .global_clipnorm = c.global_clipnorm,
                                                          .decay = c.decay});
  }
  if (c.kind == "adam") {
    return std::make_unique<optim::Adam>(optim::AdamOptions{.learning_rate = rate,
                                                            .beta_1 = c.beta_1,
                                                            .beta_2 = c.beta_2,
                                                            .epsilon = c.epsilon,
                                                            .amsgrad = c.amsgrad,
                                                            .clipnorm = c.clipnorm,
                                                            .clipvalue = c.clipvalue,
                                                            .global_clipnorm = c.global_clipnorm,
                                                            .decay = c.decay});
  }
  if (c.kind == "rmsprop") {
    return std::make_unique<optim::RMSprop>(
        optim::RMSpropOptions{.learning_rate = rate,
                              .rho = c.rho,
                              .momentum = c.momentum,
                              .epsilon = c.epsilon,
                              .centered = c.centered,
                              .clipnorm = c.clipnorm,
                              .clipvalue = c.clipvalue,
                              .global_clipnorm = c.global_clipnorm,
                              .decay = c.decay});
  }
  BOOST_TEST_REQUIRE(c.kind == "adagrad");
  return std::make_unique<optim::Adagrad>(
      optim::AdagradOptions{.learning_rate = rate,
                            .initial_accumulator_value = c.initial_accumulator_value,
                            .epsilon = c.epsilon,
                            .clipnorm = c.clipnorm,
                            .clipvalue = c.clipvalue,
                            .global_clipnorm = c.global_clipnorm,
                            .decay = c.decay});
}

double l2_norm(const std::vector<double>& values) {
  double sum = 0.0;
  for (double x : values) sum += x * x;
  return std::sqrt(sum);
}

/// Spec §7 in double precision, element by element.
struct Reference {
  Case c;
  std::vector<std::vector<double>> w;
  std::vector<std::map<std::string, std::vector<double>>> slots;
  std::int64_t iterations = 0;

  Reference(Case config, std::vector<std::vector<double>> initial)
      : c(std::move(config)), w(std::move(initial)), slots(w.size()) {}

  double rate_at(std::int64_t step) const {
    double rate = c.schedule ? c.schedule_formula(step) : c.learning_rate;
    if (c.decay > 0) rate /= 1.0 + c.decay * static_cast<double>(step);
    return rate;
  }

  void step(std::vector<std::vector<double>> g) {
    const double lr = rate_at(iterations);
    if (c.clipvalue) {
      for (auto& t : g) {
        for (double& x : t) x = std::clamp(x, -*c.clipvalue, *c.clipvalue);
      }
    }
    if (c.clipnorm) {
      for (auto& t : g) {
        const double n = l2_norm(t);
        for (double& x : t) x = x * *c.clipnorm / std::max(n, *c.clipnorm);
      }
    }
    if (c.global_clipnorm) {
      double squares = 0.0;
      for (const auto& t : g) squares += std::pow(l2_norm(t), 2);
      const double global = std::sqrt(squares);
      for (auto& t : g) {
        for (double& x : t) x = x * *c.global_clipnorm / std::max(global, *c.global_clipnorm);
      }
    }
    const double eps = c.epsilon == 0.0 ? 1e-7 : c.epsilon;
    const double t = static_cast<double>(iterations + 1);
    for (std::size_t k = 0; k < w.size(); ++k) {
      auto slot = [&](const std::string& name, double initial) -> std::vector<double>& {
        return slots[k].try_emplace(name, w[k].size(), initial).first->second;
      };
      for (std::size_t i = 0; i < w[k].size(); ++i) {
        const double gi = g[k][i];
        double& wi = w[k][i];
        if (c.kind == "sgd") {
          if (c.momentum == 0.0) {
            wi -= lr * gi;
          } else {
            double& v = slot("momentum", 0.0)[i];
            v = c.momentum * v - lr * gi;
            wi += c.nesterov ? c.momentum * v - lr * gi : v;
          }
        } else if (c.kind == "adam") {
          double& m = slot("m", 0.0)[i];
          double& v = slot("v", 0.0)[i];
          m = c.beta_1 * m + (1 - c.beta_1) * gi;
          v = c.beta_2 * v + (1 - c.beta_2) * gi * gi;
          double second = v;
          if (c.amsgrad) {
            double& vhat = slot("vhat", 0.0)[i];
            vhat = std::max(vhat, v);
            second = vhat;
          }
          // Textbook bias-corrected form; Keras's epsilon on the uncorrected sqrt(v) is
          // epsilon / sqrt(1 - beta_2^t) here.
          const double c1 = 1 - std::pow(c.beta_1, t);
          const double c2 = 1 - std::pow(c.beta_2, t);
          wi -= lr * (m / c1) / (std::sqrt(second / c2) + eps / std::sqrt(c2));
        } else if (c.kind == "rmsprop") {
          double& ms = slot("rms", 0.0)[i];
          ms = c.rho * ms + (1 - c.rho) * gi * gi;
          double d = ms;
          if (c.centered) {
            double& mg = slot("mg", 0.0)[i];
            mg = c.rho * mg + (1 - c.rho) * gi;
            d = ms - mg * mg;
          }
          if (c.momentum == 0.0) {
            wi -= lr * gi / (std::sqrt(d) + eps);
          } else {
            double& mom = slot("momentum", 0.0)[i];
            mom = c.momentum * mom + lr * gi / std::sqrt(d + eps);
            wi -= mom;
          }
        } else {
          double& acc = slot("accumulator", c.initial_accumulator_value)[i];
          acc += gi * gi;
          wi -= lr * gi / (std::sqrt(acc) + eps);
        }
      }
    }
    ++iterations;
  }
};

std::vector<Case> formula_cases() {
  return {
      {.label = "sgd_plain", .kind = "sgd", .learning_rate = 0.1},
      {.label = "sgd_momentum", .kind = "sgd", .learning_rate = 0.05, .momentum = 0.9},
      {.label = "sgd_nesterov",
       .kind = "sgd",
       .learning_rate = 0.05,
       .momentum = 0.7,
       .nesterov = true},
      {.label = "adam_default", .kind = "adam", .learning_rate = 0.001},
      {.label = "adam_betas_epsilon",
       .kind = "adam",
       .learning_rate = 0.01,
       .beta_1 = 0.8,
       .beta_2 = 0.95,
       .epsilon = 1e-3},
      {.label = "adam_epsilon_zero_means_1e-7",
       .kind = "adam",
       .learning_rate = 0.01,
       .epsilon = 0.0},
      {.label = "adam_amsgrad", .kind = "adam", .learning_rate = 0.01, .amsgrad = true},
      {.label = "rmsprop_default", .kind = "rmsprop", .learning_rate = 0.001},
      {.label = "rmsprop_rho_epsilon",
       .kind = "rmsprop",
       .learning_rate = 0.01,
       .epsilon = 1e-4,
       .rho = 0.5},
      {.label = "rmsprop_centered", .kind = "rmsprop", .learning_rate = 0.01, .centered = true},
      {.label = "rmsprop_momentum", .kind = "rmsprop", .learning_rate = 0.01, .momentum = 0.8},
      {.label = "rmsprop_centered_momentum",
       .kind = "rmsprop",
       .learning_rate = 0.01,
       .momentum = 0.5,
       .epsilon = 1e-3,
       .centered = true},
      {.label = "adagrad_default", .kind = "adagrad", .learning_rate = 0.001},
      {.label = "adagrad_initial_accumulator",
       .kind = "adagrad",
       .learning_rate = 0.1,
       .epsilon = 0.0,
       .initial_accumulator_value = 0.5},
      {.label = "sgd_clipvalue", .kind = "sgd", .learning_rate = 0.1, .clipvalue = 0.5},
      {.label = "adam_clipnorm", .kind = "adam", .learning_rate = 0.01, .clipnorm = 1.0},
      {.label = "rmsprop_global_clipnorm",
       .kind = "rmsprop",
       .learning_rate = 0.01,
       .global_clipnorm = 1.5},
      {.label = "sgd_clipvalue_then_clipnorm",
       .kind = "sgd",
       .learning_rate = 0.1,
       .clipnorm = 1.0,
       .clipvalue = 0.5},
      {.label = "adagrad_clipvalue_then_global_clipnorm",
       .kind = "adagrad",
       .learning_rate = 0.1,
       .clipvalue = 0.25,
       .global_clipnorm = 2.0},
      {.label = "adam_decay", .kind = "adam", .learning_rate = 0.01, .decay = 0.5},
      {.label = "sgd_exponential_decay",
       .kind = "sgd",
       .schedule = optim::ExponentialDecay(0.1, 2.0, 0.5),
       .schedule_formula = [](std::int64_t s) { return 0.1 * std::pow(0.5, s / 2.0); }},
      {.label = "sgd_exponential_decay_staircase",
       .kind = "sgd",
       .schedule = optim::ExponentialDecay(0.1, 2.0, 0.5, true),
       .schedule_formula = [](std::int64_t s) { return 0.1 * std::pow(0.5, s / 2); }},
      {.label = "rmsprop_inverse_time_decay",
       .kind = "rmsprop",
       .schedule = optim::InverseTimeDecay(0.01, 3.0, 2.0),
       .schedule_formula = [](std::int64_t s) { return 0.01 / (1 + 2.0 * s / 3.0); }},
      {.label = "adam_inverse_time_decay_staircase",
       .kind = "adam",
       .schedule = optim::InverseTimeDecay(0.01, 2.0, 1.0, true),
       .schedule_formula = [](std::int64_t s) { return 0.01 / (1 + 1.0 * (s / 2)); }},
      {.label = "sgd_momentum_piecewise_constant",
       .kind = "sgd",
       .schedule = optim::PiecewiseConstantDecay({1, 3}, {0.1, 0.05, 0.01}),
       .schedule_formula = [](std::int64_t s) { return s <= 1   ? 0.1
                                                       : s <= 3 ? 0.05
                                                                : 0.01; },
       .momentum = 0.9},
      {.label = "adagrad_callable_schedule_with_decay",
       .kind = "adagrad",
       .schedule = optim::LearningRate([](std::int64_t s) { return 0.2 / (1.0 + s * s); }),
       .schedule_formula = [](std::int64_t s) { return 0.2 / (1.0 + s * s); },
       .decay = 0.25},
  };
}

// ---------------------------------------------------------------------------------------------
// Variables and gradients.

double round_to(DType dtype, double x) {
  return dtype == DType::f32 ? static_cast<double>(static_cast<float>(x)) : x;
}

std::vector<double> uniform_values(std::mt19937_64& engine, std::size_t n, double range,
                                   DType dtype) {
  std::uniform_real_distribution<double> distribution(-range, range);
  std::vector<double> out(n);
  for (double& x : out) x = round_to(dtype, distribution(engine));
  return out;
}

Variable make_variable(const std::string& name, const Shape& shape,
                       const std::vector<double>& values, DType dtype,
                       constraints::AnyConstraint constraint = {}) {
  return Variable(name, Tensor::from_values(shape, values, dtype), std::move(constraint));
}

/// Makes `gradient` the variable's value().grad(), as backward() would.
void set_gradient(const Variable& variable, const std::vector<double>& gradient) {
  Tensor value = variable.value();
  value.clear_grad();
  value.backward(Tensor::from_values(value.shape(), gradient, value.dtype()));
}

/// A kernel spanning several update blocks plus a tail, and a small bias whose gradient stays
/// under the clipping thresholds (gradient ranges 2 and 0.3).
struct Problem {
  std::vector<Shape> shapes{{37, 61}, {5}};
  std::vector<double> gradient_ranges{2.0, 0.3};
  std::vector<Variable> variables;
  std::vector<std::vector<double>> initial;
  std::mt19937_64 engine{7};
  DType dtype;

  explicit Problem(DType type) : dtype(type) {
    const std::vector<std::string> names{"dense/kernel:0", "dense/bias:0"};
    for (std::size_t k = 0; k < shapes.size(); ++k) {
      initial.push_back(uniform_values(engine, numel(shapes[k]), 1.0, dtype));
      variables.push_back(make_variable(names[k], shapes[k], initial.back(), dtype));
    }
  }
  /// Draws a gradient for every variable and installs it.
  std::vector<std::vector<double>> next_gradients() {
    std::vector<std::vector<double>> gradients;
    for (std::size_t k = 0; k < shapes.size(); ++k) {
      gradients.push_back(uniform_values(engine, numel(shapes[k]), gradient_ranges[k], dtype));
      set_gradient(variables[k], gradients.back());
    }
    return gradients;
  }
};

Tensor as_tensor(const Shape& shape, const std::vector<double>& values) {
  return Tensor::from_values(shape, values, DType::f64);
}

void check_bitwise_equal(const Tensor& a, const Tensor& b) {
  BOOST_TEST_REQUIRE((a.shape() == b.shape()));
  BOOST_TEST(a.dtype() == b.dtype());
  BOOST_TEST((a.to_vector() == b.to_vector()), "tensors differ");
}

void check_same_state(const optim::OptimizerState& a, const optim::OptimizerState& b) {
  BOOST_TEST(a.iterations == b.iterations);
  BOOST_TEST_REQUIRE(a.slots.size() == b.slots.size());
  for (const auto& [key, tensor] : a.slots) {
    BOOST_TEST_REQUIRE(b.slots.contains(key), "missing " << key);
    check_bitwise_equal(tensor, b.slots.at(key));
  }
}

const std::vector<DType> both_dtypes{DType::f32, DType::f64};

}  // namespace

// ---------------------------------------------------------------------------------------------

BOOST_DATA_TEST_CASE(every_option_matches_the_spec_formula_over_several_steps,
                     data::make(formula_cases()) * data::make(both_dtypes), c, dtype) {
  Problem problem(dtype);
  Reference reference(c, problem.initial);
  const auto optimizer = make_optimizer(c);
  const double rtol = dtype == DType::f64 ? 1e-10 : 2e-5;
  const double atol = dtype == DType::f64 ? 1e-12 : 2e-6;
  for (int step = 0; step < 5; ++step) {
    BOOST_TEST(optimizer->learning_rate() == reference.rate_at(step),
               boost::test_tools::tolerance(1e-14));
    reference.step(problem.next_gradients());
    optimizer->apply(problem.variables);
    BOOST_TEST(optimizer->iterations() == step + 1);
    for (std::size_t k = 0; k < problem.variables.size(); ++k) {
      BOOST_TEST_CONTEXT("step " << step << ", variable " << problem.variables[k].name()) {
        check_close(problem.variables[k].value(), as_tensor(problem.shapes[k], reference.w[k]),
                    rtol, atol);
      }
    }
  }
  // Every slot the reference keeps, and only those, is in the optimizer's state.
  const optim::OptimizerState state = optimizer->state();
  BOOST_TEST(state.iterations == 5);
  std::size_t reference_slots = 0;
  for (std::size_t k = 0; k < problem.variables.size(); ++k) {
    for (const auto& [slot, values] : reference.slots[k]) {
      const std::string key = problem.variables[k].name() + "/" + slot;
      BOOST_TEST_REQUIRE(state.slots.contains(key), "state lacks " << key);
      check_close(state.slots.at(key), as_tensor(problem.shapes[k], values), rtol, atol);
      ++reference_slots;
    }
  }
  BOOST_TEST(state.slots.size() == reference_slots);
}

BOOST_DATA_TEST_CASE(steps_after_the_first_allocate_nothing, data::make(formula_cases()), c) {
  Problem problem(DType::f32);
  const auto optimizer = make_optimizer(c);
  problem.next_gradients();
  optimizer->apply(problem.variables);
  for (int step = 0; step < 3; ++step) {
    problem.next_gradients();
    const long before = allocation_count.load();
    optimizer->apply(problem.variables);
    const long allocations = allocation_count.load() - before;
    BOOST_TEST(allocations == 0);
  }
}

BOOST_DATA_TEST_CASE(a_resumed_run_equals_an_uninterrupted_one_bit_for_bit,
                     data::make(formula_cases()) * data::make(both_dtypes), c, dtype) {
  // Both problems draw the same initial values and gradients.
  Problem uninterrupted(dtype);
  Problem interrupted(dtype);
  const auto optimizer = make_optimizer(c);
  const auto first_half = make_optimizer(c);
  for (int step = 0; step < 3; ++step) {
    uninterrupted.next_gradients();
    optimizer->apply(uninterrupted.variables);
    interrupted.next_gradients();
    first_half->apply(interrupted.variables);
  }
  const optim::OptimizerState saved = first_half->state();

  // A fresh optimizer and fresh variables holding the saved values continue the run.
  std::vector<Variable> restored;
  for (const Variable& v : interrupted.variables) {
    restored.emplace_back(v.name(), v.value().detach().clone());
  }
  interrupted.variables = restored;
  const auto second_half = make_optimizer(c);
  second_half->load_state(saved, restored);
  BOOST_TEST(second_half->iterations() == 3);
  for (int step = 3; step < 6; ++step) {
    uninterrupted.next_gradients();
    optimizer->apply(uninterrupted.variables);
    interrupted.next_gradients();
    second_half->apply(restored);
  }
  for (std::size_t k = 0; k < restored.size(); ++k) {
    check_bitwise_equal(restored[k].value(), uninterrupted.variables[k].value());
  }
  check_same_state(second_half->state(), optimizer->state());
}

BOOST_AUTO_TEST_CASE(state_is_a_snapshot_that_later_steps_do_not_change) {
  Problem problem(DType::f64);
  optim::Adam adam({.learning_rate = 0.01});
  problem.next_gradients();
  adam.apply(problem.variables);
  const optim::OptimizerState saved = adam.state();
  const std::vector<double> m = saved.slots.at("dense/bias:0/m").to_vector();
  problem.next_gradients();
  adam.apply(problem.variables);
  BOOST_TEST(saved.iterations == 1);
  BOOST_TEST((saved.slots.at("dense/bias:0/m").to_vector() == m));
  BOOST_TEST((adam.state().slots.at("dense/bias:0/m").to_vector() != m));
}

BOOST_AUTO_TEST_CASE(each_constraint_runs_right_after_its_own_variables_update) {
  // SGD with lr 1: a = [1, -0.5, 0.2] - [2, -1, 0] = [-1, 0.5, 0.2], then non-negativity gives
  // [0, 0.5, 0.2]; b = [1, 2] - [1, 1] = [0, 1].
  for (const bool a_first : {true, false}) {
    BOOST_TEST_CONTEXT("a first: " << a_first) {
      std::vector<double> seen_by_constraint;
      std::vector<double> b_during_constraint;
      Variable b = make_variable("b", {2}, {1, 2}, DType::f64);
      Variable a = make_variable("a", {3}, {1, -0.5, 0.2}, DType::f64, [&](const Tensor& w) {
        seen_by_constraint = w.to_vector();
        b_during_constraint = b.value().to_vector();
        return relu(w);
      });
      set_gradient(a, {2, -1, 0});
      set_gradient(b, {1, 1});
      optim::SGD sgd({.learning_rate = 1.0});
      sgd.apply(a_first ? std::vector<Variable>{a, b} : std::vector<Variable>{b, a});
      BOOST_TEST((seen_by_constraint == std::vector<double>{-1, 0.5, 0.2}));
      BOOST_TEST((b_during_constraint ==
                  (a_first ? std::vector<double>{1, 2} : std::vector<double>{0, 1})));
      BOOST_TEST((a.value().to_vector() == std::vector<double>{0, 0.5, 0.2}));
      BOOST_TEST((b.value().to_vector() == std::vector<double>{0, 1}));
    }
  }
  // A constraint by name, on f32: non_neg zeroes what the update made negative.
  Variable w = make_variable("w", {2}, {0.5, 0.5}, DType::f32, "non_neg");
  set_gradient(w, {1, -1});
  optim::SGD({.learning_rate = 1.0}).apply({w});
  BOOST_TEST((w.value().to_vector() == std::vector<double>{0, 1.5}));
}

BOOST_AUTO_TEST_CASE(variables_without_gradients_and_frozen_variables_are_skipped) {
  Variable a = make_variable("a", {3}, {1, 2, 3}, DType::f64);
  Variable no_grad = make_variable("no_grad", {2}, {4, 5}, DType::f64);
  Variable frozen = make_variable("frozen", {2}, {6, 7}, DType::f64);
  set_gradient(a, {3, 0, 4});
  set_gradient(frozen, {100, 100});
  frozen.set_trainable(false);
  // Only a's gradient enters the global norm: ||(3, 0, 4)|| = 5 is clipped to 1, so SGD with
  // lr 1 moves a by (0.6, 0, 0.8).
  optim::SGD sgd({.learning_rate = 1.0, .global_clipnorm = 1.0});
  sgd.apply({a, no_grad, frozen});
  check_close(a.value(), Tensor::from_values({3}, {0.4, 2, 2.2}, DType::f64), 1e-15, 0);
  BOOST_TEST((no_grad.value().to_vector() == std::vector<double>{4, 5}));
  BOOST_TEST((frozen.value().to_vector() == std::vector<double>{6, 7}));

  optim::Adam adam;
  adam.apply({a, no_grad, frozen});
  const auto state = adam.state();
  BOOST_TEST(state.slots.size() == 2u);
  BOOST_TEST(state.slots.contains("a/m"));
  BOOST_TEST(state.slots.contains("a/v"));
}

BOOST_AUTO_TEST_CASE(clipping_leaves_the_callers_gradients_untouched) {
  Variable a = make_variable("a", {2}, {0, 0}, DType::f32);
  set_gradient(a, {3, -4});
  optim::SGD({.learning_rate = 1.0, .clipnorm = 1.0, .clipvalue = 2.0}).apply({a});
  // clipvalue first: (2, -2), norm 2*sqrt(2) clipped to 1.
  check_close(a.value(), Tensor::from_values({2}, {-std::sqrt(0.5), std::sqrt(0.5)}), 1e-6, 0);
  BOOST_TEST((a.value().grad().to_vector() == std::vector<double>{3, -4}));
}

BOOST_AUTO_TEST_CASE(apply_with_no_gradient_at_all_is_a_logic_error_and_changes_nothing) {
  Variable a = make_variable("a", {2}, {1, 2}, DType::f32);
  optim::Adam adam;
  RNNKIT_CHECK_THROWS(adam.apply({a}), std::logic_error, "Adam.apply", "no trainable variable",
                      "backward()");
  BOOST_TEST(adam.iterations() == 0);
  BOOST_TEST(adam.state().slots.empty());
  BOOST_TEST((a.value().to_vector() == std::vector<double>{1, 2}));
  // An empty list is a no-op step, as in Keras.
  adam.apply({});
  BOOST_TEST(adam.iterations() == 1);
}

BOOST_AUTO_TEST_CASE(a_variable_listed_twice_is_rejected_before_any_change) {
  Variable a = make_variable("a", {2}, {1, 2}, DType::f32);
  set_gradient(a, {1, 1});
  optim::SGD sgd({.momentum = 0.5});
  RNNKIT_CHECK_THROWS(sgd.apply({a, a}), std::invalid_argument, "SGD.apply", "'a' twice",
                      "each variable once");
  BOOST_TEST(sgd.iterations() == 0);
  BOOST_TEST(sgd.state().slots.empty());
  BOOST_TEST((a.value().to_vector() == std::vector<double>{1, 2}));
}

BOOST_AUTO_TEST_CASE(a_schedule_giving_a_negative_rate_is_rejected_before_any_change) {
  Variable a = make_variable("a", {2}, {1, 2}, DType::f64);
  optim::RMSprop rmsprop({.learning_rate = [](std::int64_t step) { return 0.1 - 0.2 * step; }});
  set_gradient(a, {1, 1});
  rmsprop.apply({a});
  const auto values = a.value().to_vector();
  const auto state = rmsprop.state();
  RNNKIT_CHECK_THROWS(rmsprop.apply({a}), std::invalid_argument, "RMSprop", "learning_rate", ">= 0",
                      "-0.1", "step 1");
  RNNKIT_CHECK_THROWS((void)rmsprop.learning_rate(), std::invalid_argument, "-0.1");
  BOOST_TEST((a.value().to_vector() == values));
  check_same_state(rmsprop.state(), state);
}

BOOST_AUTO_TEST_CASE(schedules_follow_the_spec_formulas) {
  const optim::ExponentialDecay exponential(0.1, 3.0, 0.5);
  const optim::ExponentialDecay exponential_staircase(0.1, 3.0, 0.5, true);
  const optim::InverseTimeDecay inverse(0.2, 2.0, 0.5);
  const optim::InverseTimeDecay inverse_staircase(0.2, 2.0, 0.5, true);
  const auto tolerance = boost::test_tools::tolerance(1e-15);
  for (std::int64_t s = 0; s < 8; ++s) {
    BOOST_TEST(exponential(s) == 0.1 * std::pow(0.5, s / 3.0), tolerance);
    BOOST_TEST(exponential_staircase(s) == 0.1 * std::pow(0.5, std::floor(s / 3.0)), tolerance);
    BOOST_TEST(inverse(s) == 0.2 / (1 + 0.5 * s / 2.0), tolerance);
    BOOST_TEST(inverse_staircase(s) == 0.2 / (1 + 0.5 * std::floor(s / 2.0)), tolerance);
  }
  // Hand values: 3 steps of ExponentialDecay halve the rate once.
  BOOST_TEST(exponential(3) == 0.05, tolerance);
  BOOST_TEST(inverse_staircase(3) == 0.2 / 1.5, tolerance);

  // A boundary belongs to the interval on its left.
  const optim::PiecewiseConstantDecay piecewise({2, 5}, {1.0, 0.5, 0.1});
  const std::vector<double> expected{1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1};
  for (std::int64_t s = 0; s < 8; ++s) BOOST_TEST(piecewise(s) == expected[s]);
  BOOST_TEST(optim::PiecewiseConstantDecay({}, {0.3})(100) == 0.3);

  BOOST_TEST(piecewise.class_name() == "PiecewiseConstantDecay");
  BOOST_TEST(exponential.class_name() == "ExponentialDecay");
  BOOST_TEST(inverse.class_name() == "InverseTimeDecay");
}

BOOST_AUTO_TEST_CASE(learning_rate_reports_schedule_and_decay_at_the_current_step) {
  optim::SGD sgd({.learning_rate = optim::ExponentialDecay(0.1, 1.0, 0.5), .decay = 1.0});
  Variable a = make_variable("a", {1}, {0}, DType::f64);
  const auto tolerance = boost::test_tools::tolerance(1e-15);
  BOOST_TEST(sgd.learning_rate() == 0.1, tolerance);
  set_gradient(a, {1});
  sgd.apply({a});
  BOOST_TEST(a.value().item() == -0.1, tolerance);
  BOOST_TEST(sgd.learning_rate() == 0.05 / 2, tolerance);
  sgd.apply({a});
  BOOST_TEST(a.value().item() == -0.1 - 0.025, tolerance);
  BOOST_TEST(sgd.learning_rate() == 0.025 / 3, tolerance);
}

BOOST_AUTO_TEST_CASE(options_default_to_keras_values) {
  const optim::SGD sgd;
  BOOST_TEST(sgd.learning_rate() == 0.01);
  BOOST_TEST(sgd.name() == "SGD");
  BOOST_TEST(sgd.slot_names().empty());
  BOOST_TEST((optim::SGD({.momentum = 0.9}).slot_names() == std::vector<std::string>{"momentum"}));

  const optim::Adam adam;
  BOOST_TEST(adam.learning_rate() == 0.001);
  BOOST_TEST(adam.name() == "Adam");
  BOOST_TEST((adam.slot_names() == std::vector<std::string>{"m", "v"}));
  BOOST_TEST(
      (optim::Adam({.amsgrad = true}).slot_names() == std::vector<std::string>{"m", "v", "vhat"}));

  const optim::RMSprop rmsprop;
  BOOST_TEST(rmsprop.learning_rate() == 0.001);
  BOOST_TEST(rmsprop.name() == "RMSprop");
  BOOST_TEST((rmsprop.slot_names() == std::vector<std::string>{"rms"}));
  BOOST_TEST((optim::RMSprop({.momentum = 0.5, .centered = true}).slot_names() ==
              std::vector<std::string>{"rms", "mg", "momentum"}));

  const optim::Adagrad adagrad;
  BOOST_TEST(adagrad.learning_rate() == 0.001);
  BOOST_TEST(adagrad.name() == "Adagrad");
  BOOST_TEST((adagrad.slot_names() == std::vector<std::string>{"accumulator"}));

  const optim::Adam named({.name = "my_adam"});
  BOOST_TEST(named.name() == "my_adam");
  BOOST_TEST(named.class_name() == "Adam");
}

BOOST_DATA_TEST_CASE(a_name_gives_the_optimizer_with_keras_defaults,
                     data::make(std::vector<std::string>{"sgd", "SGD", "adam", "Adam", "ADAM",
                                                         "rmsprop", "RMSprop", "adagrad",
                                                         "Adagrad"}),
                     name) {
  std::string kind = name;
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const std::map<std::string, std::string> class_names{
      {"sgd", "SGD"}, {"adam", "Adam"}, {"rmsprop", "RMSprop"}, {"adagrad", "Adagrad"}};
  // Keras defaults written out: every Case field not set here already holds one.
  const Case defaults{.label = kind, .kind = kind, .learning_rate = kind == "sgd" ? 0.01 : 0.001};

  const optim::AnyOptimizer optimizer = name;
  BOOST_TEST(optimizer->class_name() == class_names.at(kind));
  BOOST_TEST(optim::get(name)->class_name() == class_names.at(kind));
  Problem problem(DType::f64);
  Reference reference(defaults, problem.initial);
  for (int step = 0; step < 3; ++step) {
    reference.step(problem.next_gradients());
    optimizer->apply(problem.variables);
  }
  for (std::size_t k = 0; k < problem.variables.size(); ++k) {
    check_close(problem.variables[k].value(), as_tensor(problem.shapes[k], reference.w[k]), 1e-10,
                1e-12);
  }
}

BOOST_AUTO_TEST_CASE(any_optimizer_holds_objects_and_shares_them) {
  optim::AnyOptimizer any = optim::Adam({.learning_rate = 0.5});
  BOOST_TEST(any->learning_rate() == 0.5);
  const optim::AnyOptimizer copy = any;
  Variable a = make_variable("a", {1}, {0}, DType::f32);
  set_gradient(a, {1});
  copy->apply({a});
  BOOST_TEST(any->iterations() == 1);
  BOOST_TEST(copy.get() == any.get());

  auto shared = std::make_shared<optim::RMSprop>();
  const optim::AnyOptimizer from_pointer = shared;
  BOOST_TEST(from_pointer.get() == shared.get());
  RNNKIT_CHECK_THROWS(optim::AnyOptimizer(std::shared_ptr<optim::SGD>()), std::invalid_argument,
                      "AnyOptimizer", "null");

  const std::vector<std::string> names = optim::AnyOptimizer::names();
  BOOST_TEST((names == std::vector<std::string>{"Adagrad", "Adam", "RMSprop", "SGD", "adagrad",
                                                "adam", "rmsprop", "sgd"}));
  RNNKIT_CHECK_THROWS(optim::AnyOptimizer("adamw"), std::invalid_argument, "unknown name 'adamw'",
                      "adagrad", "adam", "rmsprop", "sgd", "RMSprop");
  RNNKIT_CHECK_THROWS(optim::get(""), std::invalid_argument, "optimizer", "unknown name ''");
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw_invalid_argument_naming_what_is_wrong) {
  using std::invalid_argument;
  RNNKIT_CHECK_THROWS(optim::SGD({.learning_rate = -0.1}), invalid_argument, "SGD", "learning_rate",
                      ">= 0", "got -0.1");
  RNNKIT_CHECK_THROWS(optim::Adam({.learning_rate = std::nan("")}), invalid_argument, "Adam",
                      "learning_rate", "finite", "got nan");
  RNNKIT_CHECK_THROWS(optim::Adam({.decay = -1}), invalid_argument, "Adam", "decay", ">= 0",
                      "got -1");
  RNNKIT_CHECK_THROWS(optim::RMSprop({.clipnorm = -1}), invalid_argument, "RMSprop", "clipnorm",
                      ">= 0", "got -1");
  RNNKIT_CHECK_THROWS(optim::Adagrad({.clipvalue = -2}), invalid_argument, "Adagrad", "clipvalue",
                      ">= 0", "got -2");
  RNNKIT_CHECK_THROWS(optim::SGD({.global_clipnorm = -3}), invalid_argument, "SGD",
                      "global_clipnorm", ">= 0", "got -3");
  RNNKIT_CHECK_THROWS(optim::Adam({.clipnorm = 1.0, .global_clipnorm = 2.0}), invalid_argument,
                      "Adam", "clipnorm and global_clipnorm", "at most one", "clipnorm=1",
                      "global_clipnorm=2");
  RNNKIT_CHECK_THROWS(optim::SGD({.momentum = 1.5}), invalid_argument, "SGD", "momentum", "[0, 1]",
                      "got 1.5");
  RNNKIT_CHECK_THROWS(optim::SGD({.momentum = -0.1}), invalid_argument, "SGD", "momentum", "[0, 1]",
                      "got -0.1");
  RNNKIT_CHECK_THROWS(optim::RMSprop({.momentum = 2}), invalid_argument, "RMSprop", "momentum",
                      "[0, 1]", "got 2");
  RNNKIT_CHECK_THROWS(optim::RMSprop({.rho = -0.5}), invalid_argument, "RMSprop", "rho", "[0, 1]",
                      "got -0.5");
  RNNKIT_CHECK_THROWS(optim::Adam({.beta_1 = 1.0}), invalid_argument, "Adam", "beta_1", "[0, 1)",
                      "got 1");
  RNNKIT_CHECK_THROWS(optim::Adam({.beta_2 = -0.1}), invalid_argument, "Adam", "beta_2", "[0, 1)",
                      "got -0.1");
  RNNKIT_CHECK_THROWS(optim::Adam({.epsilon = -1e-8}), invalid_argument, "Adam", "epsilon", ">= 0",
                      "got -1e-08");
  RNNKIT_CHECK_THROWS(optim::Adagrad({.initial_accumulator_value = -0.1}), invalid_argument,
                      "Adagrad", "initial_accumulator_value", ">= 0", "got -0.1");

  RNNKIT_CHECK_THROWS(optim::PiecewiseConstantDecay({1, 2}, {0.1, 0.2}), invalid_argument,
                      "PiecewiseConstantDecay", "values", "expected 3 values for 2 boundaries",
                      "got 2");
  RNNKIT_CHECK_THROWS(optim::PiecewiseConstantDecay({3, 2}, {0.1, 0.2, 0.3}), invalid_argument,
                      "PiecewiseConstantDecay", "boundaries", "strictly increasing", "[3, 2]");
  RNNKIT_CHECK_THROWS(optim::PiecewiseConstantDecay({1}, {0.1, -0.2}), invalid_argument,
                      "PiecewiseConstantDecay", "values", ">= 0", "got -0.2");
  RNNKIT_CHECK_THROWS(optim::ExponentialDecay(0.1, 0.0, 0.5), invalid_argument, "ExponentialDecay",
                      "decay_steps", "> 0", "got 0");
  RNNKIT_CHECK_THROWS(optim::ExponentialDecay(-0.1, 1.0, 0.5), invalid_argument, "ExponentialDecay",
                      "initial_learning_rate", ">= 0", "got -0.1");
  RNNKIT_CHECK_THROWS(optim::InverseTimeDecay(0.1, 1.0, -0.5), invalid_argument, "InverseTimeDecay",
                      "decay_rate", ">= 0", "got -0.5");
  RNNKIT_CHECK_THROWS(optim::LearningRate(std::function<double(std::int64_t)>()), invalid_argument,
                      "LearningRate", "callable");
}

BOOST_AUTO_TEST_CASE(load_state_rejects_bad_states_and_leaves_the_optimizer_unchanged) {
  Variable kernel = make_variable("rnn/kernel:0", {2, 2}, {1, 2, 3, 4}, DType::f32);
  Variable bias = make_variable("rnn/bias:0", {2}, {1, 2}, DType::f32);
  const std::vector<Variable> variables{kernel, bias};
  optim::Adam adam;
  set_gradient(kernel, {1, 1, 1, 1});
  set_gradient(bias, {1, 1});
  adam.apply(variables);
  const optim::OptimizerState before = adam.state();
  BOOST_TEST_REQUIRE(before.slots.size() == 4u);

  auto expect_rejected = [&](const optim::OptimizerState& bad,
                             const std::vector<std::string>& parts) {
    bool thrown = false;
    try {
      adam.load_state(bad, variables);
    } catch (const std::invalid_argument& error) {
      thrown = true;
      for (const std::string& part : parts) {
        BOOST_TEST(std::string(error.what()).find(part) != std::string::npos,
                   "\"" << error.what() << "\" lacks \"" << part << "\"");
      }
    }
    BOOST_TEST(thrown);
    check_same_state(adam.state(), before);
  };

  optim::OptimizerState unknown = before;
  unknown.slots["rnn/kernel:0/vhat"] = Tensor::zeros({2, 2});
  expect_rejected(unknown,
                  {"Adam.load_state", "unknown slot 'rnn/kernel:0/vhat'", "[m, v]", "rnn/bias:0"});

  optim::OptimizerState other_variable = before;
  other_variable.slots["dense/kernel:0/m"] = Tensor::zeros({2, 2});
  expect_rejected(other_variable, {"unknown slot 'dense/kernel:0/m'"});

  optim::OptimizerState missing = before;
  missing.slots.erase("rnn/bias:0/v");
  expect_rejected(missing, {"Adam.load_state", "slot 'rnn/bias:0/v' is missing", "got 1"});

  optim::OptimizerState wrong_shape = before;
  wrong_shape.slots["rnn/kernel:0/m"] = Tensor::zeros({4});
  expect_rejected(wrong_shape, {"slot 'rnn/kernel:0/m'", "shape [2, 2]", "got [4]"});

  optim::OptimizerState undefined = before;
  undefined.slots["rnn/bias:0/m"] = Tensor();
  expect_rejected(undefined, {"slot 'rnn/bias:0/m'", "undefined"});

  optim::OptimizerState negative = before;
  negative.iterations = -1;
  expect_rejected(negative, {"iterations", ">= 0", "got -1"});

  Variable twin = make_variable("rnn/bias:0", {2}, {0, 0}, DType::f32);
  RNNKIT_CHECK_THROWS(adam.load_state(before, {kernel, bias, twin}), std::invalid_argument,
                      "distinct variable names", "'rnn/bias:0' twice");
  check_same_state(adam.state(), before);

  // A state from a differently configured optimizer lacks or adds slots.
  optim::Adam amsgrad({.amsgrad = true});
  RNNKIT_CHECK_THROWS(amsgrad.load_state(before, variables), std::invalid_argument,
                      "slot 'rnn/kernel:0/vhat' is missing");
  BOOST_TEST(amsgrad.iterations() == 0);
  BOOST_TEST(amsgrad.state().slots.empty());

  // A variable absent from the state gets fresh slots on its next update; values are converted
  // to the variable's dtype.
  optim::OptimizerState partial{.iterations = 7, .slots = {}};
  partial.slots["rnn/bias:0/m"] = Tensor::from_values({2}, {0.5, 0.25}, DType::f64);
  partial.slots["rnn/bias:0/v"] = Tensor::from_values({2}, {1, 2}, DType::f64);
  adam.load_state(partial, variables);
  BOOST_TEST(adam.iterations() == 7);
  const auto loaded = adam.state();
  BOOST_TEST(loaded.slots.size() == 2u);
  BOOST_TEST(loaded.slots.at("rnn/bias:0/m").dtype() == DType::f32);
  BOOST_TEST((loaded.slots.at("rnn/bias:0/m").to_vector() == std::vector<double>{0.5, 0.25}));
}

// ---------------------------------------------------------------------------------------------
// Keras golden files (schema rnnkit-golden/1, kind optimizer).

namespace {

std::filesystem::path golden_dir() {
  if (const char* dir = std::getenv("RNNKIT_GOLDEN_DIR")) return dir;
  const char* source = std::getenv("RNNKIT_SOURCE_DIR");
  BOOST_TEST_REQUIRE(source != nullptr, "RNNKIT_SOURCE_DIR is not set (run through ctest)");
  return std::filesystem::path(source) / "tests" / "golden";
}

Case golden_case(const nlohmann::json& spec) {
  const std::vector<std::string> known{"name",
                                       "learning_rate",
                                       "momentum",
                                       "nesterov",
                                       "beta_1",
                                       "beta_2",
                                       "epsilon",
                                       "amsgrad",
                                       "rho",
                                       "centered",
                                       "initial_accumulator_value",
                                       "clipnorm",
                                       "clipvalue",
                                       "global_clipnorm"};
  for (const auto& [key, value] : spec.items()) {
    BOOST_TEST_REQUIRE((std::find(known.begin(), known.end(), key) != known.end()),
                       "unknown optimizer field '" << key << "'");
  }
  // Missing fields take Keras's defaults, which Case already holds (learning_rate aside).
  Case c{.label = spec.at("name").get<std::string>(), .kind = spec.at("name").get<std::string>()};
  c.learning_rate = spec.value("learning_rate", c.kind == "sgd" ? 0.01 : 0.001);
  c.momentum = spec.value("momentum", c.momentum);
  c.nesterov = spec.value("nesterov", c.nesterov);
  c.beta_1 = spec.value("beta_1", c.beta_1);
  c.beta_2 = spec.value("beta_2", c.beta_2);
  c.epsilon = spec.value("epsilon", c.epsilon);
  c.amsgrad = spec.value("amsgrad", c.amsgrad);
  c.rho = spec.value("rho", c.rho);
  c.centered = spec.value("centered", c.centered);
  c.initial_accumulator_value =
      spec.value("initial_accumulator_value", c.initial_accumulator_value);
  for (auto [key, field] :
       {std::pair{"clipnorm", &c.clipnorm}, std::pair{"clipvalue", &c.clipvalue},
        std::pair{"global_clipnorm", &c.global_clipnorm}}) {
    if (spec.contains(key)) *field = spec.at(key).get<double>();
  }
  return c;
}

Shape shape_of(const nlohmann::json& tensor) { return tensor.at("shape").get<Shape>(); }

}  // namespace

BOOST_DATA_TEST_CASE(golden_optimizer_files_are_reproduced,
                     data::make(std::vector<std::string>{"optimizer_adam_default.json",
                                                         "optimizer_sgd_plain.json"}) *
                         data::make(both_dtypes),
                     file, dtype) {
  std::ifstream in(golden_dir() / file);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << (golden_dir() / file));
  const nlohmann::json golden = nlohmann::json::parse(in);
  BOOST_TEST_REQUIRE(golden.at("schema").get<std::string>() == "rnnkit-golden/1");
  BOOST_TEST_REQUIRE(golden.at("kind").get<std::string>() == "optimizer");
  const double rtol = golden.at("tolerance").at("rtol").get<double>();
  const double atol = golden.at("tolerance").at("atol").get<double>();

  const auto optimizer = make_optimizer(golden_case(golden.at("optimizer")));
  std::vector<Variable> variables;
  for (const auto& tensor : golden.at("initial")) {
    variables.push_back(make_variable("w" + std::to_string(variables.size()), shape_of(tensor),
                                      tensor.at("data").get<std::vector<double>>(), dtype));
  }
  int step = 0;
  for (const auto& golden_step : golden.at("steps")) {
    const auto& gradients = golden_step.at("gradients");
    const auto& expected = golden_step.at("expected");
    BOOST_TEST_REQUIRE(gradients.size() == variables.size());
    for (std::size_t k = 0; k < variables.size(); ++k) {
      set_gradient(variables[k], gradients[k].at("data").get<std::vector<double>>());
    }
    optimizer->apply(variables);
    for (std::size_t k = 0; k < variables.size(); ++k) {
      BOOST_TEST_CONTEXT("step " << step << ", parameter " << k) {
        check_close(
            variables[k].value(),
            Tensor::from_values(shape_of(expected[k]),
                                expected[k].at("data").get<std::vector<double>>(), DType::f64),
            rtol, atol);
      }
    }
    ++step;
  }
  BOOST_TEST(step > 0);
}

#pragma once

#include <rnnkit/framework/losses.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/any_optimizer.h>

#include <string>
#include <vector>

namespace rnnkit::models {

/// What compile() set.
struct Sequential::Compiled {
  optim::AnyOptimizer optimizer;
  losses::AnyLoss loss;
  std::vector<std::string> metrics;
};

}  // namespace rnnkit::models

#pragma once

#include <rnnkit/models/logs.h>
#include <rnnkit/models/sequential.h>

#include <string>
#include <vector>

namespace rnnkit::models {

/// Running sums of the loss and the metrics over the batches of one epoch or evaluation.
struct Sequential::Trackers {
  double loss_sum = 0.0;
  double loss_count = 0.0;
  std::vector<double> sums;
  std::vector<double> counts;

  Logs results(const std::vector<std::string>& names) const {
    Logs logs;
    logs.set("loss", loss_count > 0 ? loss_sum / loss_count : 0.0);
    for (std::size_t i = 0; i < names.size(); ++i) {
      logs.set(names[i], counts[i] > 0 ? sums[i] / counts[i] : 0.0);
    }
    return logs;
  }
};

}  // namespace rnnkit::models

#include <fmt/format.h>

#include <cmath>

#include "rnnkit/callbacks/callbacks.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::callbacks {

void TerminateOnNaN::on_train_batch_end(std::int64_t batch, const models::Logs& logs) {
  const double* loss = logs.find("loss");
  if (loss && !std::isfinite(*loss)) {
    fmt::print("Batch {}: Invalid loss, terminating training\n", batch);
    model().stop_training = true;
  }
}

}  // namespace rnnkit::callbacks

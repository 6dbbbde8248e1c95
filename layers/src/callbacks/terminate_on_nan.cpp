#include <fmt/format.h>

#include <cmath>

#include "rnnkit/callbacks/callbacks.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::callbacks {

void TerminateOnNaN::on_epoch_begin(int epoch, const models::Logs&) { epoch_ = epoch; }

void TerminateOnNaN::on_train_batch_end(std::int64_t batch, const models::Logs& logs) {
  const double* loss = logs.find("loss");
  if (loss && !std::isfinite(*loss)) {
    fmt::print(
        "Epoch {}, batch {}: invalid loss {}, terminating training; the weights are those from "
        "before this batch\n",
        epoch_ + 1, batch, *loss);
    model().stop_training = true;
  }
}

}  // namespace rnnkit::callbacks

#include "rnnkit/callbacks/callback.h"

#include <stdexcept>

namespace rnnkit::callbacks {

models::Sequential& Callback::model() const {
  if (!model_) {
    throw std::logic_error(
        "callback: no model is set (model() is available during fit, "
        "evaluate and predict)");
  }
  return *model_;
}

void AnyCallback::throw_null() {
  throw std::invalid_argument("callbacks: a callback pointer is null");
}

}  // namespace rnnkit::callbacks

// Initial values taken from a file instead of drawn (load_model).

#include "rnnkit/initializers/initial_values.h"

#include <fmt/format.h>

#include <stdexcept>

namespace rnnkit::initializers {
namespace {

thread_local ScopedInitialValues* innermost = nullptr;

}  // namespace

ScopedInitialValues::ScopedInitialValues(std::string who,
                                         const std::vector<io::NamedTensor>& values)
    : who_(std::move(who)), values_(values), previous_(innermost) {
  innermost = this;
}

ScopedInitialValues::~ScopedInitialValues() { innermost = previous_; }

ScopedInitialValues* ScopedInitialValues::current() { return innermost; }

Tensor ScopedInitialValues::next(const Shape& shape, DType dtype) {
  if (next_ >= values_.size()) {
    throw std::invalid_argument(fmt::format(
        "{}: the file holds {} weight tensors, the model its config describes needs more (the "
        "next of shape {})",
        who_, values_.size(), shape_str(shape)));
  }
  const io::NamedTensor& value = values_[next_];
  if (!is_floating(value.value.dtype()) || value.value.shape() != shape) {
    throw std::invalid_argument(fmt::format(
        "{}: weight '{}' is a {} tensor of shape {} in the file, the model its config describes "
        "needs a float tensor of shape {}",
        who_, value.name, dtype_name(value.value.dtype()), shape_str(value.value.shape()),
        shape_str(shape)));
  }
  ++next_;
  // A copy, not the file's tensor: the model's weights own their storage.
  return value.value.dtype() == dtype ? value.value.clone() : value.value.to(dtype);
}

}  // namespace rnnkit::initializers

#pragma once

#include <rnnkit/framework/io.h>
#include <rnnkit/framework/shape.h>
#include <rnnkit/framework/tensor.h>

#include <cstddef>
#include <string>
#include <vector>

namespace rnnkit::initializers {

/// While it lives, every AnyInitializer call on this thread returns the next of `values`
/// (converted to the dtype asked for) instead of drawing one: how load_model builds a model whose
/// weights come from its file, so that nothing is drawn, or allocated, that the file does not
/// hold. A call whose shape is not the next value's, or that comes after the last one, throws
/// std::invalid_argument starting with `who` and naming the value and both shapes. `values` must
/// outlive the scope. Nests; not movable.
class ScopedInitialValues {
 public:
  ScopedInitialValues(std::string who, const std::vector<io::NamedTensor>& values);
  ~ScopedInitialValues();
  ScopedInitialValues(const ScopedInitialValues&) = delete;
  ScopedInitialValues& operator=(const ScopedInitialValues&) = delete;

  /// The innermost scope of this thread, or nullptr.
  static ScopedInitialValues* current();
  /// The next value, checked against `shape`, as a new tensor of `dtype`.
  Tensor next(const Shape& shape, DType dtype);

 private:
  std::string who_;
  const std::vector<io::NamedTensor>& values_;
  std::size_t next_ = 0;
  ScopedInitialValues* previous_;
};

}  // namespace rnnkit::initializers

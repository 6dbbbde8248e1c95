// Row gather: gather_rows, the lookup behind Embedding. Its backward scatter-adds.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {
Tensor gather_rows(const Tensor& table, const Tensor& ids) {
  detail::require_floating("gather_rows", table, "table");
  detail::require_defined("gather_rows", ids, "ids");
  if (table.dim() != 2) {
    throw std::invalid_argument(
        fmt::format("gather_rows: expected a 2-D table [rows, columns], got shape {}",
                    shape_str(table.shape())));
  }
  if (ids.dtype() != DType::i64) {
    throw std::invalid_argument(
        fmt::format("gather_rows: expected int64 ids, got {}", dtype_name(ids.dtype())));
  }
  const std::int64_t rows = table.size(0);
  const std::int64_t columns = table.size(1);
  const std::int64_t* id = ids.data<std::int64_t>();
  for (std::int64_t i = 0; i < ids.numel(); ++i) {
    if (id[i] < 0 || id[i] >= rows) {
      throw std::invalid_argument(fmt::format(
          "gather_rows: ids{} = {} is out of range for a table of {} rows (expected [0, {}))",
          index_str(ids.shape(), i), id[i], rows, rows));
    }
  }
  Shape out_shape = ids.shape();
  out_shape.push_back(columns);
  Tensor out = Tensor::empty(out_shape, table.dtype());
  const std::size_t row_bytes = static_cast<std::size_t>(columns) * dtype_size(table.dtype());
  const auto* in = static_cast<const std::byte*>(table.impl()->storage->data);
  auto* o = static_cast<std::byte*>(out.impl()->storage->data);
  for (std::int64_t i = 0; i < ids.numel(); ++i) {
    std::memcpy(o + i * row_bytes, in + id[i] * row_bytes, row_bytes);
  }
  if (!needs_grad({&table})) return out;
  SavedTensor saved_ids(ids);
  const Shape table_shape = table.shape();
  return record("gather_rows", {table}, out,
                [saved_ids, table_shape](const std::vector<Tensor>& g) -> std::vector<Tensor> {
                  const Tensor& ids = saved_ids.get("gather_rows");
                  const std::int64_t* id = ids.data<std::int64_t>();
                  const std::int64_t columns = table_shape[1];
                  Tensor d_table = Tensor::zeros(table_shape, g[0].dtype());
                  detail::dispatch_float("gather_rows", g[0].dtype(), [&](auto zero) {
                    using T = decltype(zero);
                    const T* grad = g[0].data<T>();
                    T* d = d_table.mutable_data<T>();
                    // Repeated ids each add their row's gradient.
                    for (std::int64_t i = 0; i < ids.numel(); ++i) {
                      T* row = d + id[i] * columns;
                      std::transform(row, row + columns, grad + i * columns, row, std::plus<T>());
                    }
                  });
                  return {d_table};
                });
}

}  // namespace rnnkit

#include <fmt/format.h>
#include <rnnkit/framework/config_reader.h>

#include <Eigen/Core>
#include <Eigen/QR>
#include <algorithm>
#include <span>
#include <stdexcept>

#include "checks.h"
#include "rnnkit/initializers/initializers.h"

namespace rnnkit::initializers {
namespace {

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double sign(double x) { return static_cast<double>((x > 0) - (x < 0)); }

}  // namespace

Orthogonal::Orthogonal(OrthogonalOptions options)
    : RandomInitializer(options.seed), gain_(options.gain) {
  detail::require_finite("Orthogonal", "gain", gain_);
}

Tensor Orthogonal::operator()(const Shape& shape, DType dtype) const {
  if (shape.size() < 2) {
    throw std::invalid_argument(
        fmt::format("Orthogonal: expected a shape of rank >= 2, got {} (rank {})", shape_str(shape),
                    shape.size()));
  }
  detail::require_valid_shape("Orthogonal", shape);
  detail::require_floating("Orthogonal", dtype);
  if (numel(shape) == 0) return Tensor::zeros(shape, dtype);
  const std::int64_t cols = shape.back();
  const std::int64_t rows = numel(Shape(shape.begin(), shape.end() - 1));
  const std::int64_t long_side = std::max(rows, cols);
  const std::int64_t short_side = std::min(rows, cols);

  const auto samples = draw(long_side * short_side, [](Generator& g) { return g.normal(); });
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(
      Eigen::Map<const RowMajorMatrix>(samples.data(), long_side, short_side));
  // Reduced QR: the first `short_side` columns of Q. Flipping each column by the sign of R's
  // diagonal makes Q unique, hence uniformly distributed over the orthogonal matrices (spec §4).
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(long_side, short_side);
  for (Eigen::Index j = 0; j < short_side; ++j) q.col(j) *= sign(qr.matrixQR()(j, j));
  RowMajorMatrix out = rows < cols ? RowMajorMatrix(q.transpose()) : RowMajorMatrix(q);
  out *= gain_;
  return Tensor::from_values(
      shape, std::span<const double>(out.data(), static_cast<std::size_t>(out.size())), dtype);
}

Config Orthogonal::get_config() const { return {{"gain", gain_}, {"seed", seed_config()}}; }

Orthogonal Orthogonal::from_config(const Config& config) {
  ConfigReader reader("Orthogonal config", config);
  OrthogonalOptions options;
  options.gain = reader.number("gain", options.gain);
  options.seed = reader.seed("seed");
  reader.drop("dtype");
  reader.finish();
  return Orthogonal(options);
}

}  // namespace rnnkit::initializers

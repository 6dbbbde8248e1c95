#pragma once

#include <rnnkit/framework/random.h>
#include <rnnkit/initializers/initializer.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

/// The Keras initializers (spec §4). Each is also reachable by name through AnyInitializer, and
/// each has Keras's get_config() and a static from_config() that takes it back (keys left out
/// take the defaults, "dtype" is dropped as Keras does, any other key throws
/// std::invalid_argument); initializers::serialize/deserialize wrap them.
namespace rnnkit::initializers {

/// Fans of a weight shape (spec §4): rank 0 → 1, 1; [n] → n, n; [a, b] → a, b; rank k > 2 →
/// shape[-2]·R, shape[-1]·R with R the product of shape[0…k-3].
struct Fans {
  std::int64_t fan_in = 1;
  std::int64_t fan_out = 1;
};
Fans compute_fans(const Shape& shape);

/// Keras Zeros ("zeros", "zero"): 0 everywhere; any dtype.
class Zeros : public Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "Zeros"; }
  static Zeros from_config(const Config& config);
};

/// Keras Ones ("ones", "one"): 1 everywhere; any dtype.
class Ones : public Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "Ones"; }
  static Ones from_config(const Config& config);
};

/// Keras Constant(value=0) ("constant"): `value` everywhere; any dtype.
class Constant : public Initializer {
 public:
  explicit Constant(double value = 0.0) : value_(value) {}
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "Constant"; }
  /// {"value"}, a whole value written as an integer like Keras's default `value=0`.
  Config get_config() const override;
  static Constant from_config(const Config& config);
  double value() const { return value_; }

 private:
  double value_;
};

/// Options of Identity, in Keras order.
struct IdentityOptions {
  double gain = 1.0;
};

/// Keras Identity(gain=1) ("identity"): a 2-D matrix with `gain` on the main diagonal (i, i),
/// i < min(rows, cols), and 0 elsewhere. Floating dtypes only.
class Identity : public Initializer {
 public:
  explicit Identity(IdentityOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "Identity"; }
  /// {"gain"}.
  Config get_config() const override;
  static Identity from_config(const Config& config);
  double gain() const { return gain_; }

 private:
  double gain_;
};

/// Base of the random initializers. It owns one random stream, seeded from `seed` or, when
/// none is given, from the global generator (rnnkit::resolve_seed) at the first call, so
/// set_global_seed makes a program reproducible. As in Keras 2.9 the stream is stateful: every
/// call draws new values. Copies share the stream (like one Python object referenced twice),
/// and concurrent calls are serialised.
class RandomInitializer : public Initializer {
 public:
  /// The seed given at construction, if any.
  std::optional<std::uint64_t> seed() const { return seed_; }

 protected:
  explicit RandomInitializer(std::optional<std::uint64_t> seed);
  /// The seed as get_config() writes it: the number, or null.
  Config seed_config() const;
  /// `count` values of `sample`, drawn from the stream while holding its lock.
  std::vector<double> draw(std::int64_t count,
                           const std::function<double(Generator&)>& sample) const;

 private:
  struct Stream;
  std::optional<std::uint64_t> seed_;
  std::shared_ptr<Stream> stream_;
};

/// Options of RandomUniform, in Keras order.
struct RandomUniformOptions {
  double minval = -0.05;
  double maxval = 0.05;
  std::optional<std::uint64_t> seed = std::nullopt;
};

/// Keras RandomUniform ("random_uniform", "uniform"): U[minval, maxval). Floating dtypes only.
class RandomUniform : public RandomInitializer {
 public:
  explicit RandomUniform(RandomUniformOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "RandomUniform"; }
  /// {"minval", "maxval", "seed"}.
  Config get_config() const override;
  static RandomUniform from_config(const Config& config);
  double minval() const { return minval_; }
  double maxval() const { return maxval_; }

 private:
  double minval_;
  double maxval_;
};

/// Options of RandomNormal, in Keras order.
struct RandomNormalOptions {
  double mean = 0.0;
  double stddev = 0.05;
  std::optional<std::uint64_t> seed = std::nullopt;
};

/// Keras RandomNormal ("random_normal", "normal"): N(mean, stddev²). Floating dtypes only.
class RandomNormal : public RandomInitializer {
 public:
  explicit RandomNormal(RandomNormalOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "RandomNormal"; }
  /// {"mean", "stddev", "seed"}.
  Config get_config() const override;
  static RandomNormal from_config(const Config& config);
  double mean() const { return mean_; }
  double stddev() const { return stddev_; }

 private:
  double mean_;
  double stddev_;
};

/// Options of TruncatedNormal, in Keras order.
struct TruncatedNormalOptions {
  double mean = 0.0;
  double stddev = 0.05;
  std::optional<std::uint64_t> seed = std::nullopt;
};

/// Keras TruncatedNormal ("truncated_normal"): N(mean, stddev²) with every draw farther than
/// 2·stddev from the mean redrawn. Floating dtypes only.
class TruncatedNormal : public RandomInitializer {
 public:
  explicit TruncatedNormal(TruncatedNormalOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "TruncatedNormal"; }
  /// {"mean", "stddev", "seed"}.
  Config get_config() const override;
  static TruncatedNormal from_config(const Config& config);
  double mean() const { return mean_; }
  double stddev() const { return stddev_; }

 private:
  double mean_;
  double stddev_;
};

/// Options of VarianceScaling, in Keras order. `mode` is "fan_in", "fan_out" or "fan_avg"
/// (case-sensitive); `distribution` is "truncated_normal" (alias "normal"),
/// "untruncated_normal" or "uniform" (case-insensitive).
struct VarianceScalingOptions {
  double scale = 1.0;
  std::string mode = "fan_in";
  std::string distribution = "truncated_normal";
  std::optional<std::uint64_t> seed = std::nullopt;
};

/// Keras VarianceScaling ("variance_scaling"): with n the fan picked by `mode` and
/// s = scale / max(1, n), draws truncated N(0, (√s / 0.8796…)²) cut at ±2σ, N(0, s), or
/// U[-√(3s), √(3s)]. Floating dtypes only.
class VarianceScaling : public RandomInitializer {
 public:
  explicit VarianceScaling(VarianceScalingOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "VarianceScaling"; }
  /// {"scale", "mode", "distribution", "seed"}.
  Config get_config() const override;
  static VarianceScaling from_config(const Config& config);
  double scale() const { return scale_; }
  const std::string& mode() const { return mode_; }
  /// Lower-cased, with "normal" resolved to "truncated_normal".
  const std::string& distribution() const { return distribution_; }

 private:
  double scale_;
  std::string mode_;
  std::string distribution_;
};

/// Options of the initializers whose only argument is the seed (Glorot, He, Lecun).
struct SeedOptions {
  std::optional<std::uint64_t> seed = std::nullopt;
};

/// Keras GlorotUniform ("glorot_uniform"): VarianceScaling(1, fan_avg, uniform),
/// U[-L, L] with L = √(6 / (fan_in + fan_out)).
class GlorotUniform : public VarianceScaling {
 public:
  explicit GlorotUniform(SeedOptions options = {});
  std::string class_name() const override { return "GlorotUniform"; }
  /// {"seed"}.
  Config get_config() const override;
  static GlorotUniform from_config(const Config& config);
};

/// Keras GlorotNormal ("glorot_normal"): VarianceScaling(1, fan_avg, truncated_normal).
class GlorotNormal : public VarianceScaling {
 public:
  explicit GlorotNormal(SeedOptions options = {});
  std::string class_name() const override { return "GlorotNormal"; }
  /// {"seed"}.
  Config get_config() const override;
  static GlorotNormal from_config(const Config& config);
};

/// Keras HeUniform ("he_uniform"): VarianceScaling(2, fan_in, uniform), L = √(6 / fan_in).
class HeUniform : public VarianceScaling {
 public:
  explicit HeUniform(SeedOptions options = {});
  std::string class_name() const override { return "HeUniform"; }
  /// {"seed"}.
  Config get_config() const override;
  static HeUniform from_config(const Config& config);
};

/// Keras HeNormal ("he_normal"): VarianceScaling(2, fan_in, truncated_normal).
class HeNormal : public VarianceScaling {
 public:
  explicit HeNormal(SeedOptions options = {});
  std::string class_name() const override { return "HeNormal"; }
  /// {"seed"}.
  Config get_config() const override;
  static HeNormal from_config(const Config& config);
};

/// Keras LecunUniform ("lecun_uniform"): VarianceScaling(1, fan_in, uniform),
/// L = √(3 / fan_in).
class LecunUniform : public VarianceScaling {
 public:
  explicit LecunUniform(SeedOptions options = {});
  std::string class_name() const override { return "LecunUniform"; }
  /// {"seed"}.
  Config get_config() const override;
  static LecunUniform from_config(const Config& config);
};

/// Keras LecunNormal ("lecun_normal"): VarianceScaling(1, fan_in, truncated_normal).
class LecunNormal : public VarianceScaling {
 public:
  explicit LecunNormal(SeedOptions options = {});
  std::string class_name() const override { return "LecunNormal"; }
  /// {"seed"}.
  Config get_config() const override;
  static LecunNormal from_config(const Config& config);
};

/// Options of Orthogonal, in Keras order.
struct OrthogonalOptions {
  double gain = 1.0;
  std::optional<std::uint64_t> seed = std::nullopt;
};

/// Keras Orthogonal(gain=1) ("orthogonal"): for a shape of rank >= 2 viewed as rows × cols
/// (cols = last dim), `gain` times a matrix with orthonormal columns (rows >= cols) or rows
/// (rows < cols), from the QR decomposition of a standard normal matrix with the signs of Q's
/// columns fixed by sign(diag R). Floating dtypes only.
class Orthogonal : public RandomInitializer {
 public:
  explicit Orthogonal(OrthogonalOptions options = {});
  Tensor operator()(const Shape& shape, DType dtype = DType::f32) const override;
  std::string class_name() const override { return "Orthogonal"; }
  /// {"gain", "seed"}.
  Config get_config() const override;
  static Orthogonal from_config(const Config& config);
  double gain() const { return gain_; }

 private:
  double gain_;
};

}  // namespace rnnkit::initializers

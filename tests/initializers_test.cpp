#define BOOST_TEST_MODULE initializers
#include <rnnkit/framework/random.h>
#include <rnnkit/initializers/initializers.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numbers>
#include <set>
#include <thread>

#include "test_support.h"

using namespace rnnkit;
using namespace rnnkit::initializers;
namespace data = boost::unit_test::data;

namespace {

// Sample moments and their standard errors. Every statistical check below allows 5 standard
// errors: SE(mean) = σ/√N with σ² from the formula under test, SE(variance) = √((m4 - m2²)/N)
// from the sample's own fourth central moment. The seeds are fixed, so the checks are
// deterministic; a wrong formula (a factor of 2 in scale, a wrong fan) is hundreds of SEs off.
struct Moments {
  double mean = 0;
  double variance = 0;
  double se_variance = 0;
  double min = 0;
  double max = 0;
  double n = 0;
};

Moments moments(const Tensor& t) {
  const auto v = t.to_vector();
  Moments m;
  m.n = static_cast<double>(v.size());
  for (double x : v) m.mean += x;
  m.mean /= m.n;
  double m4 = 0;
  for (double x : v) {
    const double d = x - m.mean;
    m.variance += d * d;
    m4 += d * d * d * d;
  }
  m.variance /= m.n;
  m4 /= m.n;
  m.se_variance = std::sqrt((m4 - m.variance * m.variance) / m.n);
  m.min = *std::min_element(v.begin(), v.end());
  m.max = *std::max_element(v.begin(), v.end());
  return m;
}

void check_mean_and_variance(const Moments& m, double mean, double variance) {
  const double se_mean = std::sqrt(variance / m.n);
  BOOST_TEST(std::abs(m.mean - mean) <= 5 * se_mean,
             "mean " << m.mean << " vs " << mean << " (5 SE = " << 5 * se_mean << ")");
  BOOST_TEST(
      std::abs(m.variance - variance) <= 5 * m.se_variance,
      "variance " << m.variance << " vs " << variance << " (5 SE = " << 5 * m.se_variance << ")");
}

// Variance of a unit normal truncated to [-2, 2]: 1 - 2·2·φ(2) / (Φ(2) - Φ(-2)).
double truncated_unit_variance() {
  const double phi2 = std::exp(-2.0) / std::sqrt(2.0 * std::numbers::pi);
  return 1.0 - 4.0 * phi2 / std::erf(2.0 / std::sqrt(2.0));
}

// The closed interval [low, high] as the dtype rounds it.
double round_to(double value, DType dtype) {
  return dtype == DType::f32 ? static_cast<double>(static_cast<float>(value)) : value;
}

const Shape big_matrix{400, 500};
const auto float_dtypes = data::make({DType::f32, DType::f64});

bool same_values(const Tensor& a, const Tensor& b) { return a.to_vector() == b.to_vector(); }

// A shape as a data-test sample (Boost prints each case).
struct ShapeCase {
  Shape shape;
};
std::ostream& operator<<(std::ostream& out, const ShapeCase& c) {
  return out << shape_str(c.shape);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fans)

BOOST_AUTO_TEST_CASE(fans_follow_spec_for_ranks_0_to_4) {
  const std::vector<std::tuple<Shape, std::int64_t, std::int64_t>> cases{
      {{}, 1, 1},
      {{7}, 7, 7},
      {{3, 5}, 3, 5},
      {{2, 3, 5}, 3 * 2, 5 * 2},
      {{2, 3, 4, 5}, 4 * 2 * 3, 5 * 2 * 3},
  };
  for (const auto& [shape, fan_in, fan_out] : cases) {
    const Fans fans = compute_fans(shape);
    BOOST_TEST(fans.fan_in == fan_in, shape_str(shape));
    BOOST_TEST(fans.fan_out == fan_out, shape_str(shape));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(deterministic)

BOOST_DATA_TEST_CASE(zeros_ones_constant_fill_every_element, float_dtypes, dtype) {
  for (double v : Zeros()({3, 4}, dtype).to_vector()) BOOST_TEST(v == 0.0);
  for (double v : Ones()({3, 4}, dtype).to_vector()) BOOST_TEST(v == 1.0);
  const Tensor c = Constant(2.5)({2, 3, 4}, dtype);
  BOOST_TEST(c.dtype() == dtype);
  BOOST_TEST((c.shape() == Shape{2, 3, 4}));
  for (double v : c.to_vector()) BOOST_TEST(v == 2.5);
  BOOST_TEST(Constant().get_config().at("value") == 0.0);
}

BOOST_AUTO_TEST_CASE(zeros_and_ones_accept_integer_dtypes) {
  const Tensor z = Zeros()({4}, DType::i64);
  BOOST_TEST(z.dtype() == DType::i64);
  BOOST_TEST((z.to_vector() == std::vector<double>{0, 0, 0, 0}));
  BOOST_TEST((Ones()({2}, DType::i64).to_vector() == std::vector<double>{1, 1}));
}

BOOST_DATA_TEST_CASE(identity_puts_gain_on_the_main_diagonal,
                     data::make({ShapeCase{{3, 3}}, ShapeCase{{2, 4}}, ShapeCase{{4, 2}}}) *
                         float_dtypes,
                     shape_case, dtype) {
  const Shape& shape = shape_case.shape;
  const Tensor w = Identity({.gain = 1.5})(shape, dtype);
  BOOST_TEST(w.dtype() == dtype);
  for (std::int64_t i = 0; i < shape[0]; ++i) {
    for (std::int64_t j = 0; j < shape[1]; ++j) {
      BOOST_TEST(w.at({i, j}) == (i == j ? 1.5 : 0.0));
    }
  }
  BOOST_TEST(Identity().get_config().at("gain") == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(distributions)

BOOST_DATA_TEST_CASE(random_uniform_is_uniform_on_the_half_open_interval, float_dtypes, dtype) {
  const double minval = -0.3, maxval = 0.7;
  const Tensor w =
      RandomUniform({.minval = minval, .maxval = maxval, .seed = 11})(big_matrix, dtype);
  BOOST_TEST(w.dtype() == dtype);
  const Moments m = moments(w);
  BOOST_TEST(m.min >= round_to(minval, dtype));
  BOOST_TEST(m.max < round_to(maxval, dtype));
  // With 200000 draws the extremes come within 1e-4 of the bounds (P(miss) = e^-20).
  BOOST_TEST(m.min - minval < 1e-4);
  BOOST_TEST(maxval - m.max < 1e-4);
  check_mean_and_variance(m, (minval + maxval) / 2, (maxval - minval) * (maxval - minval) / 12);
}

BOOST_AUTO_TEST_CASE(random_uniform_defaults_to_plus_minus_0_05) {
  const RandomUniform init;
  BOOST_TEST(init.minval() == -0.05);
  BOOST_TEST(init.maxval() == 0.05);
  const Moments m = moments(RandomUniform({.seed = 3})(big_matrix));
  BOOST_TEST(m.min >= round_to(-0.05, DType::f32));
  BOOST_TEST(m.max < round_to(0.05, DType::f32));
  check_mean_and_variance(m, 0.0, 0.1 * 0.1 / 12);
}

BOOST_DATA_TEST_CASE(random_normal_has_the_given_mean_and_stddev, float_dtypes, dtype) {
  const Moments m =
      moments(RandomNormal({.mean = 0.5, .stddev = 2.0, .seed = 12})(big_matrix, dtype));
  check_mean_and_variance(m, 0.5, 4.0);
  // An untruncated normal reaches beyond 2 stddev (4.6% of draws).
  BOOST_TEST(std::max(m.max - 0.5, 0.5 - m.min) > 4.0);
  const RandomNormal defaults;
  BOOST_TEST(defaults.mean() == 0.0);
  BOOST_TEST(defaults.stddev() == 0.05);
}

BOOST_DATA_TEST_CASE(truncated_normal_never_leaves_two_stddev, float_dtypes, dtype) {
  const double mean = 1.0, stddev = 0.5;
  const Moments m =
      moments(TruncatedNormal({.mean = mean, .stddev = stddev, .seed = 13})(big_matrix, dtype));
  BOOST_TEST(m.min >= round_to(mean - 2 * stddev, dtype));
  BOOST_TEST(m.max <= round_to(mean + 2 * stddev, dtype));
  check_mean_and_variance(m, mean, stddev * stddev * truncated_unit_variance());
  const TruncatedNormal defaults;
  BOOST_TEST(defaults.stddev() == 0.05);
}

BOOST_DATA_TEST_CASE(variance_scaling_matches_the_formula_for_every_mode_and_distribution,
                     data::make({"fan_in", "fan_out", "fan_avg"}) *
                         data::make({"truncated_normal", "untruncated_normal", "uniform"}) *
                         data::make({0.5, 3.0}),
                     mode, distribution, scale) {
  // A rank-4 kernel: fan_in = 40·3·3 = 360, fan_out = 50·3·3 = 450.
  const Shape shape{3, 3, 40, 50};
  const double n = std::string(mode) == "fan_in"    ? 360.0
                   : std::string(mode) == "fan_out" ? 450.0
                                                    : 405.0;
  const double s = scale / n;
  const VarianceScaling init(
      {.scale = scale, .mode = mode, .distribution = distribution, .seed = 21});
  const Moments m = moments(init(shape, DType::f64));
  check_mean_and_variance(m, 0.0, s);
  const std::string dist = distribution;
  if (dist == "uniform") {
    const double limit = std::sqrt(3 * s);
    BOOST_TEST(m.min >= -limit);
    BOOST_TEST(m.max < limit);
    BOOST_TEST(limit - m.max < 1e-3 * limit);
  } else if (dist == "truncated_normal") {
    const double sigma = std::sqrt(s / truncated_unit_variance());
    BOOST_TEST(std::max(-m.min, m.max) <= 2 * sigma);
  } else {
    BOOST_TEST(std::max(-m.min, m.max) > 2.5 * std::sqrt(s));
  }
}

BOOST_AUTO_TEST_CASE(variance_scaling_uses_fan_n_for_rank_1_and_1_for_rank_0) {
  const Moments vector = moments(
      VarianceScaling({.scale = 4.0, .distribution = "uniform", .seed = 2})({100000}, DType::f64));
  check_mean_and_variance(vector, 0.0, 4.0 / 100000);
  // Rank 0 has fan 1, so s = scale; the stateful stream gives a new scalar per call.
  const VarianceScaling scalar({.scale = 0.25, .distribution = "uniform", .seed = 2});
  std::vector<double> draws;
  for (int i = 0; i < 20000; ++i) draws.push_back(scalar({}, DType::f64).item());
  check_mean_and_variance(moments(Tensor::from_values({20000}, draws, DType::f64)), 0.0, 0.25);
}

BOOST_AUTO_TEST_CASE(variance_scaling_distribution_is_case_insensitive_with_normal_alias) {
  BOOST_TEST(VarianceScaling({.distribution = "Normal"}).distribution() == "truncated_normal");
  BOOST_TEST(VarianceScaling({.distribution = "UNIFORM"}).distribution() == "uniform");
  const VarianceScaling defaults;
  BOOST_TEST(defaults.scale() == 1.0);
  BOOST_TEST(defaults.mode() == "fan_in");
  BOOST_TEST(defaults.distribution() == "truncated_normal");
}

struct Preset {
  const char* name;
  const char* class_name;
  double scale;
  const char* mode;
  bool uniform;
};

std::ostream& operator<<(std::ostream& out, const Preset& p) { return out << p.name; }

const std::vector<Preset> presets{
    {"glorot_uniform", "GlorotUniform", 1.0, "fan_avg", true},
    {"glorot_normal", "GlorotNormal", 1.0, "fan_avg", false},
    {"he_uniform", "HeUniform", 2.0, "fan_in", true},
    {"he_normal", "HeNormal", 2.0, "fan_in", false},
    {"lecun_uniform", "LecunUniform", 1.0, "fan_in", true},
    {"lecun_normal", "LecunNormal", 1.0, "fan_in", false},
};

BOOST_DATA_TEST_CASE(glorot_he_lecun_by_name_match_their_variance_scaling, data::make(presets),
                     preset) {
  set_global_seed(99);
  const AnyInitializer init(preset.name);
  BOOST_TEST(init.get().class_name() == preset.class_name);
  const auto& vs = dynamic_cast<const VarianceScaling&>(init.get());
  BOOST_TEST(vs.scale() == preset.scale);
  BOOST_TEST(vs.mode() == preset.mode);
  BOOST_TEST(vs.distribution() == (preset.uniform ? "uniform" : "truncated_normal"));
  // [fan_in, fan_out] = [300, 700]
  const double fan_in = 300, fan_out = 700;
  const double n = std::string(preset.mode) == "fan_avg" ? (fan_in + fan_out) / 2 : fan_in;
  const double s = preset.scale / n;
  const Moments m = moments(init({300, 700}, DType::f64));
  check_mean_and_variance(m, 0.0, s);
  if (preset.uniform) {
    // Keras's documented limits: √(6/(fan_in+fan_out)), √(6/fan_in), √(3/fan_in).
    const double limit = std::string(preset.name) == "glorot_uniform"
                             ? std::sqrt(6 / (fan_in + fan_out))
                         : std::string(preset.name) == "he_uniform" ? std::sqrt(6 / fan_in)
                                                                    : std::sqrt(3 / fan_in);
    BOOST_TEST(std::max(-m.min, m.max) < limit);
    BOOST_TEST(limit - m.max < 1e-3 * limit);
  } else {
    BOOST_TEST(std::max(-m.min, m.max) <= 2 * std::sqrt(s / truncated_unit_variance()));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(orthogonal)

// max |WᵀW - g²I| for tall W (orthonormal columns) or |WWᵀ - g²I| for wide W, relative to g².
double orthogonality_error(const Tensor& w, double gain) {
  const std::int64_t cols = w.shape().back();
  const std::int64_t rows = w.numel() / cols;
  const auto v = w.to_vector();
  const bool tall = rows >= cols;
  const std::int64_t k = tall ? cols : rows;
  const std::int64_t len = tall ? rows : cols;
  const auto element = [&](std::int64_t vector, std::int64_t i) {
    return tall ? v[static_cast<std::size_t>(i * cols + vector)]
                : v[static_cast<std::size_t>(vector * cols + i)];
  };
  double worst = 0;
  for (std::int64_t a = 0; a < k; ++a) {
    for (std::int64_t b = 0; b < k; ++b) {
      double dot = 0;
      for (std::int64_t i = 0; i < len; ++i) dot += element(a, i) * element(b, i);
      worst = std::max(worst, std::abs(dot / (gain * gain) - (a == b ? 1.0 : 0.0)));
    }
  }
  return worst;
}

BOOST_DATA_TEST_CASE(orthogonal_is_orthonormal_for_square_tall_wide_and_rank_3,
                     data::make({ShapeCase{{64, 64}}, ShapeCase{{200, 50}}, ShapeCase{{50, 200}},
                                 ShapeCase{{4, 5, 30}}, ShapeCase{{2, 3, 4}}}) *
                         data::make({1.0, 2.5}) * float_dtypes,
                     shape_case, gain, dtype) {
  const Shape& shape = shape_case.shape;
  const Tensor w = Orthogonal({.gain = gain, .seed = 5})(shape, dtype);
  BOOST_TEST((w.shape() == shape));
  BOOST_TEST(w.dtype() == dtype);
  BOOST_TEST(orthogonality_error(w, gain) < 1e-5);
}

BOOST_AUTO_TEST_CASE(orthogonal_entries_spread_like_a_random_rotation) {
  // Each entry of a Haar-random n×n orthogonal matrix has mean 0 and variance 1/n; a QR without
  // the sign correction would bias the diagonal positive.
  const Tensor w = Orthogonal({.seed = 8})({300, 300}, DType::f64);
  check_mean_and_variance(moments(w), 0.0, 1.0 / 300);
  double diagonal = 0;
  for (std::int64_t i = 0; i < 300; ++i) diagonal += w.at({i, i});
  // The trace of a Haar orthogonal matrix has mean 0 and variance 1.
  BOOST_TEST(std::abs(diagonal) < 5.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(seeding)

const std::vector<const char*> random_names{
    "random_uniform", "random_normal", "truncated_normal", "variance_scaling",
    "glorot_uniform", "glorot_normal", "he_uniform",       "he_normal",
    "lecun_uniform",  "lecun_normal",  "orthogonal"};

AnyInitializer seeded(std::string_view name, std::uint64_t seed) {
  const std::string n(name);
  if (n == "random_uniform") return RandomUniform({.seed = seed});
  if (n == "random_normal") return RandomNormal({.seed = seed});
  if (n == "truncated_normal") return TruncatedNormal({.seed = seed});
  if (n == "variance_scaling") return VarianceScaling({.seed = seed});
  if (n == "glorot_uniform") return GlorotUniform({.seed = seed});
  if (n == "glorot_normal") return GlorotNormal({.seed = seed});
  if (n == "he_uniform") return HeUniform({.seed = seed});
  if (n == "he_normal") return HeNormal({.seed = seed});
  if (n == "lecun_uniform") return LecunUniform({.seed = seed});
  if (n == "lecun_normal") return LecunNormal({.seed = seed});
  return Orthogonal({.seed = seed});
}

BOOST_DATA_TEST_CASE(equal_seeds_give_equal_streams_and_each_call_draws_anew,
                     data::make(random_names), name) {
  const AnyInitializer a = seeded(name, 42);
  const AnyInitializer b = seeded(name, 42);
  const AnyInitializer c = seeded(name, 43);
  const Tensor a1 = a({6, 5}), a2 = a({6, 5});
  BOOST_TEST(same_values(a1, b({6, 5})));
  BOOST_TEST(same_values(a2, b({6, 5})));
  BOOST_TEST(!same_values(a1, a2));
  BOOST_TEST(!same_values(a1, c({6, 5})));
  BOOST_TEST(a.get().get_config().at("seed") == 42.0);
}

BOOST_DATA_TEST_CASE(set_global_seed_makes_unseeded_initializers_reproducible,
                     data::make(random_names), name) {
  const auto run = [&] {
    const AnyInitializer first(name), second(name);
    return std::vector<Tensor>{first({4, 3}), second({4, 3}), first({4, 3})};
  };
  set_global_seed(1234);
  const auto x = run();
  set_global_seed(1234);
  const auto y = run();
  set_global_seed(4321);
  const auto z = run();
  for (std::size_t i = 0; i < x.size(); ++i) {
    BOOST_TEST(same_values(x[i], y[i]));
    BOOST_TEST(!same_values(x[i], z[i]));
  }
  BOOST_TEST(!same_values(x[0], x[1]));
  BOOST_TEST(AnyInitializer(name).get().get_config().at("seed").is_null());
}

BOOST_AUTO_TEST_CASE(copies_share_one_stream) {
  const GlorotUniform original({.seed = 7});
  const GlorotUniform copy = original;
  const GlorotUniform fresh({.seed = 7});
  BOOST_TEST(same_values(original({5, 5}), fresh({5, 5})));
  BOOST_TEST(same_values(copy({5, 5}), fresh({5, 5})));
}

BOOST_AUTO_TEST_CASE(concurrent_calls_each_take_a_whole_chunk_of_the_stream) {
  const RandomNormal shared({.seed = 77});
  std::vector<Tensor> results(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = shared({1000}); });
  }
  for (auto& thread : threads) thread.join();
  const RandomNormal sequential({.seed = 77});
  std::vector<std::vector<double>> expected;
  for (std::size_t i = 0; i < results.size(); ++i)
    expected.push_back(sequential({1000}).to_vector());
  std::set<std::size_t> matched;
  for (const auto& result : results) {
    const auto it = std::find(expected.begin(), expected.end(), result.to_vector());
    BOOST_TEST_REQUIRE((it != expected.end()));
    matched.insert(static_cast<std::size_t>(it - expected.begin()));
  }
  BOOST_TEST(matched.size() == results.size());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(names)

BOOST_AUTO_TEST_CASE(every_name_resolves_to_its_class) {
  const std::map<std::string, std::string> expected{
      {"Zeros", "Zeros"},
      {"zeros", "Zeros"},
      {"zero", "Zeros"},
      {"ZerosV2", "Zeros"},
      {"Ones", "Ones"},
      {"ones", "Ones"},
      {"one", "Ones"},
      {"OnesV2", "Ones"},
      {"Constant", "Constant"},
      {"constant", "Constant"},
      {"ConstantV2", "Constant"},
      {"RandomUniform", "RandomUniform"},
      {"random_uniform", "RandomUniform"},
      {"uniform", "RandomUniform"},
      {"RandomUniformV2", "RandomUniform"},
      {"RandomNormal", "RandomNormal"},
      {"random_normal", "RandomNormal"},
      {"normal", "RandomNormal"},
      {"RandomNormalV2", "RandomNormal"},
      {"TruncatedNormal", "TruncatedNormal"},
      {"truncated_normal", "TruncatedNormal"},
      {"TruncatedNormalV2", "TruncatedNormal"},
      {"VarianceScaling", "VarianceScaling"},
      {"variance_scaling", "VarianceScaling"},
      {"VarianceScalingV2", "VarianceScaling"},
      {"GlorotUniform", "GlorotUniform"},
      {"glorot_uniform", "GlorotUniform"},
      {"GlorotUniformV2", "GlorotUniform"},
      {"glorot_uniformV2", "GlorotUniform"},
      {"GlorotNormal", "GlorotNormal"},
      {"glorot_normal", "GlorotNormal"},
      {"GlorotNormalV2", "GlorotNormal"},
      {"glorot_normalV2", "GlorotNormal"},
      {"HeUniform", "HeUniform"},
      {"he_uniform", "HeUniform"},
      {"HeUniformV2", "HeUniform"},
      {"he_uniformV2", "HeUniform"},
      {"HeNormal", "HeNormal"},
      {"he_normal", "HeNormal"},
      {"HeNormalV2", "HeNormal"},
      {"he_normalV2", "HeNormal"},
      {"LecunUniform", "LecunUniform"},
      {"lecun_uniform", "LecunUniform"},
      {"LecunUniformV2", "LecunUniform"},
      {"lecun_uniformV2", "LecunUniform"},
      {"LecunNormal", "LecunNormal"},
      {"lecun_normal", "LecunNormal"},
      {"LecunNormalV2", "LecunNormal"},
      {"lecun_normalV2", "LecunNormal"},
      {"Orthogonal", "Orthogonal"},
      {"orthogonal", "Orthogonal"},
      {"OrthogonalV2", "Orthogonal"},
      {"OrthogonalInitializer", "Orthogonal"},
      {"Identity", "Identity"},
      {"identity", "Identity"},
      {"IdentityV2", "Identity"},
  };
  for (const auto& [name, class_name] : expected) {
    BOOST_TEST(AnyInitializer(name).get().class_name() == class_name, name);
  }
  std::vector<std::string> all;
  for (const auto& entry : expected) all.push_back(entry.first);
  BOOST_TEST(AnyInitializer::names() == all);
}

BOOST_AUTO_TEST_CASE(names_give_keras_default_arguments) {
  const AnyInitializer uniform("uniform"), normal("normal"), orthogonal("orthogonal"),
      constant("constant");
  BOOST_TEST(dynamic_cast<const RandomUniform&>(uniform.get()).minval() == -0.05);
  BOOST_TEST(dynamic_cast<const RandomUniform&>(uniform.get()).maxval() == 0.05);
  BOOST_TEST(dynamic_cast<const RandomNormal&>(normal.get()).stddev() == 0.05);
  BOOST_TEST(dynamic_cast<const Orthogonal&>(orthogonal.get()).gain() == 1.0);
  BOOST_TEST(dynamic_cast<const Constant&>(constant.get()).value() == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(user_initializers)

class Halves : public Initializer {
 public:
  Tensor operator()(const Shape& shape, DType dtype) const override {
    return Tensor::full(shape, 0.5, dtype);
  }
  std::string class_name() const override { return "Halves"; }
};

BOOST_AUTO_TEST_CASE(a_subclass_and_a_callable_work_through_the_handle) {
  const AnyInitializer by_class = Halves();
  BOOST_TEST(by_class.get().class_name() == "Halves");
  for (double v : by_class({2, 3}, DType::f64).to_vector()) BOOST_TEST(v == 0.5);

  const AnyInitializer by_function = [](const Shape& shape, DType dtype) {
    return Tensor::full(shape, static_cast<double>(numel(shape)), dtype);
  };
  BOOST_TEST(by_function.get().class_name() == "custom");
  for (double v : by_function({2, 3}).to_vector()) BOOST_TEST(v == 6.0);

  const AnyInitializer shared(std::make_shared<const Halves>());
  BOOST_TEST(shared({1}).item() == 0.5);
}

BOOST_AUTO_TEST_CASE(a_callable_returning_the_wrong_shape_is_reported) {
  const AnyInitializer wrong = [](const Shape&, DType dtype) { return Tensor::zeros({1}, dtype); };
  RNNKIT_CHECK_THROWS(wrong({2, 2}), std::invalid_argument, "initializer custom", "[2, 2]", "[1]");
  RNNKIT_CHECK_THROWS((void)AnyInitializer(std::shared_ptr<const Initializer>()),
                      std::invalid_argument, "null pointer");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(unknown_names_throw_and_list_the_valid_ones) {
  RNNKIT_CHECK_THROWS(AnyInitializer("glorot"), std::invalid_argument, "initializer",
                      "unknown name \"glorot\"", "glorot_uniform", "orthogonal", "zeros");
  RNNKIT_CHECK_THROWS(AnyInitializer("Glorot_Uniform"), std::invalid_argument, "unknown name");
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw_at_construction) {
  RNNKIT_CHECK_THROWS(RandomNormal({.stddev = -1.0}), std::invalid_argument, "RandomNormal",
                      "stddev must be non-negative", "-1");
  RNNKIT_CHECK_THROWS(TruncatedNormal({.stddev = -0.5}), std::invalid_argument, "TruncatedNormal",
                      "stddev", "-0.5");
  RNNKIT_CHECK_THROWS(RandomNormal({.mean = NAN}), std::invalid_argument, "mean", "finite");
  RNNKIT_CHECK_THROWS(RandomUniform({.minval = 1.0, .maxval = 0.5}), std::invalid_argument,
                      "RandomUniform", "minval <= maxval", "minval=1", "maxval=0.5");
  RNNKIT_CHECK_THROWS(VarianceScaling({.scale = 0.0}), std::invalid_argument, "VarianceScaling",
                      "scale must be a positive", "got 0");
  RNNKIT_CHECK_THROWS(VarianceScaling({.scale = -2.0}), std::invalid_argument, "scale", "-2");
  RNNKIT_CHECK_THROWS(VarianceScaling({.mode = "FAN_IN"}), std::invalid_argument, "mode",
                      "fan_in, fan_out, fan_avg", "\"FAN_IN\"");
  RNNKIT_CHECK_THROWS(VarianceScaling({.distribution = "gaussian"}), std::invalid_argument,
                      "distribution", "truncated_normal", "\"gaussian\"");
  RNNKIT_CHECK_THROWS(Orthogonal({.gain = INFINITY}), std::invalid_argument, "Orthogonal", "gain",
                      "finite");
}

BOOST_AUTO_TEST_CASE(bad_shapes_throw_and_leave_the_stream_untouched) {
  RNNKIT_CHECK_THROWS(Identity()({3}), std::invalid_argument, "Identity", "2-D", "[3]");
  RNNKIT_CHECK_THROWS(Identity()({2, 2, 2}), std::invalid_argument, "Identity", "rank 3");
  RNNKIT_CHECK_THROWS(Identity()({2, 2}, DType::i64), std::invalid_argument, "float32", "int64");

  const Orthogonal orthogonal({.seed = 3});
  RNNKIT_CHECK_THROWS(orthogonal({5}), std::invalid_argument, "Orthogonal", "rank >= 2", "[5]");
  RNNKIT_CHECK_THROWS(orthogonal({}), std::invalid_argument, "rank 0");
  RNNKIT_CHECK_THROWS(orthogonal({2, -3}), std::invalid_argument, "non-negative", "[2, -3]");
  BOOST_TEST(same_values(orthogonal({4, 4}), Orthogonal({.seed = 3})({4, 4})));

  const GlorotUniform glorot({.seed = 4});
  RNNKIT_CHECK_THROWS(glorot({3, 3}, DType::boolean), std::invalid_argument, "GlorotUniform",
                      "bool");
  BOOST_TEST(same_values(glorot({3, 3}), GlorotUniform({.seed = 4})({3, 3})));
}

BOOST_AUTO_TEST_SUITE_END()

#pragma once

#include <rnnkit/callbacks/callback.h>
#include <rnnkit/framework/config.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/shape.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/layers/layer.h>
#include <rnnkit/models/distribution.h>
#include <rnnkit/models/logs.h>
#include <rnnkit/optim/any_optimizer.h>
#include <rnnkit/optim/optimizer.h>

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rnnkit::io {
struct Archive;
}

namespace rnnkit::models::detail {
struct DataParallel;
}

namespace rnnkit::models {

/// compile() arguments, in Keras order.
struct CompileOptions {
  optim::AnyOptimizer optimizer = "rmsprop";
  losses::AnyLoss loss = nullptr;
  /// "accuracy"/"acc" (binary, categorical or sparse categorical, picked from the shapes as Keras
  /// does), "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
  /// "mae"/"mean_absolute_error", "mse"/"mean_squared_error".
  std::vector<std::string> metrics = {};
};

/// Held-out data fit() evaluates after every epoch.
struct ValidationData {
  Tensor x;
  Tensor y;
  Tensor mask = {};  ///< [N, T] mask of sequence inputs (optional)
};

/// fit() arguments, in Keras order (x and y are fit's first two arguments).
struct FitOptions {
  std::int64_t batch_size = 32;
  int epochs = 1;
  /// 0 silent, 1 a progress bar per epoch (plain lines when the output is not a terminal),
  /// 2 one line per epoch.
  int verbose = 1;
  std::vector<callbacks::AnyCallback> callbacks = {};
  /// Fraction of the samples, taken from the end before shuffling, held out for validation.
  double validation_split = 0.0;
  /// Validation data; takes precedence over validation_split.
  std::optional<ValidationData> validation_data = std::nullopt;
  /// Reshuffle the training samples before every epoch (from the process-wide seed).
  bool shuffle = true;
  int initial_epoch = 0;
  /// [N, T] mask of sequence inputs (optional): true/nonzero marks a real timestep.
  Tensor mask = {};
  /// Where progress goes; null means std::cout.
  std::ostream* output = nullptr;
  /// Train on x, y and validation data that hold NaN or Inf (an rnnkit addition). By default
  /// fit() scans them once before anything changes and throws std::invalid_argument naming the
  /// argument, the first sample holding one and the batch it falls in.
  bool allow_non_finite = false;
};

/// evaluate() arguments.
struct EvaluateOptions {
  std::int64_t batch_size = 32;
  int verbose = 1;
  Tensor mask = {};
  std::vector<callbacks::AnyCallback> callbacks = {};
  std::ostream* output = nullptr;
  /// Evaluate x and y that hold NaN or Inf; by default evaluate() throws as fit() does.
  bool allow_non_finite = false;
};

/// predict() arguments.
struct PredictOptions {
  std::int64_t batch_size = 32;
  int verbose = 0;
  Tensor mask = {};
  std::vector<callbacks::AnyCallback> callbacks = {};
  std::ostream* output = nullptr;
};

/// What one pass through the layers gives.
struct ModelOutput {
  Tensor output;  ///< the last layer's output
  Tensor mask;    ///< its mask (undefined when there is none, e.g. after a last-output RNN)
  Tensor logits;  ///< its pre-activation when it ends in sigmoid/softmax (LayerOutput::logits)
  std::string logits_activation;
};

/// Keras Sequential: a stack of layers, each feeding the next with its output and mask, that is
/// compiled with an optimizer, a loss and metrics and then trained with fit(). Move-only.
class Sequential {
 public:
  /// An empty model; `name` empty picks a unique default ("sequential", "sequential_1", ...).
  explicit Sequential(std::string name = {});
  /// Sequential(SimpleRNN({...}), Dense(1)) reads like Keras's Sequential([...]).
  template <std::derived_from<layers::Layer>... L>
  requires(sizeof...(L) > 0) explicit Sequential(L... layers) : Sequential(std::string()) {
    (add(std::move(layers)), ...);
  }
  Sequential(Sequential&&) noexcept;
  Sequential& operator=(Sequential&&) noexcept;
  ~Sequential();

  /// Appends `layer` and returns it as stored. std::invalid_argument when its name is taken.
  template <std::derived_from<layers::Layer> L>
  L& add(L layer) {
    return static_cast<L&>(add(std::unique_ptr<layers::Layer>(new L(std::move(layer)))));
  }
  layers::Layer& add(std::unique_ptr<layers::Layer> layer);
  /// Removes the last layer; std::logic_error when there is none. The model is rebuilt by the
  /// next build() or call.
  void pop();

  const std::string& name() const { return name_; }
  std::size_t size() const { return layers_.size(); }
  /// The layer at `index`; std::out_of_range past the end.
  layers::Layer& layer(std::size_t index) const;
  /// The layer named `name`; std::invalid_argument listing the names when there is none.
  layers::Layer& get_layer(std::string_view name) const;
  std::vector<layers::Layer*> layers() const;

  /// Builds every layer for inputs of per-sample shape `input_shape` (Keras's
  /// Input(shape=...)); `batch_size` fixes the batch (needed by stateful layers), 0 leaves it
  /// open. Runs one inference pass on zeros to learn each layer's output shape; stateful
  /// layers are reset afterwards. Throws what the layers throw for a shape they refuse.
  void build(const Shape& input_shape, std::int64_t batch_size = 0);
  bool built() const { return built_; }
  /// Per-sample input shape the model was built for (empty before).
  const Shape& input_shape() const { return input_shape_; }
  /// Each layer's output shape, the batch axis -1 (None) unless build() fixed it; known once
  /// built.
  const std::vector<Shape>& output_shapes() const { return output_shapes_; }
  /// Prints Keras's summary table: layer (name and type), output shape, parameter count, and
  /// the total, trainable and non-trainable counts. std::logic_error before build.
  void summary(std::ostream& out) const;
  /// summary() to std::cout.
  void summary() const;

  /// Runs the layers on `x` (the model call, Keras model(x, training=..., mask=...)); builds on
  /// the first call.
  ModelOutput call(const Tensor& x, const Tensor& mask = {}, bool training = false);
  Tensor operator()(const Tensor& x, const Tensor& mask = {}, bool training = false) {
    return call(x, mask, training).output;
  }

  std::vector<Variable> weights() const;
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> non_trainable_weights() const;
  /// Every layer's get_weights(), concatenated in model order.
  std::vector<Tensor> get_weights() const;
  /// The inverse of get_weights(): count and shapes are checked before anything is assigned.
  void set_weights(const std::vector<Tensor>& values);
  /// std::logic_error before build.
  std::int64_t count_params() const;
  /// Every layer's regularization terms of the last call.
  std::vector<Tensor> losses() const;
  /// Resets every stateful layer (Keras model.reset_states()).
  void reset_states();

  /// Configures training. The loss is required (std::invalid_argument otherwise); unknown
  /// optimizer, loss or metric names throw std::invalid_argument listing the valid ones.
  void compile(CompileOptions options);
  bool compiled() const { return compiled_ != nullptr; }
  /// std::logic_error before compile().
  optim::Optimizer& optimizer() const;
  const losses::AnyLoss& loss() const;
  /// The metric names as given to compile().
  std::vector<std::string> metric_names() const;

  /// Trains for `options.epochs` epochs on x [N, ...] and y [N, ...]; returns the per-epoch loss
  /// and metrics ("loss", metrics, then "val_..."). Everything is validated before the first
  /// step: x and y must have the same N, batch_size >= 1, validation_split in [0, 1), epochs >=
  /// 0, the model compiled, x, y and the validation data free of NaN and Inf (unless
  /// allow_non_finite), validation x of x's dtype and feature sizes, class ids of a sparse loss
  /// or accuracy in [0, classes), the ids of a first Embedding in [0, input_dim), whole batches
  /// for a stateful model, and the callbacks' set_params(); otherwise std::invalid_argument /
  /// std::logic_error naming the sample and its batch, and the model is unchanged. With `output`
  /// set, the library's warnings of the call go there too (as in evaluate() and predict()). With a
  /// TerminateOnNaN callback, the batch whose loss is NaN or Inf applies no update: training stops
  /// with the weights and optimizer state of the last finite-loss step (Keras applies that batch's
  /// update before stopping).
  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  /// The loss and metrics over x and y, as means over the samples.
  Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  /// The model's outputs for x, computed batch by batch in inference mode.
  Tensor predict(const Tensor& x, const PredictOptions& options = {});
  /// One optimization step on exactly this batch; the loss and metrics of this batch. Like
  /// Keras's, it does not scan x and y for NaN or Inf (the returned loss shows them); class ids
  /// and Embedding ids are checked before anything changes, as in fit(). A loss that depends on
  /// no trainable weight updates nothing and leaves the iterations, as Keras 2.9.
  Logs train_on_batch(const Tensor& x, const Tensor& y, const Tensor& mask = {});
  /// The loss and metrics of this batch in inference mode; nothing is updated.
  Logs test_on_batch(const Tensor& x, const Tensor& y, const Tensor& mask = {});
  /// predict() of one batch.
  Tensor predict_on_batch(const Tensor& x, const Tensor& mask = {});

  /// Set by a callback to end fit() after the current batch (Keras model.stop_training).
  bool stop_training = false;

  /// Trains data-parallel over the processes of `distribution` (as a Keras model built under
  /// MultiWorkerMirroredStrategy), or in this process alone when null, the default. Every rank
  /// then runs the same program: fit(), evaluate(), train_on_batch() and test_on_batch() become
  /// collective, take the same x and y on every rank, give each rank its share of every batch
  /// (the first batch_size % size() ranks one sample more) and sum the gradients, losses and
  /// metrics so that the update, History and logs equal one process's on the whole batch.
  /// fit() and evaluate() (and the first train_on_batch() or test_on_batch()) first check that
  /// every rank holds the same model, compile settings, arguments and data, throwing
  /// std::invalid_argument on every rank otherwise, then give every rank rank 0's weights.
  /// Only rank 0 prints progress and runs the callbacks that write files; predict() stays
  /// local. Stateful layers are refused (std::invalid_argument), as Keras refuses them.
  void set_distribution(std::shared_ptr<Distribution> distribution);
  /// The distribution set by set_distribution(); null when training in this process alone.
  Distribution* distribution() const;

  /// Keras get_config(): {"name", "layers": [InputLayer when built, then each layer
  /// serialized]}.
  Config get_config() const;
  /// {"class_name": "Sequential", "config": get_config(), "keras_version", "backend"} as JSON
  /// text; `indent` < 0 writes one line.
  std::string to_json(int indent = -1) const;
  /// Rebuilds a model (fresh weights) from get_config(); std::invalid_argument for a config it
  /// cannot read, naming what is wrong.
  static Sequential from_config(const Config& config);

  /// Writes the weights (and, with include_optimizer, the optimizer's step counter and slots) to
  /// `path` in rnnkit's archive format (framework/io.h), atomically.
  void save_weights(const std::filesystem::path& path, bool include_optimizer = false) const;
  /// Loads a file of save_weights() or save(). Layers with weights are matched in order, then
  /// weights in order, as Keras does; everything (layer and weight counts, shapes, the file's
  /// integrity, the optimizer state) is checked before the model changes. Optimizer state in
  /// the file is restored when the model is compiled with the same optimizer class, or at the
  /// next compile() with it. std::logic_error before build.
  void load_weights(const std::filesystem::path& path);
  /// Writes architecture, weights, the compile settings and (include_optimizer) the optimizer
  /// state to one file, so load_model() rebuilds the model without its source code.
  void save(const std::filesystem::path& path, bool include_optimizer = true) const;

 private:
  struct Compiled;
  struct Trackers;

  void record_output_shapes(const ModelOutput& output, const std::vector<Shape>& shapes);
  Tensor compiled_loss(const Tensor& y, const ModelOutput& output) const;
  Tensor total_loss(const Tensor& y, const ModelOutput& output) const;
  void update_trackers(Trackers& trackers, const Tensor& y, const ModelOutput& output, double loss,
                       std::int64_t batch) const;
  /// One step; with `keep_weights_on_non_finite_loss` a NaN or Inf loss applies no update.
  Logs train_step(const Tensor& x, const Tensor& y, const Tensor& mask, Trackers& trackers,
                  bool keep_weights_on_non_finite_loss);
  Logs test_step(const Tensor& x, const Tensor& y, const Tensor& mask, Trackers& trackers);
  Logs run_evaluation(const Tensor& x, const Tensor& y, const EvaluateOptions& options,
                      const std::vector<callbacks::AnyCallback>& callbacks);
  static Sequential from_layer_configs(const Config& config);
  /// Whether a layer keeps state between calls, which fixes the model's batch size.
  bool has_stateful_layer() const;
  /// Builds the model for x when it is not built (at `batch_size` when a layer is stateful),
  /// then throws std::invalid_argument unless y fits the output shape.
  void check_targets(std::string_view who, std::string_view what, const Tensor& x, const Tensor& y,
                     std::int64_t batch_size);
  void write_archive(const std::filesystem::path& path, bool include_optimizer,
                     bool include_model) const;
  void restore_weights(const io::Archive& archive, const Config& metadata, std::string_view who);
  friend Sequential load_model(const std::filesystem::path& path, bool compile);
  /// Throws unless every rank holds this model and passed `arguments`, refuses stateful layers,
  /// then gives every rank rank 0's weights (set_distribution()).
  void synchronize(std::string_view who, const std::string& arguments);
  /// train_step() (`training`) or test_step() over the distribution: x, y and mask are this
  /// rank's rows of the batch; statistics and gradients are summed over the ranks.
  Logs data_parallel_step(const Tensor& x, const Tensor& y, const Tensor& mask, Trackers& trackers,
                          bool training, bool keep_weights_on_non_finite_loss);

  std::string name_;
  std::vector<std::unique_ptr<layers::Layer>> layers_;
  bool built_ = false;
  Shape input_shape_;
  std::int64_t batch_size_ = 0;
  std::vector<Shape> output_shapes_;
  std::unique_ptr<Compiled> compiled_;
  /// Optimizer state loaded before compile(), for the optimizer of class pending_optimizer_class_.
  std::unique_ptr<optim::OptimizerState> pending_optimizer_state_;
  std::string pending_optimizer_class_;
  /// Set by set_distribution(); shared_ptr so that the type stays private to the sources.
  std::shared_ptr<detail::DataParallel> data_parallel_;
};

/// Rebuilds a model from Sequential::to_json() (or Keras's JSON for the layers rnnkit has).
Sequential model_from_json(std::string_view json);
/// Loads a file written by Sequential::save(): the architecture, the weights and, with
/// `compile` and when the file has them, the compile settings and optimizer state.
Sequential load_model(const std::filesystem::path& path, bool compile = true);

}  // namespace rnnkit::models

#pragma once

#include <rnnkit/framework/config.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/optim/any_optimizer.h"
#include "rnnkit/optim/optimizer.h"
#include "rnnkit/optim/schedules.h"

/// Keras optimizers.serialize / deserialize and schedules.serialize / deserialize (spec §10).
namespace rnnkit::optim {

/// {"class_name": schedule.class_name(), "config": schedule.get_config()}, e.g.
/// {"class_name": "ExponentialDecay", "config": {...}}. A schedule without get_config (a callable
/// learning rate) throws std::invalid_argument.
Config serialize(const LearningRateSchedule& schedule);
/// The inverse for the built-in schedules (ExponentialDecay, InverseTimeDecay,
/// PiecewiseConstantDecay). Throws std::invalid_argument for an unknown class name (listing the
/// valid ones), a malformed config or an unknown key.
std::shared_ptr<const LearningRateSchedule> deserialize_schedule(const Config& config);

/// {"class_name": optimizer.class_name(), "config": optimizer.get_config()}, e.g.
/// {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.001, "decay": 0.0,
/// "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}}.
Config serialize(const Optimizer& optimizer);
/// The inverse of serialize(): a new optimizer (no slots, iterations 0). The class name matches
/// case-insensitively, as Keras's does for its built-in optimizers; a plain name string gives the
/// defaults (get()). Throws std::invalid_argument for an unknown class name (listing the valid
/// ones), a malformed config or an unknown key; Keras's legacy "lr" key is read as learning_rate.
AnyOptimizer deserialize(const Config& config);

/// Every slot name an optimizer of the built-in class `class_name` (matched as deserialize does)
/// can hold under some options, in slot_names() order, e.g. {"m", "v", "vhat"} for "Adam";
/// nullopt for a class that is not built in.
std::optional<std::vector<std::string>> slot_names_of_class(std::string_view class_name);

}  // namespace rnnkit::optim

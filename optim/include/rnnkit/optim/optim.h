#pragma once

// Every optimizer, schedule and the by-name handle (Keras spec §7).

#include "rnnkit/optim/adagrad.h"
#include "rnnkit/optim/adam.h"
#include "rnnkit/optim/any_optimizer.h"
#include "rnnkit/optim/learning_rate.h"
#include "rnnkit/optim/optimizer.h"
#include "rnnkit/optim/rmsprop.h"
#include "rnnkit/optim/schedules.h"
#include "rnnkit/optim/sgd.h"

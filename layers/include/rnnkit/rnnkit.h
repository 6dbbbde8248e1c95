#pragma once

// The umbrella header: everything a program that trains with rnnkit needs.

#include <rnnkit/callbacks/callbacks.h>
#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/dtype.h>
#include <rnnkit/framework/fused_rnn.h>
#include <rnnkit/framework/gradcheck.h>
#include <rnnkit/framework/io.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/metrics.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/runtime.h>
#include <rnnkit/framework/shape.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/initializers/initializer.h>
#include <rnnkit/initializers/initializers.h>
#include <rnnkit/initializers/serialization.h>
#include <rnnkit/layers/abstract_rnn_cell.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/dropout_mask.h>
#include <rnnkit/layers/embedding.h>
#include <rnnkit/layers/layer.h>
#include <rnnkit/layers/masking.h>
#include <rnnkit/layers/rnn.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/layers/simple_rnn_cell.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/optim.h>
#include <rnnkit/optim/serialization.h>

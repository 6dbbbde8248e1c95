#pragma once

// Keras 1 argument names in layer configs, renamed as Keras 2's legacy interfaces did.

#include <rnnkit/framework/config.h>

#include <string_view>

namespace rnnkit::models::detail {

/// `config` of a layer of `class_name` with Keras 1 keys renamed to Keras 2's, following
/// keras/legacy/interfaces.py of Keras 2.0-2.3: SimpleRNN output_dim -> units, init ->
/// kernel_initializer, inner_init -> recurrent_initializer, W_/U_/b_regularizer ->
/// kernel_/recurrent_/bias_regularizer, dropout_W -> dropout, dropout_U -> recurrent_dropout,
/// consume_less -> implementation; Dense output_dim, init, W_/b_regularizer, W_/b_constraint,
/// bias -> use_bias; Dropout p -> rate; Embedding init, W_regularizer, W_constraint (and a zero
/// dropout dropped). input_dim (with input_length for SimpleRNN) becomes a batch_input_shape when
/// there is none, and the base-layer input_dtype becomes dtype. A config with both a Keras 1 key
/// and its Keras 2 name throws std::invalid_argument, as Keras 2 did.
Config with_keras2_arguments(std::string_view class_name, const Config& config);

}  // namespace rnnkit::models::detail

#include "simple_rnn_config.h"

namespace rnnkit::layers::detail {

void write_cell_arguments(ConfigWriter& writer, const SimpleRNNCell& cell,
                          const regularizers::AnyRegularizer* activity_regularizer) {
  writer.value("units", cell.units())
      .activation("activation", cell.activation())
      .value("use_bias", cell.use_bias())
      .initializer("kernel_initializer", cell.kernel_initializer())
      .initializer("recurrent_initializer", cell.recurrent_initializer())
      .initializer("bias_initializer", cell.bias_initializer())
      .regularizer("kernel_regularizer", cell.kernel_regularizer())
      .regularizer("recurrent_regularizer", cell.recurrent_regularizer())
      .regularizer("bias_regularizer", cell.bias_regularizer());
  if (activity_regularizer != nullptr) {
    writer.regularizer("activity_regularizer", *activity_regularizer);
  }
  writer.constraint("kernel_constraint", cell.kernel_constraint())
      .constraint("recurrent_constraint", cell.recurrent_constraint())
      .constraint("bias_constraint", cell.bias_constraint())
      .value("dropout", cell.dropout())
      .value("recurrent_dropout", cell.recurrent_dropout());
  if (cell.seed()) writer.value("seed", *cell.seed());
}

}  // namespace rnnkit::layers::detail

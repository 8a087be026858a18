"""TF1 recurrent cells (``tf.nn.rnn_cell`` / ``tf.contrib.rnn``) for TF 2.21 with Keras 3.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat import rnn
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3])
...     cell = rnn.MultiRNNCell([rnn.BasicLSTMCell(8), rnn.BasicLSTMCell(8)])
...     outputs, state = tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
...     print(tf.compat.v1.trainable_variables()[0].name)
rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0
"""

from tf_pipeline.compat.rnn.base import LSTMStateTuple, RNNCell
from tf_pipeline.compat.rnn.block_cells import (
    GRUBlockCell,
    GRUBlockCellV2,
    LSTMBlockCell,
    LSTMBlockFusedCell,
)
from tf_pipeline.compat.rnn.cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell
from tf_pipeline.compat.rnn.functions import (
    dynamic_rnn,
    stack_bidirectional_dynamic_rnn,
    stack_bidirectional_rnn,
    static_bidirectional_rnn,
    static_rnn,
    static_state_saving_rnn,
)
from tf_pipeline.compat.rnn.layer_norm import LayerNormBasicLSTMCell
from tf_pipeline.compat.rnn.wrappers import (
    DeviceWrapper,
    DropoutWrapper,
    MultiRNNCell,
    ResidualWrapper,
)

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "GRUBlockCell",
    "GRUBlockCellV2",
    "GRUCell",
    "LSTMBlockCell",
    "LSTMBlockFusedCell",
    "LSTMCell",
    "LayerNormBasicLSTMCell",
    "LSTMStateTuple",
    "MultiRNNCell",
    "RNNCell",
    "ResidualWrapper",
    "dynamic_rnn",
    "stack_bidirectional_dynamic_rnn",
    "stack_bidirectional_rnn",
    "static_bidirectional_rnn",
    "static_rnn",
    "static_state_saving_rnn",
]

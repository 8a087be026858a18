"""``tf.contrib.rnn``: the TF1 cells and the static RNN functions."""

import tensorflow as _tf

from tf_pipeline.compat.rnn import (
    BasicLSTMCell,
    BasicRNNCell,
    DeviceWrapper,
    DropoutWrapper,
    GRUCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    ResidualWrapper,
    RNNCell,
)

static_rnn = _tf.compat.v1.nn.static_rnn
static_bidirectional_rnn = _tf.compat.v1.nn.static_bidirectional_rnn
static_state_saving_rnn = _tf.compat.v1.nn.static_state_saving_rnn

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "GRUCell",
    "LSTMCell",
    "LSTMStateTuple",
    "MultiRNNCell",
    "RNNCell",
    "ResidualWrapper",
    "static_bidirectional_rnn",
    "static_rnn",
    "static_state_saving_rnn",
]

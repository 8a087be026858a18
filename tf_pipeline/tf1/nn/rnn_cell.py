"""``tf.nn.rnn_cell`` of TF1, restored on public API (see :mod:`tf_pipeline.compat.rnn`).

Only the names TF1's ``tf.nn.rnn_cell`` had; the contrib cells (``LSTMBlockCell``, ...)
and the RNN functions live in ``tf.contrib.rnn``.
"""

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
]

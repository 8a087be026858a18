"""``tf.contrib.rnn``: the TF1 cells and the static RNN functions."""

import tensorflow as _tf

from tf_pipeline.compat import rnn as _cells
from tf_pipeline.compat.rnn import *  # noqa: F403 - this module is that namespace

static_rnn = _tf.compat.v1.nn.static_rnn
static_bidirectional_rnn = _tf.compat.v1.nn.static_bidirectional_rnn
static_state_saving_rnn = _tf.compat.v1.nn.static_state_saving_rnn

__all__ = [
    *_cells.__all__,
    "static_bidirectional_rnn",
    "static_rnn",
    "static_state_saving_rnn",
]

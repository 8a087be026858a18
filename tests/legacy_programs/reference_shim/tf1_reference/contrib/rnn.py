"""``tf.contrib.rnn``: TF 2.15's ``tf.compat.v1.nn.rnn_cell`` and static RNN functions."""

from typing import Any

import tensorflow.compat.v1 as _v1

static_rnn = _v1.nn.static_rnn
static_bidirectional_rnn = _v1.nn.static_bidirectional_rnn
static_state_saving_rnn = _v1.nn.static_state_saving_rnn
stack_bidirectional_dynamic_rnn = None  # not in 2.15's public API; no corpus program uses it


def __getattr__(name: str) -> Any:
    return getattr(_v1.nn.rnn_cell, name)

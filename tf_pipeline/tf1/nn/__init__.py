"""``tf.nn`` of TF1: ``tensorflow.compat.v1.nn`` plus the restored ``rnn_cell`` module.

``dynamic_rnn`` and ``static_rnn`` are TensorFlow's, through the thin wrappers of
:mod:`tf_pipeline.compat.rnn` that let the migration converter see them.
"""

from __future__ import annotations

from typing import Any

import tensorflow as _tf

from tf_pipeline.compat.rnn import dynamic_rnn, static_rnn
from tf_pipeline.tf1.nn import rnn_cell

_V1_NN = _tf.compat.v1.nn


def __getattr__(name: str) -> Any:
    try:
        return getattr(_V1_NN, name)
    except AttributeError:
        raise AttributeError(f"module 'tf_pipeline.tf1.nn' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_V1_NN)))


__all__ = ["dynamic_rnn", "rnn_cell", "static_rnn"]

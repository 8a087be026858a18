"""``tf.nn`` of TF1: ``tensorflow.compat.v1.nn`` plus the restored ``rnn_cell`` module."""

from __future__ import annotations

from typing import Any

import tensorflow as _tf

from tf_pipeline.tf1.nn import rnn_cell

_V1_NN = _tf.compat.v1.nn


def __getattr__(name: str) -> Any:
    try:
        return getattr(_V1_NN, name)
    except AttributeError:
        raise AttributeError(f"module 'tf_pipeline.tf1.nn' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_V1_NN)))


__all__ = ["rnn_cell"]

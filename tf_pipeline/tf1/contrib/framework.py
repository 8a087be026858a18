"""``tf.contrib.framework``: the global-step helpers legacy model functions call."""

from __future__ import annotations

import tensorflow as _tf

get_global_step = _tf.compat.v1.train.get_global_step
get_or_create_global_step = _tf.compat.v1.train.get_or_create_global_step
assert_global_step = _tf.compat.v1.train.assert_global_step


def get_variables(scope: str | None = None) -> list:
    """Global variables whose names start with ``scope`` (all when None)."""
    return _tf.compat.v1.get_collection(_tf.compat.v1.GraphKeys.GLOBAL_VARIABLES, scope)


def get_model_variables(scope: str | None = None) -> list:
    """Variables in the ``MODEL_VARIABLES`` collection (what fully_connected adds)."""
    return _tf.compat.v1.get_collection(_tf.compat.v1.GraphKeys.MODEL_VARIABLES, scope)


__all__ = [
    "assert_global_step",
    "get_global_step",
    "get_model_variables",
    "get_or_create_global_step",
    "get_variables",
]

"""``tf.layers.experimental``: TF1's switch to Keras-style variable management.

Inside :func:`keras_style_scope` (or after :func:`set_keras_style`, for good) new
``tf.layers`` layers own their variables as Keras layers do: each object creates
``tf.Variable``s named after its unique layer name (``dense_1/kernel``), variable scopes
and ``reuse`` play no part, and passing ``scope``/``reuse``/a functional ``name`` is an
error. It affects the layers of :mod:`tf_pipeline.compat.tf_layers` only (not the RNN
cells of :mod:`tf_pipeline.compat.rnn`).

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.tf_layers import Dense, experimental
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
...     with experimental.keras_style_scope():
...         layer = Dense(2)
...     _ = layer(x), layer(x)
...     [v.op.name for v in tf.compat.v1.global_variables()]
['dense_1/kernel', 'dense_1/bias']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["keras_style_scope", "set_keras_style"]

# TF1 kept this switch in a module global too; it is only changed by the user's own call.
_KERAS_STYLE = False


@contextlib.contextmanager
def keras_style_scope() -> Iterator[None]:
    """Layers created inside use Keras-style variable management (see the module)."""
    global _KERAS_STYLE
    previous = _KERAS_STYLE
    _KERAS_STYLE = True
    try:
        yield
    finally:
        _KERAS_STYLE = previous


def set_keras_style() -> None:
    """Use Keras-style variable management for every layer created from now on."""
    global _KERAS_STYLE
    _KERAS_STYLE = True


def is_in_keras_style_scope() -> bool:
    """Whether layers created now use Keras-style variable management."""
    return _KERAS_STYLE

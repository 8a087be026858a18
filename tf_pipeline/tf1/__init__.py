"""The TF1 namespace: ``import tf_pipeline.tf1 as tf`` and run TF 1.x graph code.

Everything comes from ``tensorflow.compat.v1`` except what TensorFlow 2.21 with
Keras 3 lost, which comes from :mod:`tf_pipeline.compat`:

- ``tf.nn.rnn_cell.*`` and ``tf.contrib.rnn.*``: the TF1 cells;
- ``tf.layers.dense``;
- ``tf.contrib.layers.{fully_connected, optimize_loss, xavier_initializer}``;
- ``tf.contrib.framework.get_global_step``.

Importing this module changes no global TensorFlow state: eager execution stays
on, so Keras 3 keeps working in the same process. Build TF1 graphs inside
``with tf.Graph().as_default():`` and run them in ``tf.Session(graph=...)``.

Example
-------
>>> import tf_pipeline.tf1 as tf
>>> with tf.Graph().as_default():
...     x = tf.placeholder(tf.float32, [None, 1, 12])
...     cell = tf.contrib.rnn.MultiRNNCell([tf.contrib.rnn.BasicLSTMCell(40)])
...     output, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
...     prediction = tf.contrib.layers.fully_connected(tf.reshape(output, [-1, 40]), 1, None)
...     prediction.shape.as_list()
[None, 1]
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import Any

import tensorflow as _tf

_V1 = _tf.compat.v1


def __getattr__(name: str) -> Any:
    # Anything not restored here is TensorFlow's own compat.v1 symbol.
    try:
        return getattr(_V1, name)
    except AttributeError:
        raise AttributeError(
            f"module 'tf_pipeline.tf1' has no attribute {name!r} (nor does tensorflow.compat.v1)"
        ) from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_V1)))


# ``from tf_pipeline.tf1 import nn`` would ask __getattr__ first and get compat.v1's
# module; import_module loads ours and binds it, so these names resolve to ours.
contrib = _import_module("tf_pipeline.tf1.contrib")
estimator = _import_module("tf_pipeline.tf1.estimator")
layers = _import_module("tf_pipeline.tf1.layers")
nn = _import_module("tf_pipeline.tf1.nn")

__all__ = ["contrib", "estimator", "layers", "nn"]

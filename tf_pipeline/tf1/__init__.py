"""The TF1 namespace: ``import tf_pipeline.tf1 as tf`` and run TF 1.x graph code.

Everything comes from ``tensorflow.compat.v1`` except what TensorFlow 2.21 with
Keras 3 lost, which comes from :mod:`tf_pipeline.compat`:

- ``tf.nn.rnn_cell.*`` and ``tf.contrib.rnn.*``: the TF1 cells;
- ``tf.layers.dense``;
- ``tf.contrib.layers.{fully_connected, optimize_loss, xavier_initializer}``;
- ``tf.contrib.framework.get_global_step``;
- ``tf.train.{string_input_producer, import_meta_graph}``: TF1's variable semantics.

Importing this module changes no global TensorFlow state: eager execution stays
on, so Keras 3 keeps working in the same process. Code inside
``with tf.Graph().as_default():`` builds in that graph, as always. A TF1 call made
through this namespace while the current thread executes eagerly (a script that
builds at module level) puts *that thread* in legacy graph mode: it builds in an
implicit default graph, as under TF 1.x (``tf.Session()``, ``tf.reset_default_graph()``,
``tf.get_default_graph()``, ``tf.InteractiveSession()``); see
:mod:`tf_pipeline.tf1._legacy_graph`. ``tf.leave_legacy_graph_mode()`` returns the
thread to eager execution. ``python -m tf_pipeline.tf1 script.py`` runs an unmodified
TF 1.x script (see :mod:`tf_pipeline.tf1.__main__`).

Functions come out of this namespace (and all its submodules) wrapped, one wrapper per
function (``tf.nn.relu is tf.nn.relu``; ``tf.nn.relu.__wrapped__`` is TensorFlow's);
classes come out unchanged except ``Session``, ``InteractiveSession`` (subclasses),
``Variable``, ``tf.data`` datasets, queues and readers (stand-ins that pass
``isinstance``). The one process-wide addition is an import finder for the names
``tf_pipeline.tf1.*`` (see :mod:`tf_pipeline.tf1._namespace`).

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

import sys as _sys
from importlib import import_module as _import_module
from typing import Any

import tensorflow as _tf

from tf_pipeline.tf1 import _namespace
from tf_pipeline.tf1._legacy_graph import (
    InteractiveSession,
    LegacyGraphModeError,
    Session,
    Variable,
    disable_eager_execution,
    disable_v2_behavior,
    enable_eager_execution,
    enable_v2_behavior,
    enter_legacy_graph_mode,
    in_legacy_graph_mode,
    leave_legacy_graph_mode,
    name_scope,
    reset_default_graph,
    variable_scope,
)

_V1 = _tf.compat.v1
# Before the submodules load: from here on every tf_pipeline.tf1 module hands out its
# functions wrapped to enter legacy graph mode (see _namespace).
_namespace.install(_sys.modules[__name__])


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
feature_column = _import_module("tf_pipeline.tf1.feature_column")
estimator = _import_module("tf_pipeline.tf1.estimator")
layers = _import_module("tf_pipeline.tf1.layers")
nn = _import_module("tf_pipeline.tf1.nn")
train = _import_module("tf_pipeline.tf1.train")

__all__ = [
    "InteractiveSession",
    "LegacyGraphModeError",
    "Session",
    "Variable",
    "contrib",
    "disable_eager_execution",
    "disable_v2_behavior",
    "enable_eager_execution",
    "enable_v2_behavior",
    "enter_legacy_graph_mode",
    "estimator",
    "feature_column",
    "in_legacy_graph_mode",
    "layers",
    "leave_legacy_graph_mode",
    "name_scope",
    "nn",
    "reset_default_graph",
    "train",
    "variable_scope",
]

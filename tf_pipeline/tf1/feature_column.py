"""``tf.feature_column`` of TF1: TensorFlow 2.21's own ``tensorflow.compat.v1.feature_column``.

Every TF 1.x feature-column function still works on TensorFlow 2.21 with Keras 3 in graph
mode, so nothing is rebuilt here: ``numeric_column``, ``bucketized_column``,
``categorical_column_with_{vocabulary_list,vocabulary_file,identity,hash_bucket}``,
``crossed_column``, ``embedding_column``, ``shared_embedding_columns``,
``indicator_column``, ``weighted_categorical_column``, ``input_layer``, ``linear_model``,
``make_parse_example_spec`` and the ``sequence_*`` columns. ``input_layer`` and
``linear_model`` keep TF1's variable names (``input_layer/<col>_embedding/embedding_weights``,
``linear_model/<col>/weights``, ``linear_model/bias_weights``) and honour the enclosing
``variable_scope``'s partitioner. The golden cases in ``tests/golden/cases/feature_column.py``
check them against TensorFlow 2.15.

Example
-------
>>> import numpy as np
>>> import tf_pipeline.tf1 as tf
>>> with tf.Graph().as_default():
...     x = tf.feature_column.numeric_column("x")
...     net = tf.feature_column.input_layer({"x": tf.constant([[1.0], [2.0]])}, [x])
...     with tf.Session() as sess:
...         sess.run(net).ravel().tolist()
[1.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import tensorflow as _tf

_V1_FEATURE_COLUMN = _tf.compat.v1.feature_column


def __getattr__(name: str) -> Any:
    try:
        return getattr(_V1_FEATURE_COLUMN, name)
    except AttributeError:
        raise AttributeError(
            f"module 'tf_pipeline.tf1.feature_column' has no attribute {name!r}"
        ) from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_V1_FEATURE_COLUMN)))

"""contrib's ``summarize_*``: scalar and histogram summaries for tensors and collections.

A port of ``tensorflow/contrib/layers/python/layers/summaries.py`` (kept as
``tf_slim.layers.summaries``) on ``tf.compat.v1.summary``. Scalars get a scalar
summary, other tensors a histogram, tagged ``<op name>_summary`` by default;
``summarize_activation`` adds the fraction of zeros of ReLU-family outputs.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.layer_summaries import summarize_tensors
>>> with tf.Graph().as_default():
...     ops = summarize_tensors([tf.constant(1.0, name="loss"), tf.zeros([3], name="w")])
...     [op.op.type for op in ops]
['ScalarSummary', 'HistogramSummary']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

import tensorflow as tf

__all__ = [
    "summarize_activation",
    "summarize_activations",
    "summarize_biases",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "summarize_variables",
    "summarize_weights",
]

_V1 = tf.compat.v1
Summarizer = Callable[[tf.Tensor], tf.Tensor | None]


def _scalar(tensor: tf.Tensor, tag: str | None = None) -> tf.Tensor:
    tensor.shape.assert_has_rank(0)
    return _V1.summary.scalar(tag or f"{tensor.op.name}_summary", tensor)


def _histogram(tensor: tf.Tensor, tag: str | None = None) -> tf.Tensor:
    return _V1.summary.histogram(tag or f"{tensor.op.name}_summary", tensor)


def summarize_activation(op: tf.Tensor) -> tf.Tensor:
    """Histogram of an activation, plus its fraction of zeros (and of sixes for ReLU6)."""
    inputs = op.op.inputs[0] if op.op.inputs else None
    if op.op.type in ("Relu", "Softplus", "Relu6"):
        zeros = tf.cast(tf.less(inputs, tf.cast(0.0, inputs.dtype)), tf.float32)
        _scalar(tf.reduce_mean(zeros), f"{op.op.name}/zeros")
    if op.op.type == "Relu6":
        sixes = tf.cast(tf.greater(inputs, tf.cast(6.0, inputs.dtype)), tf.float32)
        _scalar(tf.reduce_mean(sixes), f"{op.op.name}/sixes")
    return _histogram(op, f"{op.op.name}/activation")


def summarize_tensor(tensor: tf.Tensor, tag: str | None = None) -> tf.Tensor | None:
    """Scalar summary for a scalar, histogram otherwise; None for strings and booleans."""
    if tensor.dtype.is_compatible_with(tf.string) or tensor.dtype.base_dtype == tf.bool:
        return None
    if tensor.shape.ndims == 0:
        return _scalar(tensor, tag)
    return _histogram(tensor, tag)


def summarize_tensors(
    tensors: Iterable[tf.Tensor], summarizer: Summarizer = summarize_tensor
) -> list[tf.Tensor | None]:
    """``summarizer`` applied to each tensor."""
    return [summarizer(tensor) for tensor in tensors]


def summarize_collection(
    collection: str, name_filter: str | None = None, summarizer: Summarizer = summarize_tensor
) -> list[tf.Tensor | None]:
    """Summarize the tensors of ``collection`` whose op names match ``name_filter`` (regex)."""
    tensors = [
        t
        for t in _V1.get_collection(collection)
        if name_filter is None or re.match(name_filter, t.op.name)
    ]
    return summarize_tensors(tensors, summarizer)


def summarize_activations(
    name_filter: str | None = None, summarizer: Summarizer = summarize_activation
) -> list[tf.Tensor | None]:
    """Summarize ``GraphKeys.ACTIVATIONS``."""
    return summarize_collection(_V1.GraphKeys.ACTIVATIONS, name_filter, summarizer)


summarize_variables = functools.partial(summarize_collection, _V1.GraphKeys.GLOBAL_VARIABLES)
summarize_weights = functools.partial(summarize_collection, _V1.GraphKeys.WEIGHTS)
summarize_biases = functools.partial(summarize_collection, _V1.GraphKeys.BIASES)

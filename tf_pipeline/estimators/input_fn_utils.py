"""``tf.contrib.learn.utils.input_fn_utils``: what a serving input_fn returns.

Example
-------
>>> import tensorflow as tf
>>> from estimators.input_fn_utils import build_parsing_serving_input_fn
>>> spec = {"x": tf.io.FixedLenFeature([2], tf.float32)}
>>> with tf.Graph().as_default():
...     ops = build_parsing_serving_input_fn(spec)()
...     sorted(ops.features), ops.labels, sorted(ops.default_inputs)
(['x'], None, ['examples'])
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping
from typing import Any

import tensorflow as tf

_v1 = tf.compat.v1


class InputFnOps(collections.namedtuple("InputFnOps", ["features", "labels", "default_inputs"])):
    """``(features, labels, default_inputs)``: features and labels for the model_fn, and
    the placeholders a served model is fed (``{name: tensor}``)."""


def build_parsing_serving_input_fn(
    feature_spec: Mapping[str, Any], default_batch_size: int | None = None
) -> Callable[[], InputFnOps]:
    """An input_fn parsing serialized ``tf.Example`` strings fed to ``input_example_tensor``."""

    def input_fn() -> InputFnOps:
        examples = _v1.placeholder(
            dtype=tf.string, shape=[default_batch_size], name="input_example_tensor"
        )
        features = _v1.parse_example(examples, dict(feature_spec))
        return InputFnOps(features, None, {"examples": examples})

    return input_fn


def build_default_serving_input_fn(
    features: Mapping[str, tf.Tensor], default_batch_size: int | None = None
) -> Callable[[], InputFnOps]:
    """An input_fn with one placeholder per tensor of ``features`` (same name, dtype and
    shape, with the batch dimension ``default_batch_size``)."""

    def input_fn() -> InputFnOps:
        placeholders = {}
        for name, tensor in features.items():
            shape = tensor.shape.as_list()
            shape[0] = default_batch_size
            placeholders[name] = _v1.placeholder(tensor.dtype, shape, name=tensor.op.name)
        return InputFnOps(placeholders, None, placeholders)

    return input_fn


__all__ = ["InputFnOps", "build_default_serving_input_fn", "build_parsing_serving_input_fn"]

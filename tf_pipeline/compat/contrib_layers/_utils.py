"""What every contrib layer shares: collections, ``smart_cond``, argument normalisation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

from tf_pipeline.compat.layers import _add_to_collections, _collect_named_outputs

_V1 = tf.compat.v1

DATA_FORMATS_2D = ("NHWC", "NCHW")

Collections = Sequence[str] | Mapping[str, Sequence[str]]


def variable_collections(collections: Collections | None, name: str) -> list[str] | None:
    """contrib's ``get_variable_collections``: a dict picks the list for ``name``."""
    if isinstance(collections, Mapping):
        collections = collections.get(name)
    return list(collections) if collections else None


def add_variable_to_collections(
    variable: tf.Variable, collections: Collections | None, name: str
) -> None:
    """Add ``variable`` to the extra collections asked for ``name`` (once each)."""
    _add_to_collections(variable, collections, name)


def collect_named_outputs(
    collections: Sequence[str] | None, alias: str, outputs: tf.Tensor
) -> tf.Tensor:
    """Tag ``outputs`` with ``alias`` (its scope) and add it to ``collections``."""
    return _collect_named_outputs(collections, alias, outputs)


def static_bool(pred: Any) -> bool | None:
    """``pred`` as a Python bool when known while building the graph, else None."""
    if isinstance(pred, (bool, int)):
        return bool(pred)
    if isinstance(pred, tf.Variable):
        return None
    value = tf.get_static_value(pred)
    return None if value is None else bool(value)


def smart_cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """``tf.cond`` unless ``pred`` is known while building, then just the taken branch."""
    value = static_bool(pred)
    if value is None:
        return tf.cond(tf.convert_to_tensor(pred, tf.bool), true_fn, false_fn)
    return true_fn() if value else false_fn()


def n_tuple(value: int | Sequence[int], n: int, name: str) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints as an ``n``-tuple (Keras' ``normalize_tuple``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    values = tuple(value)
    if len(values) != n or not all(isinstance(v, int) for v in values):
        raise ValueError(f"`{name}` must be an int or a sequence of {n} ints, got {value!r}.")
    return values


def check_data_format(data_format: str | None, allowed: Sequence[str | None]) -> None:
    """Raise the one-format error when ``data_format`` is not among ``allowed``."""
    if data_format not in allowed:
        choices = ", ".join(repr(c) for c in allowed)
        raise ValueError(f"`data_format` must be one of {choices}, got {data_format!r}.")


def channels_first(data_format: str | None) -> bool:
    """Whether a TF data format string puts channels second (``'NCHW'``, ``'NCW'``...)."""
    return bool(data_format) and data_format.startswith("NC")

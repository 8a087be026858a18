"""``tf.estimator.inputs``: ``numpy_input_fn`` and ``pandas_input_fn`` with TF 1.x queues.

Ported from tensorflow-estimator 2.15 (``inputs/numpy_io.py``, ``inputs/pandas_io.py``):
rows go through a ``FIFOQueue`` (a ``RandomShuffleQueue`` with ``shuffle=True``) filled by
a queue runner (:mod:`estimators.tf_estimator.feeding`); with ``num_epochs`` the last batch
may be short and the input then ends with ``OutOfRangeError``; ``num_epochs=None`` repeats
forever in batches of exactly ``batch_size``.

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> input_fn = numpy_input_fn({"x": np.arange(5.0)}, np.arange(5.0), batch_size=2,
...                           shuffle=False)
>>> with tf.Graph().as_default():
...     features, labels = input_fn()
>>> sorted(features), labels.dtype.name
(['x'], 'float64')
"""

from __future__ import annotations

import collections
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np

from tf_pipeline.estimators.tf_estimator.feeding import _enqueue_data

_TARGET_KEY = "__target_key__"


def _check_shuffle(shuffle: Any) -> None:
    if not isinstance(shuffle, bool):
        raise ValueError(
            "`shuffle` must be given explicitly as a bool (True is recommended for "
            f"training), got {shuffle!r}."
        )


def _ordered_features(x: Any) -> collections.OrderedDict:
    if isinstance(x, dict):
        if not x:
            raise ValueError("`x` must not be an empty dict, got {}.")
        return collections.OrderedDict(sorted(x.items(), key=lambda item: item[0]))
    if isinstance(x, np.ndarray):
        if x.size == 0:
            raise ValueError(f"`x` must not be an empty array, got shape {x.shape}.")
        return collections.OrderedDict({"__direct_np_input__": x})
    raise TypeError(f"`x` must be a dict or a numpy array, got {type(x).__name__}.")


def numpy_input_fn(
    x: Any,
    y: Any = None,
    batch_size: int = 128,
    num_epochs: int | None = 1,
    shuffle: Any = None,
    queue_capacity: int = 1000,
    num_threads: int = 1,
) -> Callable[[], Any]:
    """An input_fn feeding a dict of numpy arrays (or one array) through a TF1 queue.

    Parameters
    ----------
    x : dict of numpy.ndarray or numpy.ndarray
        Features; an array becomes the features tensor itself.
    y : numpy.ndarray or dict of numpy.ndarray, optional
        Labels; None makes the input_fn return features only.
    batch_size : int, default=128
    num_epochs : int or None, default=1
        Passes over the data; None repeats forever.
    shuffle : bool
        Required, as in TF 1.x; use False for evaluation and prediction.
    queue_capacity : int, default=1000
    num_threads : int, default=1
        Enqueueing threads; keep 1 for a reproducible order.

    Returns
    -------
    callable
        ``input_fn() -> (features, labels)`` (or features when ``y`` is None).
    """
    _check_shuffle(shuffle)

    def input_fn() -> Any:
        data = _ordered_features(x)
        feature_keys = list(data)
        if y is None:
            target_keys = None
        elif isinstance(y, dict):
            if not y:
                raise ValueError("`y` must not be an empty dict (use None), got {}.")
            ordered_y = collections.OrderedDict(sorted(y.items(), key=lambda item: item[0]))
            target_keys = list(ordered_y)
            duplicates = set(feature_keys) & set(target_keys)
            if duplicates:
                raise ValueError(
                    f"`x` and `y` must not share keys, got {sorted(duplicates)} in both."
                )
            data.update(ordered_y)
        else:
            target_keys = _TARGET_KEY
            while target_keys in data:
                target_keys += "_n"
            data[target_keys] = y
        lengths = {key: len(value) for key, value in data.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(
                f"`x` and `y` must hold the same number of rows, got lengths {lengths}."
            )
        queue = _enqueue_data(
            data,
            queue_capacity,
            shuffle=shuffle,
            num_threads=num_threads,
            enqueue_size=batch_size,
            num_epochs=num_epochs,
        )
        batch = (
            queue.dequeue_many(batch_size)
            if num_epochs is None
            else queue.dequeue_up_to(batch_size)
        )
        if batch:
            batch.pop(0)  # the row index
        if isinstance(x, np.ndarray):
            features = batch[0]
        else:
            features = dict(zip(feature_keys, batch[: len(feature_keys)], strict=True))
        if target_keys is None:
            return features
        if isinstance(target_keys, str):
            return features, batch[-1]
        return features, dict(zip(target_keys, batch[-len(target_keys) :], strict=True))

    return input_fn


def pandas_input_fn(
    x: Any,
    y: Any = None,
    batch_size: int = 128,
    num_epochs: int | None = 1,
    shuffle: Any = None,
    queue_capacity: int | None = 1000,
    num_threads: int = 1,
    target_column: str = "target",
) -> Callable[[], Any]:
    """An input_fn feeding a pandas DataFrame (and Series/DataFrame ``y``) through a queue.

    Features are a dict of the DataFrame's columns; ``y`` (same index as ``x``) becomes
    the labels. ``queue_capacity=None`` sizes the queue from the data (4x when shuffling).
    See :func:`numpy_input_fn` for the other arguments.
    """
    import pandas as pd

    _check_shuffle(shuffle)
    if not isinstance(target_column, str):
        raise TypeError(f"`target_column` must be a string, got {target_column!r}.")
    x = x.copy()
    y_columns = None
    if y is not None:
        if target_column in x:
            raise ValueError(
                f"`target_column` must not name a column of `x`, got {target_column!r} "
                f"(x has columns {list(x.columns)})."
            )
        if not np.array_equal(x.index, y.index):
            raise ValueError(f"`x` and `y` must have the same index, got {x.index} and {y.index}.")
        if isinstance(y, pd.DataFrame):
            y_columns = [
                (column, column + "_" + str(uuid.uuid4()) if column in x else column)
                for column in list(y)
            ]
            target_column = [v for _, v in y_columns]
            x[target_column] = y
        else:
            x[target_column] = y
    if queue_capacity is None:
        queue_capacity = 4 * len(x) if shuffle else len(x)
    min_after_dequeue = max(queue_capacity / 4, 1)

    def input_fn() -> Any:
        queue = _enqueue_data(
            x,
            queue_capacity,
            shuffle=shuffle,
            min_after_dequeue=min_after_dequeue,
            num_threads=num_threads,
            enqueue_size=batch_size,
            num_epochs=num_epochs,
        )
        if num_epochs is None:
            features = queue.dequeue_many(batch_size)
        else:
            features = queue.dequeue_up_to(batch_size)
        features = dict(zip(list(x.columns), features[1:], strict=True))
        if y is None:
            return features
        if isinstance(target_column, list):
            keys = [k for k, _ in y_columns]
            values = [features.pop(column) for column in target_column]
            return features, dict(zip(keys, values, strict=True))
        return features, features.pop(target_column)

    return input_fn

"""Feeding numpy ``x``/``y`` in batches exactly as TF 1.x's ``DataFeeder`` did.

Batch order (training) is :func:`tf_pipeline.batching.tf1_batches`: a
``RandomState(42)`` permutation cut into consecutive slices, a short last slice per
epoch, a new permutation each epoch. A new feeder (so the same sequence) is made
for every ``fit`` call. Prediction and evaluation feed in
order, once, and then stop.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline._checks import check_int
from tf_pipeline.batching import tf1_batches

logger = logging.getLogger(__name__)


def label_shape(y_shape: tuple[int, ...]) -> list[int]:
    """Per-example label shape: TF1 dropped a leading 1, so ``[n, 1]`` feeds as ``[batch]``."""
    inner = list(y_shape[1:])
    if inner and inner[0] == 1:
        inner = inner[1:]
    return inner


class DataFeeder:
    """Batches of ``x`` (and ``y``) for placeholders named ``input`` and ``output``.

    Parameters
    ----------
    x : numpy.ndarray of shape (n, ...)
    y : numpy.ndarray of shape (n, ...), optional
    batch_size : int, optional
        Rows per batch; None feeds all rows at once.
    shuffle : bool
        Permute with ``RandomState(42)`` (training) or keep the order.
    epochs : int, optional
        Stop (``StopIteration``) after this many passes; None repeats forever.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray | None,
        batch_size: int | None,
        *,
        shuffle: bool,
        epochs: int | None,
    ) -> None:
        self.x = _as_array(x, "x")
        self.y = None if y is None else _as_array(y, "y")
        n_samples = len(self.x)
        if n_samples == 0:
            raise ValueError("`x` must hold at least one sample, got none.")
        if self.y is not None and len(self.y) != n_samples:
            raise ValueError(
                f"`y` must have as many rows as `x` ({n_samples}), got {len(self.y)}."
            )
        self.batch_size = (
            n_samples if batch_size is None else check_int(batch_size, "batch_size", minimum=1)
        )
        for name, array in (("x", self.x), ("y", self.y)):
            if array is not None and array.dtype == np.float64:
                logger.warning(
                    "`%s` is float64: TF1 fed it as float64 too; most models want float32.", name
                )
        self.max_epochs = epochs
        self._batches = tf1_batches(n_samples, self.batch_size, shuffle=shuffle)
        self._position = 0  # rows of the current epoch already fed
        self.epoch = 0
        self.input_placeholder: tf.Tensor | None = None
        self.output_placeholder: tf.Tensor | None = None

    @property
    def input_shape(self) -> list[int | None]:
        inner = list(self.x.shape[1:]) if self.x.ndim > 1 else [1]
        return [None, *inner]

    @property
    def output_shape(self) -> list[int | None] | None:
        if self.y is None:
            return None
        return [None, *label_shape(self.y.shape)]

    def input_fn(self) -> tuple[tf.Tensor, tf.Tensor | None]:
        """Make the placeholders in the current graph: the Estimator's ``input_fn``."""
        self.input_placeholder = tf.compat.v1.placeholder(
            tf.as_dtype(self.x.dtype), self.input_shape, name="input"
        )
        if self.y is not None:
            self.output_placeholder = tf.compat.v1.placeholder(
                tf.as_dtype(self.y.dtype), self.output_shape, name="output"
            )
        return self.input_placeholder, self.output_placeholder

    def next_batch_indices(self) -> np.ndarray:
        """The next batch's row indices; ``StopIteration`` after ``epochs`` passes."""
        if self.max_epochs is not None and self.epoch + 1 > self.max_epochs:
            raise StopIteration
        batch = next(self._batches)
        self._position += len(batch)
        if self._position >= len(self.x):  # batches never wrap: this one ended the epoch
            self._position = 0
            self.epoch += 1
        return batch

    def feed_dict(self) -> dict[tf.Tensor, np.ndarray]:
        """The next batch as a feed dict for the placeholders ``input_fn`` made."""
        if self.input_placeholder is None:
            raise RuntimeError("Call `input_fn()` in the graph before asking for batches.")
        batch = self.next_batch_indices()
        feed = {self.input_placeholder: self.x[batch].reshape([len(batch), *self.input_shape[1:]])}
        if self.output_placeholder is not None:
            feed[self.output_placeholder] = self.y[batch].reshape(
                [len(batch), *self.output_shape[1:]]
            )
        return feed


def _as_array(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (tf.Tensor, tf.Variable)):
        raise TypeError(f"`{name}` must be a numpy array, got a tensor. Pass an input_fn instead.")
    array = np.asarray(values)
    if array.ndim == 0:
        raise ValueError(f"`{name}` must have a first (sample) dimension, got a scalar.")
    if array.dtype.kind not in "fiub":
        raise TypeError(f"`{name}` must be numeric, got dtype {array.dtype}.")
    return array

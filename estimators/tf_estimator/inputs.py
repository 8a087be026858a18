"""``tf.estimator.inputs``: ``numpy_input_fn`` and ``pandas_input_fn`` with TF 1.x queues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def numpy_input_fn(
    x: Any,
    y: Any = None,
    batch_size: int = 128,
    num_epochs: int | None = 1,
    shuffle: Any = None,
    queue_capacity: int = 1000,
    num_threads: int = 1,
) -> Callable[[], Any]:
    """An input_fn feeding dicts of numpy arrays through a TF1 queue (TF 2.15 semantics)."""
    raise NotImplementedError


def pandas_input_fn(
    x: Any,
    y: Any = None,
    batch_size: int = 128,
    num_epochs: int | None = 1,
    shuffle: Any = None,
    queue_capacity: int = 1000,
    num_threads: int = 1,
    target_column: str = "target",
) -> Callable[[], Any]:
    """An input_fn feeding a pandas DataFrame through a TF1 queue (TF 2.15 semantics)."""
    raise NotImplementedError

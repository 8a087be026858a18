"""The order in which TF 1.x's ``DataFeeder`` drew training batches.

``np.random.RandomState(42).permutation(n)`` cut into consecutive slices of
``batch_size``; the last slice of an epoch is short (batches never wrap); each new
epoch draws a new permutation from the same ``RandomState``.

Example
-------
>>> from tf_pipeline.batching import tf1_batches
>>> batches = tf1_batches(5, 2)
>>> [len(next(batches)) for _ in range(4)]
[2, 2, 1, 2]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from tf_pipeline._checks import check_int

DATA_FEEDER_SEED = 42


def tf1_batches(
    n_samples: int, batch_size: int, *, shuffle: bool = True, seed: int = DATA_FEEDER_SEED
) -> Iterator[np.ndarray]:
    """Endless row-index batches in DataFeeder order.

    Parameters
    ----------
    n_samples : int
        Rows in the data, >= 1.
    batch_size : int
        Rows per batch, >= 1 (a batch size >= n_samples gives every row each step).
    shuffle : bool, default=True
        Permute each epoch; False keeps ``0..n-1`` (prediction and evaluation).
    seed : int, default=42
        The ``RandomState`` seed TF1 hard-coded.

    Yields
    ------
    numpy.ndarray of int
        Row indices of one batch; an epoch ends with the batch that reaches row n.
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    random_state = np.random.RandomState(seed)

    def order() -> np.ndarray:
        return random_state.permutation(n_samples) if shuffle else np.arange(n_samples)

    indices = order()
    while True:
        for start in range(0, n_samples, batch_size):
            yield indices[start : start + batch_size]
        indices = order()


def padded_batches(
    batches: Sequence[np.ndarray], batch_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Stack row-index batches into ``[len(batches), batch_size]`` indices and a 0/1 mask.

    A short batch (an epoch's last) is padded with row 0 and masked out, so loops that
    run K steps in one call see fixed shapes and still average over the real rows only.
    """
    indices = np.zeros((len(batches), batch_size), np.int32)
    mask = np.zeros((len(batches), batch_size), np.float32)
    for k, rows in enumerate(batches):
        indices[k, : len(rows)] = rows
        mask[k, : len(rows)] = 1.0
    return indices, mask

"""The one seeding helper: a scikit-learn ``random_state`` made into seeds for a block.

:func:`resolve_seed` turns ``random_state`` into one int (or None) and :func:`seeded`
seeds Python, NumPy, TensorFlow and Keras for a block, putting Python's and NumPy's
global states back afterwards, so seeding a fit or a demo never leaves the caller's
own random draws repeating. TF1 graphs get their seed through
``RunConfig(tf_random_seed=)`` instead.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.seeding import resolve_seed, seeded
>>> with seeded(resolve_seed(0)):
...     a = np.random.rand()
>>> with seeded(resolve_seed(0)):
...     b = np.random.rand()
>>> a == b
True
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["resolve_seed", "seeded"]

_MAX_SEED = 2**31 - 1


def resolve_seed(random_state: int | np.random.RandomState | None) -> int | None:
    """Turn a scikit-learn ``random_state`` into one int seed (or None).

    Parameters
    ----------
    random_state : int, numpy.random.RandomState or None
        An int in ``[0, 2**31 - 1]`` is used as it is; a ``RandomState``
        draws a fresh seed (so successive fits differ, as in scikit-learn);
        None means "not seeded".

    Returns
    -------
    int or None
    """
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        seed = int(random_state)
        if not 0 <= seed <= _MAX_SEED:
            raise ValueError(f"`random_state` must be an int in [0, {_MAX_SEED}], got {seed}.")
        return seed
    if isinstance(random_state, np.random.RandomState):
        return int(check_random_state(random_state).randint(_MAX_SEED))
    raise TypeError(
        f"`random_state` must be an int, a numpy RandomState or None, got {random_state!r}."
    )


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed Python, NumPy, TensorFlow and Keras for the block; the one seeding helper.

    ``keras.utils.set_random_seed`` seeds Python's ``random``, NumPy's global
    generator, TensorFlow's global seed (shuffling, eager ops) and Keras' seed
    generator; TF1 graphs get the same seed through ``RunConfig(tf_random_seed=)``.
    On exit Python's and NumPy's global states are put back, so seeding a fit
    does not make the caller's own random draws repeat. TensorFlow has no public
    getter for its global seed, so that one stays set. ``None`` changes nothing.
    """
    if seed is None:
        yield
        return
    import keras  # deferred: the TF1 path needs Keras only for seeding

    python_state = random.getstate()
    numpy_state = np.random.get_state()
    keras.utils.set_random_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)

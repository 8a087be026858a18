"""Argument checks shared by the library, with one error format.

Every message reads: the argument in backticks, the constraint, what was
received, and a hint when there is one, e.g.
``\\`window\\` must be an int >= 1, got 0.``

Example
-------
>>> from tf_pipeline._checks import check_learning_rate, check_optimizer
>>> check_optimizer("Adagrad"), check_learning_rate(1)
('adagrad', 1.0)
>>> check_learning_rate(0)
Traceback (most recent call last):
...
ValueError: `learning_rate` must be > 0, got 0.
"""

from __future__ import annotations

import numbers

import numpy as np


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` or raise ``ValueError``/``TypeError``.

    Booleans are refused: ``True`` as a window size is always a bug.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an int, got {value!r} ({type(value).__name__}).")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}, got {value}.")
    return value


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError``."""
    if value not in choices:
        expected = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`{name}` must be one of {expected}, got {value!r}.")
    return value  # type: ignore[return-value]


def as_finite_1d(values: object, name: str, dtype: object = np.float32) -> np.ndarray:
    """Convert ``values`` to a finite one-dimensional array of ``dtype``.

    Raises ``ValueError`` for input that is not one-dimensional, not numeric,
    or holds NaN or infinity (naming the first offending position).
    """
    try:
        array = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"`{name}` must be numeric, got {type(values).__name__}: {error}."
        ) from None
    if array.ndim != 1:
        raise ValueError(
            f"`{name}` must be one-dimensional, got shape {array.shape}. "
            "Pass a single series (e.g. `df['col']` or `a.ravel()`)."
        )
    bad = ~np.isfinite(array)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"`{name}` must hold only finite values, got {array[position]} at position "
            f"{position} ({int(bad.sum())} non-finite in all). Fill or drop them first."
        )
    return array


# The optimizers every trainer of the project accepts, by their lower-case names
# (Keras' classes for the Keras path, tf.compat.v1.train's for the TF1 path).
OPTIMIZERS = ("adam", "adagrad", "sgd", "rmsprop")


def check_optimizer(value: object, name: str = "optimizer") -> str:
    """Return ``value`` lower-cased if it names one of :data:`OPTIMIZERS`.

    Case-insensitive, so TF1's spelling (``"Adagrad"``) is accepted.
    """
    if not isinstance(value, str):
        expected = ", ".join(repr(o) for o in OPTIMIZERS)
        raise TypeError(f"`{name}` must be one of {expected}, got {value!r}.")
    return check_choice(value.lower(), name, OPTIMIZERS)


def check_learning_rate(value: object, name: str = "learning_rate") -> float:
    """Return ``value`` as a float > 0, or raise ``TypeError``/``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a float, got {value!r}.")
    if not value > 0:  # also refuses NaN
        raise ValueError(f"`{name}` must be > 0, got {value}.")
    return float(value)

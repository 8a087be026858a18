"""The optimizer argument of the canned estimators: a name, an instance or a callable."""

from __future__ import annotations

from typing import Callable, Union

import tensorflow as tf

from tf_pipeline.compat.optimizers import OPTIMIZER_CLS_NAMES

# TF 2.15's canned estimators took these five names (contrib's "Momentum" was not one).
CANNED_OPTIMIZER_NAMES = ("Adagrad", "Adam", "Ftrl", "RMSProp", "SGD")

OptimizerArg = Union[str, tf.compat.v1.train.Optimizer, Callable[[], tf.compat.v1.train.Optimizer]]


def get_optimizer_instance(
    opt: OptimizerArg, learning_rate: float | None = None
) -> tf.compat.v1.train.Optimizer:
    """Return a ``tf.compat.v1.train.Optimizer`` for ``opt``, as TF 2.15's canned estimators.

    Parameters
    ----------
    opt : str, Optimizer or callable
        One of ``CANNED_OPTIMIZER_NAMES`` (built with ``learning_rate``), an optimizer
        instance, or a zero-argument callable returning one.
    learning_rate : float or None, default=None
        Used when ``opt`` is a name.

    Returns
    -------
    tf.compat.v1.train.Optimizer

    Raises
    ------
    ValueError
        If ``opt`` is an unknown name, a name without ``learning_rate``, or not an optimizer.
    """
    if isinstance(opt, str):
        if opt not in CANNED_OPTIMIZER_NAMES:
            expected = ", ".join(repr(n) for n in CANNED_OPTIMIZER_NAMES)
            raise ValueError(f"`optimizer` must be one of {expected}, got {opt!r}.")
        if not learning_rate:
            raise ValueError(
                f"`learning_rate` must be given when `optimizer` is a name, got {learning_rate!r}."
            )
        return OPTIMIZER_CLS_NAMES[opt](learning_rate=learning_rate)
    if callable(opt) and not isinstance(opt, tf.compat.v1.train.Optimizer):
        opt = opt()
    if not isinstance(opt, tf.compat.v1.train.Optimizer):
        raise ValueError(
            "`optimizer` must be a name, a tf.compat.v1.train.Optimizer or a callable "
            f"returning one, got {opt!r}."
        )
    return opt

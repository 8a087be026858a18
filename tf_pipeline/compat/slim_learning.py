"""``slim.learning.create_train_op``: one op that runs the update ops, a step and returns the loss.

A port of ``tf_slim.learning.create_train_op`` / ``training.create_train_op`` (TF 1.15
``contrib/slim/python/slim/learning.py``) on ``tf.compat.v1``. The train op waits for
every op in ``GraphKeys.UPDATE_OPS`` (batch-norm moving averages), applies the
optimizer's gradients (optionally scaled per variable and clipped by norm),
increments the global step and evaluates to the (checked) total loss.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.slim_learning import create_train_op
>>> with tf.Graph().as_default():
...     w = tf.compat.v1.get_variable("w", [], initializer=tf.constant_initializer(2.0))
...     train_op = create_train_op(tf.square(w), tf.compat.v1.train.GradientDescentOptimizer(0.25))
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.global_variables_initializer())
...         float(sess.run(train_op)), float(sess.run(w))
(4.0, 1.0)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import tensorflow as tf

__all__ = ["clip_gradient_norms", "create_train_op", "multiply_gradients"]

_LOG = logging.getLogger(__name__)
_V1 = tf.compat.v1
_USE_GLOBAL_STEP = object()

GradsAndVars = list[tuple[tf.Tensor | None, tf.Variable]]


def clip_gradient_norms(gradients_to_variables: GradsAndVars, max_norm: float) -> GradsAndVars:
    """Clip each gradient to norm ``max_norm`` (``tf.clip_by_norm``), keeping the pairs."""
    clipped = []
    for grad, var in gradients_to_variables:
        if grad is not None:
            if isinstance(grad, tf.IndexedSlices):
                grad = tf.IndexedSlices(
                    tf.clip_by_norm(grad.values, max_norm), grad.indices, grad.dense_shape
                )
            else:
                grad = tf.clip_by_norm(grad, max_norm)
        clipped.append((grad, var))
    return clipped


def multiply_gradients(
    grads_and_vars: GradsAndVars, gradient_multipliers: Mapping[object, float]
) -> GradsAndVars:
    """Scale the gradient of each variable (or variable op name) in ``gradient_multipliers``.

    Raises
    ------
    ValueError
        If ``gradient_multipliers`` is empty or a gradient is None.
    """
    if not gradient_multipliers:
        raise ValueError(
            f"`gradient_multipliers` must not be empty, got {gradient_multipliers!r}."
        )
    multiplied = []
    for grad, var in grads_and_vars:
        # Match keys by identity or op name: TF2 variables are not hashable.
        factors = [
            f
            for k, f in gradient_multipliers.items()
            if k is var or (isinstance(k, str) and k == var.op.name)
        ]
        if factors:
            if grad is None:
                raise ValueError(
                    f"`grads_and_vars` must hold a gradient for {var.op.name}, got None."
                )
            multiplier = factors[0]
            if not isinstance(multiplier, tf.Tensor):
                multiplier = tf.constant(multiplier, dtype=grad.dtype)
            if isinstance(grad, tf.IndexedSlices):
                grad = tf.IndexedSlices(grad.values * multiplier, grad.indices, grad.dense_shape)
            else:
                grad = grad * multiplier
        multiplied.append((grad, var))
    return multiplied


def create_train_op(
    total_loss: tf.Tensor,
    optimizer: _V1.train.Optimizer,
    global_step=_USE_GLOBAL_STEP,
    update_ops: Sequence[tf.Operation] | None = None,
    variables_to_train: Sequence[tf.Variable] | None = None,
    clip_gradient_norm: float = 0,
    summarize_gradients: bool = False,
    gate_gradients: int = _V1.train.Optimizer.GATE_OP,
    aggregation_method=None,
    colocate_gradients_with_ops: bool = False,
    gradient_multipliers: Mapping[object, float] | None = None,
    check_numerics: bool = True,
    transform_grads_fn: Callable[[GradsAndVars], GradsAndVars] | None = None,
) -> tf.Tensor:
    """Return a tensor that, when run, trains one step and evaluates to ``total_loss``.

    Parameters
    ----------
    total_loss : tf.Tensor
    optimizer : tf.compat.v1.train.Optimizer
    global_step : tf.Variable or None, default=the graph's (created if missing)
        ``None`` leaves no step counter incremented.
    update_ops : list or None, default=GraphKeys.UPDATE_OPS
        Ops run before the gradients are computed.
    variables_to_train : list or None, default=all trainable variables
    clip_gradient_norm : float, default=0
        Clip each gradient to this norm when > 0.
    summarize_gradients : bool, default=False
        Add histogram and norm summaries of the gradients.
    gate_gradients, aggregation_method, colocate_gradients_with_ops
        Passed to ``optimizer.compute_gradients``.
    gradient_multipliers : dict or None
        ``{variable or op name: factor}``.
    check_numerics : bool, default=True
        Fail when the loss is inf or NaN.
    transform_grads_fn : callable or None
        Applied to the (multiplied, clipped) gradients before they are applied.

    Raises
    ------
    ValueError
        If there is nothing to train.
    """
    if global_step is _USE_GLOBAL_STEP:
        global_step = _V1.train.get_or_create_global_step()
    global_update_ops = set(_V1.get_collection(_V1.GraphKeys.UPDATE_OPS))
    update_ops = global_update_ops if update_ops is None else set(update_ops)
    if not global_update_ops.issubset(update_ops):
        _LOG.warning(
            "update_ops in create_train_op does not contain all the update_ops in "
            "GraphKeys.UPDATE_OPS"
        )
    if update_ops:
        with tf.control_dependencies(update_ops):
            barrier = tf.no_op(name="update_barrier")
        with tf.control_dependencies([barrier]):
            total_loss = tf.identity(total_loss)
    if variables_to_train is None:
        variables_to_train = _V1.trainable_variables()
    if not variables_to_train:
        raise ValueError("`variables_to_train` must not be empty, got no trainable variables.")
    grads = optimizer.compute_gradients(
        total_loss,
        variables_to_train,
        gate_gradients=gate_gradients,
        aggregation_method=aggregation_method,
        colocate_gradients_with_ops=colocate_gradients_with_ops,
    )
    if gradient_multipliers:
        with tf.name_scope("multiply_grads"):
            grads = multiply_gradients(grads, gradient_multipliers)
    if clip_gradient_norm > 0:
        with tf.name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    if transform_grads_fn is not None:
        grads = transform_grads_fn(grads)
    if summarize_gradients:
        with tf.name_scope("summarize_grads"):
            for grad, var in grads:
                if grad is not None:
                    values = grad.values if isinstance(grad, tf.IndexedSlices) else grad
                    _V1.summary.histogram(var.op.name + "/gradient", values)
                    _V1.summary.scalar(
                        var.op.name + "/gradient_norm", tf.linalg.global_norm([values])
                    )
    grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
    with tf.name_scope("train_op"):
        if check_numerics:
            total_loss = tf.debugging.check_numerics(total_loss, "LossTensor is inf or nan")
        with tf.control_dependencies([grad_updates]):
            train_op = tf.identity(total_loss)
    train_ops = _V1.get_collection_ref(_V1.GraphKeys.TRAIN_OP)
    if not any(op is train_op for op in train_ops):
        train_ops.append(train_op)
    return train_op

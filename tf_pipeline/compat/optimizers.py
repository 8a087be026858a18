"""``tf.contrib.layers.optimize_loss`` rebuilt on public TensorFlow API.

Mirrors TF 1.15's ``tensorflow/contrib/layers/python/layers/optimizers.py``: the
same order of operations, scope (``OptimizeLoss``), variable and summary names.
Only the error messages are new (the project's format).

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.optimizers import optimize_loss
>>> with tf.Graph().as_default():
...     w = tf.compat.v1.get_variable("w", [], initializer=tf.compat.v1.constant_initializer(3.0))
...     step = tf.compat.v1.train.get_or_create_global_step()
...     train = optimize_loss(tf.square(w), step, learning_rate=0.25, optimizer="SGD")
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.global_variables_initializer())
...         loss_before = sess.run(train)  # w <- 3 - 0.25 * 2 * 3
...         w_after, step_after = sess.run([w, step])
>>> float(loss_before), float(w_after), int(step_after)
(9.0, 1.5, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import tensorflow as tf

from tf_pipeline._checks import check_choice

__all__ = ["OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES", "optimize_loss"]

_Optimizer = tf.compat.v1.train.Optimizer
GradsAndVars = list[tuple[tf.Tensor | tf.IndexedSlices | None, tf.Variable]]


def _momentum(learning_rate: float | tf.Tensor) -> _Optimizer:
    return tf.compat.v1.train.MomentumOptimizer(learning_rate, momentum=0.9)


OPTIMIZER_CLS_NAMES: dict[str, Callable[..., _Optimizer]] = {
    "Adagrad": tf.compat.v1.train.AdagradOptimizer,
    "Adam": tf.compat.v1.train.AdamOptimizer,
    "Ftrl": tf.compat.v1.train.FtrlOptimizer,
    "Momentum": _momentum,
    "RMSProp": tf.compat.v1.train.RMSPropOptimizer,
    "SGD": tf.compat.v1.train.GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = (
    "learning_rate",
    "loss",
    "gradients",
    "gradient_norm",
    "global_gradient_norm",
)


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def _with_dependencies(dependencies: Sequence[object], tensor: tf.Tensor) -> tf.Tensor:
    """Public-API twin of ``control_flow_ops.with_dependencies`` (same op names)."""
    with tf.compat.v1.name_scope(None, "control_dependency", [*dependencies, tensor]) as scope:
        # Graph.colocate_with: what tf.compat.v1.colocate_with calls, without its
        # deprecation notice (the same colocation attribute, so the same graph).
        graph = tf.compat.v1.get_default_graph()
        with graph.colocate_with(tensor), tf.control_dependencies(dependencies):
            return tf.identity(tensor, name=scope)


def _learning_rate(learning_rate: float | tf.Tensor | None) -> tf.Tensor | tf.Variable | None:
    if learning_rate is None:
        return None
    if isinstance(learning_rate, tf.Tensor) and learning_rate.shape.ndims == 0:
        return learning_rate
    # TF1 took only Python floats here (an int was refused), and so do we.
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(f"`learning_rate` must be a float >= 0.0, got {learning_rate}.")
        return tf.compat.v1.get_variable(
            "learning_rate",
            [],
            trainable=False,
            initializer=tf.compat.v1.constant_initializer(learning_rate),
        )
    raise ValueError(
        "`learning_rate` must be a float, a scalar (0-d) Tensor or None, "
        f"got {_describe(learning_rate)}."
    )


def _make_optimizer(optimizer: object, lr: tf.Tensor | tf.Variable | None) -> _Optimizer:
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError(
                "`learning_rate` must be given when `optimizer` is a name, "
                f"got None (optimizer={optimizer!r})."
            )
        check_choice(optimizer, "optimizer", tuple(OPTIMIZER_CLS_NAMES))
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, _Optimizer):
        if lr is None:
            raise ValueError(
                "`learning_rate` must be given when `optimizer` is an Optimizer class, "
                f"got None (optimizer={optimizer.__name__})."
            )
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, _Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer(lr) if lr is not None else optimizer()
        if not isinstance(opt, _Optimizer):
            raise ValueError(
                "`optimizer` must return a tf.compat.v1.train.Optimizer when called, "
                f"got {_describe(opt)}."
            )
        return opt
    raise ValueError(
        "`optimizer` must be a name, a tf.compat.v1.train.Optimizer subclass or instance, "
        f"or a function returning an Optimizer, got {_describe(optimizer)}."
    )


def optimize_loss(
    loss: tf.Tensor,
    global_step: tf.Variable | tf.Tensor | None,
    learning_rate: float | tf.Tensor | None,
    optimizer: str | type | _Optimizer | Callable[..., _Optimizer],
    gradient_noise_scale: float | None = None,
    gradient_multipliers: Mapping[tf.Variable | str, float] | None = None,
    clip_gradients: float | Callable[[GradsAndVars], GradsAndVars] | None = None,
    learning_rate_decay_fn: Callable[[tf.Tensor, tf.Tensor], tf.Tensor] | None = None,
    update_ops: Iterable[tf.Operation] | None = None,
    variables: Sequence[tf.Variable] | None = None,
    name: str | None = None,
    summaries: Sequence[str] | None = None,
    colocate_gradients_with_ops: bool = False,
    increment_global_step: bool = True,
) -> tf.Tensor:
    """Build a training op for ``loss``, as ``tf.contrib.layers.optimize_loss`` did.

    Parameters
    ----------
    loss : tf.Tensor
        Scalar loss.
    global_step : tf.Variable or None
        Scalar int step counter, incremented by each update unless
        ``increment_global_step`` is ``False``. ``None`` takes the graph's global
        step (``tf.compat.v1.train.get_global_step()``), if any.
    learning_rate : float, 0-d tf.Tensor or None
        A float becomes the non-trainable variable ``OptimizeLoss/learning_rate``.
    optimizer : str, Optimizer subclass, Optimizer instance or callable
        A name from ``OPTIMIZER_CLS_NAMES`` (``'Adagrad'``, ``'Adam'``, ``'Ftrl'``,
        ``'Momentum'`` with momentum 0.9, ``'RMSProp'``, ``'SGD'``); a
        ``tf.compat.v1.train.Optimizer`` subclass called with ``learning_rate=lr``;
        an instance, used as is; or a function called with the learning rate
        tensor (with no argument when ``learning_rate`` is ``None``).
    gradient_noise_scale : float or None, default=None
        Adds ``truncated_normal(shape) * gradient_noise_scale`` to each gradient.
    gradient_multipliers : dict or None, default=None
        Maps variables or variable names (``'w:0'``) to factors for their gradients.
    clip_gradients : float, callable or None, default=None
        A float clips by global norm; a callable maps the ``(gradient, variable)``
        list to a new one.
    learning_rate_decay_fn : callable or None, default=None
        ``fn(learning_rate, global_step) -> tf.Tensor``; needs a global step.
        Ignored when ``learning_rate`` is ``None``.
    update_ops : iterable of tf.Operation or None, default=None
        Run before the loss is computed; ``None`` takes the ``UPDATE_OPS`` collection.
    variables : list of tf.Variable or None, default=None
        Variables to train; ``None`` means all trainable variables.
    name : str or None, default=None
        Scope name; ``None`` gives ``OptimizeLoss`` (uniquified).
    summaries : list of str or None, default=None
        Names from ``OPTIMIZER_SUMMARIES``; ``None`` means
        ``['loss', 'learning_rate', 'global_gradient_norm']``. As in TF1, the
        ``learning_rate`` summary is only written when ``learning_rate_decay_fn``
        is given.
    colocate_gradients_with_ops : bool, default=False
        Passed to ``compute_gradients``.
    increment_global_step : bool, default=True
        Set to ``False`` when several ``optimize_loss`` ops make up one step.

    Returns
    -------
    tf.Tensor
        The loss, evaluated before the update, that runs the update when fetched.

    Raises
    ------
    ValueError
        For a non-scalar loss, a bad learning rate, optimizer, summary name or
        ``clip_gradients``, or a decay function without a global step.
    TypeError
        For a ``global_step`` that is not a scalar integer variable or tensor.
    """
    loss = tf.convert_to_tensor(loss)
    if loss.shape.ndims != 0:
        raise ValueError(f"`loss` must be a scalar tensor, got shape {loss.shape}.")
    if global_step is None:
        global_step = tf.compat.v1.train.get_global_step()
    else:
        tf.compat.v1.train.assert_global_step(global_step)
    with tf.compat.v1.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = set(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS))
        # Batch-norm style updates must see the same batch as the loss.
        if update_ops:
            loss = _with_dependencies(list(update_ops), loss)

        lr = _learning_rate(learning_rate)
        if summaries is None:
            summaries = ["loss", "learning_rate", "global_gradient_norm"]
        else:
            for index, summ in enumerate(summaries):
                check_choice(summ, f"summaries[{index}]", OPTIMIZER_SUMMARIES)
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError(
                    "`global_step` is required with `learning_rate_decay_fn`, got None. "
                    "Create one with tf.compat.v1.train.get_or_create_global_step()."
                )
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                tf.compat.v1.summary.scalar("learning_rate", lr)

        opt = _make_optimizer(optimizer, lr)

        if variables is None:
            variables = tf.compat.v1.trainable_variables()
        gradients = opt.compute_gradients(
            loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops
        )

        if gradient_noise_scale is not None:
            gradients = _add_scaled_noise_to_gradients(gradients, gradient_noise_scale)

        if gradient_multipliers is not None:
            gradients = _multiply_gradients(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError(
                    "`gradient_multipliers` left no (gradient, variable) pairs, "
                    f"got {gradient_multipliers!r}."
                )

        if "global_gradient_norm" in summaries or "gradient_norm" in summaries:
            tf.compat.v1.summary.scalar(
                "global_norm/gradient_norm", tf.linalg.global_norm([g for g, _ in gradients])
            )

        # TF1 tested for a Python float here, so an int limit is refused too.
        if isinstance(clip_gradients, float):
            gradients = _clip_gradients_by_norm(gradients, clip_gradients)
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(
                "`clip_gradients` must be a float, a callable or None, "
                f"got {_describe(clip_gradients)}."
            )

        if "loss" in summaries:
            tf.compat.v1.summary.scalar("loss", loss)

        for gradient, variable in gradients:
            values = gradient.values if isinstance(gradient, tf.IndexedSlices) else gradient
            if values is None:
                continue
            var_name = variable.name.replace(":", "_")
            if "gradients" in summaries:
                tf.compat.v1.summary.histogram(f"gradients/{var_name}", values)
            if "gradient_norm" in summaries:
                tf.compat.v1.summary.scalar(
                    f"gradient_norm/{var_name}", tf.linalg.global_norm([values])
                )

        if clip_gradients is not None and (
            "global_gradient_norm" in summaries or "gradient_norm" in summaries
        ):
            tf.compat.v1.summary.scalar(
                "global_norm/clipped_gradient_norm",
                tf.linalg.global_norm([g for g, _ in gradients]),
            )

        grad_updates = opt.apply_gradients(
            gradients,
            global_step=global_step if increment_global_step else None,
            name="train",
        )
        return _with_dependencies([grad_updates], loss)


def _clip_gradients_by_norm(grads_and_vars: GradsAndVars, clip_norm: float) -> GradsAndVars:
    gradients, variables = zip(*grads_and_vars, strict=True)
    clipped, _ = tf.clip_by_global_norm(gradients, clip_norm)
    return list(zip(clipped, variables, strict=True))


def _add_scaled_noise_to_gradients(grads_and_vars: GradsAndVars, scale: float) -> GradsAndVars:
    noisy = []
    for gradient, variable in grads_and_vars:
        if gradient is None:
            noisy.append((None, variable))
            continue
        if isinstance(gradient, tf.IndexedSlices):
            shape = gradient.dense_shape
        else:
            shape = gradient.shape
        noise = tf.random.truncated_normal(shape) * scale
        noisy.append((gradient + noise, variable))
    return noisy


def _multiply_gradients(
    grads_and_vars: GradsAndVars, multipliers: Mapping[tf.Variable | str, float]
) -> GradsAndVars:
    multiplied = []
    for grad, var in grads_and_vars:
        if grad is not None and (var in multipliers or var.name in multipliers):
            multiplier = multipliers[var if var in multipliers else var.name]
            if isinstance(grad, tf.IndexedSlices):
                grad = tf.IndexedSlices(grad.values * multiplier, grad.indices, grad.dense_shape)
            else:
                grad *= tf.cast(multiplier, grad.dtype)
        multiplied.append((grad, var))
    return multiplied

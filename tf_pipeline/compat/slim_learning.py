"""``slim.learning``: ``create_train_op`` (one op: update ops, a step, the loss) and ``train``.

A port of ``tf_slim.learning.create_train_op`` / ``training.create_train_op`` (TF 1.15
``contrib/slim/python/slim/learning.py``) on ``tf.compat.v1``. The train op waits for
every op in ``GraphKeys.UPDATE_OPS`` (batch-norm moving averages), applies the
optimizer's gradients (optionally scaled per variable and clipped by norm),
increments the global step and evaluates to the (checked) total loss; ``train`` runs
it in a ``tf.compat.v1.train.Supervisor`` session with checkpoints and summaries
(:class:`tf_pipeline.compat.supervisor.Supervisor`, whose background services run in
graph mode under TensorFlow 2.x).

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
import time
from collections.abc import Callable, Mapping, Sequence

import tensorflow as tf

from tf_pipeline.compat.supervisor import Supervisor

__all__ = [
    "clip_gradient_norms",
    "create_train_op",
    "multiply_gradients",
    "train",
    "train_step",
]

_LOG = logging.getLogger(__name__)
_V1 = tf.compat.v1
_USE_GLOBAL_STEP = object()
_USE_DEFAULT = object()  # train(): build the default op

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


def train_step(
    sess: _V1.Session,
    train_op: tf.Tensor,
    global_step: tf.Variable,
    train_step_kwargs: Mapping[str, tf.Tensor],
) -> tuple[float, bool]:
    """Run ``train_op`` once; log when ``should_log``; return ``(loss, should_stop)``."""
    start = time.time()
    total_loss, step = sess.run([train_op, global_step])
    elapsed = time.time() - start
    if "should_log" in train_step_kwargs and sess.run(train_step_kwargs["should_log"]):
        _LOG.info("global step %d: loss = %.4f (%.3f sec/step)", step, total_loss, elapsed)
    should_stop = False
    if "should_stop" in train_step_kwargs:
        should_stop = bool(sess.run(train_step_kwargs["should_stop"]))
    return total_loss, should_stop


def train(
    train_op: tf.Tensor,
    logdir: str | None,
    train_step_fn: Callable = train_step,
    train_step_kwargs=_USE_DEFAULT,
    log_every_n_steps: int = 1,
    graph: tf.Graph | None = None,
    master: str = "",
    is_chief: bool = True,
    global_step: tf.Variable | None = None,
    number_of_steps: int | None = None,
    init_op=_USE_DEFAULT,
    init_feed_dict: Mapping | None = None,
    local_init_op=_USE_DEFAULT,
    init_fn: Callable[[_V1.Session], None] | None = None,
    ready_op=_USE_DEFAULT,
    summary_op=_USE_DEFAULT,
    save_summaries_secs: int = 600,
    summary_writer=_USE_DEFAULT,
    startup_delay_steps: int = 0,
    saver: _V1.train.Saver | None = None,
    save_interval_secs: int = 600,
    sync_optimizer=None,
    session_config=None,
    session_wrapper: Callable | None = None,
    trace_every_n_steps: int | None = None,
    ignore_live_threads: bool = False,
) -> float | None:
    """slim's training loop: a ``tf.train.Supervisor`` session running ``train_step_fn``.

    Initialises (or restores from ``logdir``), starts the queue runners, runs
    ``train_op`` until ``number_of_steps`` global steps (or the input ends), writes
    summaries and checkpoints every ``save_summaries_secs`` / ``save_interval_secs``
    and a final checkpoint to ``logdir``. Returns the last loss.

    ``sync_optimizer``, ``trace_every_n_steps`` and ``startup_delay_steps`` (replicated
    training) are not restored and must keep their defaults. As in tf_slim, the chief's
    summaries, global-step/sec and timed checkpoints run in the Supervisor's background
    threads (:class:`tf_pipeline.compat.supervisor.Supervisor`).

    Raises
    ------
    ValueError
        If ``train_op`` is None, ``number_of_steps`` is not positive, a replicated-training
        option is set, or ``summary_op``/``saver`` are given without ``logdir``.
    """
    if train_op is None:
        raise ValueError("`train_op` must be a tensor, got None.")
    if sync_optimizer is not None or trace_every_n_steps is not None or startup_delay_steps:
        raise ValueError(
            "`sync_optimizer`, `trace_every_n_steps` and `startup_delay_steps` must keep their "
            f"defaults, got {sync_optimizer}, {trace_every_n_steps}, {startup_delay_steps}."
        )
    if logdir is None and (summary_op is not _USE_DEFAULT or saver is not None):
        raise ValueError("`logdir` must be given with `summary_op` or `saver`, got None.")
    if number_of_steps is not None and number_of_steps <= 0:
        raise ValueError(f"`number_of_steps` must be None or >= 1, got {number_of_steps}.")
    graph = graph or _V1.get_default_graph()
    with graph.as_default():
        if global_step is None:
            global_step = _V1.train.get_or_create_global_step()
        saver = saver or _V1.train.Saver()
        with tf.name_scope("init_ops"):
            if init_op is _USE_DEFAULT:
                init_op = _V1.global_variables_initializer()
            if ready_op is _USE_DEFAULT:
                ready_op = _V1.report_uninitialized_variables()
            if local_init_op is _USE_DEFAULT:
                local_init_op = tf.group(
                    _V1.local_variables_initializer(), _V1.tables_initializer()
                )
        if summary_op is _USE_DEFAULT:
            summary_op = _V1.summary.merge_all()
        if summary_writer is _USE_DEFAULT:
            summary_writer = _V1.train.Supervisor.USE_DEFAULT
        if train_step_kwargs is _USE_DEFAULT:
            with tf.name_scope("train_step"):
                train_step_kwargs = {
                    "should_stop": tf.greater_equal(global_step, number_of_steps)
                    if number_of_steps
                    else tf.constant(False)
                }
                if log_every_n_steps > 0:
                    train_step_kwargs["should_log"] = tf.equal(
                        tf.math.floormod(global_step, log_every_n_steps), 0
                    )
    # Everything the Supervisor builds (summary writer, saver ops) goes into `graph`.
    with graph.as_default():
        supervisor = Supervisor(
            graph=graph,
            is_chief=is_chief,
            logdir=logdir,
            init_op=init_op,
            init_feed_dict=init_feed_dict,
            local_init_op=local_init_op,
            ready_op=ready_op,
            summary_op=summary_op,
            summary_writer=summary_writer,
            global_step=global_step,
            saver=saver,
            save_summaries_secs=save_summaries_secs,
            save_model_secs=save_interval_secs,
            init_fn=init_fn,
        )
        if summary_writer is not None:
            train_step_kwargs["summary_writer"] = supervisor.summary_writer
        total_loss = None
        should_retry = True
        while should_retry:
            should_retry = False
            try:
                with supervisor.managed_session(
                    master, start_standard_services=False, config=session_config
                ) as sess:
                    if session_wrapper is not None:
                        sess = session_wrapper(sess)
                    if is_chief and logdir:
                        supervisor.start_standard_services(sess)
                    threads = supervisor.start_queue_runners(sess)
                    try:
                        while not supervisor.should_stop():
                            total_loss, should_stop = train_step_fn(
                                sess, train_op, global_step, train_step_kwargs
                            )
                            if should_stop:
                                supervisor.request_stop()
                                break
                    except tf.errors.OutOfRangeError as error:
                        _LOG.info("Caught OutOfRangeError. Stopping Training. %s", error)
                    if logdir and supervisor.is_chief:
                        supervisor.saver.save(
                            sess, supervisor.save_path, global_step=supervisor.global_step
                        )
                        supervisor.stop(
                            threads,
                            # managed_session closes it on exit; closing it here too
                            # (as tf_slim does) only warns of a closed FileWriter there.
                            close_summary_writer=False,
                            ignore_live_threads=ignore_live_threads,
                        )
            except tf.errors.AbortedError:
                _LOG.info("Retrying training!")
                should_retry = True
    return total_loss

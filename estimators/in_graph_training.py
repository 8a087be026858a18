"""The Estimator's fast path: K training steps per ``session.run`` (``RunConfig.train_loop``).

Used when ``RunConfig(train_loop="graph" | "xla")`` and the model_fn has an in-graph
forward (the legacy :func:`tf_pipeline.models.lstm_model` with Adagrad or SGD). The
model_fn's graph is built as usual, so every TF1 variable, slot, the learning-rate
variable and the global step exist with their TF1 names; the loop of
:mod:`tf_pipeline.training_loop` then trains those same variables. Checkpoints written
by one path restore into the other.

Cadence is kept: each run stops at the next step where a checkpoint, summary or log
line is due (counted from the step training started at, as the hooks count), so
``save_checkpoints_steps``, ``save_summary_steps`` and the 100-step log land on the
same steps as in the per-step path.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import tensorflow as tf

from estimators.data_feeder import DataFeeder
from estimators.hooks import nan_loss_error
from tf_pipeline.training_loop import LOOP_OPTIMIZERS, InGraphLoop, build_in_graph_loop

logger = logging.getLogger("estimators")


def _variable(name: str) -> tf.Variable | None:
    matches = [v for v in tf.compat.v1.global_variables() if v.op.name == name]
    return matches[0] if matches else None


def build_model_loop(
    forward: Any,
    feeder: DataFeeder,
    global_step: tf.Variable,
    optimizer: str,
    mode: str,
) -> InGraphLoop:
    """The in-graph loop over the variables the model_fn just created."""
    if optimizer not in LOOP_OPTIMIZERS:
        raise ValueError(
            f"`train_loop={mode!r}` supports the optimizers {LOOP_OPTIMIZERS}, got "
            f"{optimizer!r}. Use train_loop='session' for other optimizers."
        )
    variables = tf.compat.v1.trainable_variables()
    slots = None
    if optimizer == "Adagrad":
        slots = [_variable(f"OptimizeLoss/{v.op.name}/Adagrad") for v in variables]
        if any(slot is None for slot in slots):
            raise ValueError(
                "The model_fn did not create optimize_loss's Adagrad slots; "
                "use train_loop='session'."
            )
    learning_rate = _variable("OptimizeLoss/learning_rate")
    if learning_rate is None:
        raise ValueError(
            "The model_fn has no `OptimizeLoss/learning_rate` variable; use train_loop='session'."
        )
    return build_in_graph_loop(
        forward=forward,
        variables=variables,
        slots=slots,
        learning_rate=learning_rate,
        global_step=global_step,
        x_shape=feeder.x.shape,
        x_dtype=tf.as_dtype(feeder.x.dtype),
        batch_size=feeder.batch_size,
        optimizer=optimizer,
        mode=mode,
    )


class InGraphLoopHook(tf.compat.v1.train.SessionRunHook):
    """Feed K batches per run, stop at the last step, and do the per-step hooks' work.

    It checks for NaN and inf (before the checkpoint hook runs), logs ``loss = ..., step = ...``
    and writes the loss and gradient-norm summaries on the same steps as the per-step
    path.
    """

    def __init__(
        self,
        loop: InGraphLoop,
        feeder: DataFeeder,
        global_step: tf.Variable,
        model_dir: str,
        *,
        steps_per_run: int,
        steps: int | None,
        max_steps: int | None,
        cadences: dict[str, int | None],
    ) -> None:
        self._loop = loop
        self._feeder = feeder
        self._global_step = global_step
        self._model_dir = model_dir
        self._steps_per_run = steps_per_run
        self._steps = steps
        self._max_steps = max_steps
        self._cadences = {k: v for k, v in cadences.items() if v}
        self._last_log_time: float | None = None

    def after_create_session(self, session, coord):
        self._loop.load_data(session, self._feeder.x, self._feeder.y)
        self._start = int(session.run(self._global_step))
        self._current = self._start
        self._last = self._max_steps if self._steps is None else self._start + self._steps
        self._writer = tf.compat.v1.summary.FileWriterCache.get(self._model_dir)

    def _block_size(self) -> int:
        done = self._current - self._start
        size = min(self._steps_per_run, self._last - self._current)
        for every in self._cadences.values():
            size = min(size, every - done % every)
        return max(size, 1)

    @property
    def last_run_steps(self) -> int:
        return self._size

    def before_run(self, run_context):
        self._size = self._block_size()
        batches = [self._feeder.next_batch_indices() for _ in range(self._size)]
        return tf.compat.v1.train.SessionRunArgs(
            [self._loop.losses, self._loop.gradient_norm], feed_dict=self._loop.feed_dict(batches)
        )

    def after_run(self, run_context, run_values):
        losses, norm = run_values.results
        first = self._current
        self._current += self._size
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            loss = float(losses[bad[0]])
            raise nan_loss_error(first + int(bad[0]), loss, self._model_dir)
        self._log(losses, first)
        self._summarise(losses[-1], norm)
        if self._last is not None and self._current >= self._last:
            run_context.request_stop()

    def _log(self, losses: np.ndarray, first: int) -> None:
        every = self._cadences.get("log")
        for k, loss in enumerate(losses):
            if every is None or (first + k - self._start) % every:
                continue
            now = time.perf_counter()
            if self._last_log_time is None:
                logger.info("loss = %s, step = %s", loss, first + k)
            else:
                elapsed = now - self._last_log_time
                logger.info(
                    "loss = %s, step = %s (%.3f sec, %.1f steps/s)",
                    loss,
                    first + k,
                    elapsed,
                    every / elapsed,
                )
            self._last_log_time = now

    def _summarise(self, loss: float, norm: float) -> None:
        every = self._cadences.get("summary")
        done = self._current - self._start
        if every is None or (done % every and done != self._size):
            return
        summary = tf.compat.v1.Summary(
            value=[
                tf.compat.v1.Summary.Value(tag="OptimizeLoss/loss", simple_value=float(loss)),
                tf.compat.v1.Summary.Value(
                    tag="OptimizeLoss/global_norm/gradient_norm", simple_value=float(norm)
                ),
            ]
        )
        self._writer.add_summary(summary, self._current)

    def end(self, session):
        self._writer.flush()

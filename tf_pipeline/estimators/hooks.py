"""Session hooks the Estimator adds to training: non-finite loss guard and progress logging."""

from __future__ import annotations

import logging
import math
import time

import tensorflow as tf

from tf_pipeline.errors import NanLossError
from tf_pipeline.training_loop import LOOP_LOSSES

__all__ = [
    "LoggingHook",
    "NanLossError",
    "NanLossHook",
    "ProgressHook",
    "RunStepCounterHook",
    "TrainingTimerHook",
]

logger = logging.getLogger("estimators")


def nan_loss_error(step: int, loss: float, model_dir: str) -> NanLossError:
    """The :class:`NanLossError` of an Estimator, naming the checkpoint that is kept."""
    latest = tf.train.latest_checkpoint(model_dir)
    kept = (
        f"The last good checkpoint is kept: {latest}."
        if latest is not None
        else f"No checkpoint was written to {model_dir}."
    )
    return NanLossError.at_step(step, loss, kept)


class NanLossHook(tf.compat.v1.train.SessionRunHook):
    """Stop training with :class:`NanLossError` when the loss is NaN or infinite.

    It must run before the checkpoint hook in the same step, so that weights
    updated by a non-finite gradient are never saved. The step it names is the global
    step before the bad step's update, counted from the value read at session start
    (reading the global step in the run that increments it gives either value, by chance).
    """

    def __init__(self, loss: tf.Tensor, global_step: tf.Tensor, model_dir: str) -> None:
        self._loss = loss
        self._global_step = global_step
        self._model_dir = model_dir
        self._step = 0

    def after_create_session(self, session, coord):
        self._step = int(session.run(self._global_step))

    def before_run(self, run_context):
        return tf.compat.v1.train.SessionRunArgs(self._loss)

    def after_run(self, run_context, run_values):
        loss = float(run_values.results)
        if not math.isfinite(loss):
            raise nan_loss_error(self._step, loss, self._model_dir)
        self._step += 1


class LoggingHook(tf.compat.v1.train.SessionRunHook):
    """Log ``loss = ..., step = ...`` every ``every_n_iter`` steps, and the steps/s.

    The step is counted from the global step read once at session start: fetching
    the global step in the same run as its increment would read it before or after
    the update, by chance. So ``step = N`` is the step whose loss is shown (the global
    step before that step's update), as in the in-graph loop's log.
    """

    def __init__(self, loss: tf.Tensor, global_step: tf.Tensor, every_n_iter: int) -> None:
        self._loss = loss
        self._global_step = global_step
        self._every = every_n_iter
        self._iteration = 0
        self._last_time: float | None = None

    def after_create_session(self, session, coord):
        self._start = int(session.run(self._global_step))

    def before_run(self, run_context):
        if self._iteration % self._every == 0:
            return tf.compat.v1.train.SessionRunArgs(self._loss)
        return None

    def after_run(self, run_context, run_values):
        if self._iteration % self._every == 0:
            loss, step = run_values.results, self._start + self._iteration
            now = time.perf_counter()
            if self._last_time is None:
                logger.info("loss = %s, step = %s", loss, step)
            else:
                elapsed = now - self._last_time
                logger.info(
                    "loss = %s, step = %s (%.3f sec, %.1f steps/s)",
                    loss,
                    step,
                    elapsed,
                    self._every / elapsed,
                )
            self._last_time = now
        self._iteration += 1


class TrainingTimerHook(tf.compat.v1.train.SessionRunHook):
    """Time every training run: how many steps it did and how long it took.

    ``steps_of_run`` says how many steps the current run performs (1 per run on the
    per-step path, K on the in-graph loop).
    """

    def __init__(self, steps_of_run) -> None:
        self._steps_of_run = steps_of_run
        self.runs: list[tuple[int, float]] = []

    def before_run(self, run_context):
        self._start = time.perf_counter()

    def after_run(self, run_context, run_values):
        self.runs.append((self._steps_of_run(), time.perf_counter() - self._start))

    def stats(self) -> dict[str, float]:
        """Totals, and the steady rate without the first run (graph warm-up, XLA compile)."""
        steps = sum(n for n, _ in self.runs)
        seconds = sum(t for _, t in self.runs)
        stats = {"steps": steps, "seconds": seconds, "runs": len(self.runs)}
        stats["steps_per_second"] = steps / seconds if seconds else float("nan")
        if len(self.runs) > 1:
            rest_steps = steps - self.runs[0][0]
            rest_seconds = seconds - self.runs[0][1]
            stats["first_run_seconds"] = self.runs[0][1]
            stats["steady_steps_per_second"] = rest_steps / rest_seconds
        return stats


class ProgressHook(tf.compat.v1.train.SessionRunHook):
    """Advance a progress bar by the steps each run trains, showing the running loss.

    Works on the per-step path (one step per run) and on the in-graph loop (K steps
    per run, whose per-step losses it reads). Pass it in ``monitors``; the caller owns
    (and closes) the bar.

    Parameters
    ----------
    bar : tf_pipeline.progress.ProgressBar
        Any object with ``advance(losses)``.
    """

    def __init__(self, bar) -> None:
        self._bar = bar

    def begin(self):
        graph = tf.compat.v1.get_default_graph()
        try:
            self._fetch = graph.get_tensor_by_name(f"{LOOP_LOSSES}:0")
        except KeyError:
            # The Estimator adds the model_fn's loss to LOSSES last.
            self._fetch = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.LOSSES)[-1]

    def before_run(self, run_context):
        return tf.compat.v1.train.SessionRunArgs(self._fetch)

    def after_run(self, run_context, run_values):
        self._bar.advance(run_values.results)


class RunStepCounterHook(tf.compat.v1.train.SessionRunHook):
    """``global_step/sec`` for runs of many steps (the in-graph loop), read after each run.

    TF's ``StepCounterHook`` fetches the global step *in* each run, a read that races the
    loop's own increments: two runs may then read the same value and it warns "global
    step has not been increased". This hook reads the step once a run has finished and
    writes the same ``global_step/sec`` summary (and INFO log line) every
    ``every_n_steps`` steps or more.

    Parameters
    ----------
    every_n_steps : int
        The fewest steps between two rates.
    output_dir : str
        Where the summary goes (the model_dir).
    """

    def __init__(self, every_n_steps: int, output_dir: str) -> None:
        self._every_n_steps = every_n_steps
        self._output_dir = output_dir
        self._last: tuple[int, float] | None = None

    def begin(self):
        self._global_step = tf.compat.v1.train.get_global_step()
        self._writer = tf.compat.v1.summary.FileWriterCache.get(self._output_dir)

    def after_create_session(self, session, coord):
        self._last = (int(session.run(self._global_step)), time.time())

    def after_run(self, run_context, run_values):
        step = int(run_context.session.run(self._global_step))
        now = time.time()
        last_step, last_time = self._last
        if step - last_step >= self._every_n_steps and now > last_time:
            rate = (step - last_step) / (now - last_time)
            value = tf.compat.v1.Summary.Value(tag="global_step/sec", simple_value=rate)
            self._writer.add_summary(tf.compat.v1.Summary(value=[value]), step)
            logger.info("global_step/sec: %g", rate)
            self._last = (step, now)

"""The Estimator's fast path: K training steps of any TF1 model_fn per ``session.run``.

``RunConfig.train_loop`` picks the path:

* ``"auto"`` (default): the XLA-compiled loop when a fit on numpy ``x``/``y`` runs at
  least :data:`AUTO_XLA_MIN_STEPS` steps (enough to repay the compilation), else one
  ``session.run`` per step. A model or hook the loop cannot run exactly (below) falls
  back to the per-step path, with the reason logged once.
* ``"session"``: one ``session.run`` per step, bit for bit TF1's behaviour.
* ``"graph"``: the loop without XLA (the per-step kernels; equal to the per-step path
  within float round-off).
* ``"xla"``: the loop compiled by XLA (within 1e-5 after 100 steps).

A run performs up to ``RunConfig.steps_per_run`` (default 1000) steps. A later fit
of the same graph signature reuses the loop an earlier one kept -- graph, session and
XLA program -- and trains bit for bit as a new loop would (see
:mod:`~tf_pipeline.estimators.loop_cache`): only a process's first fit of a model pays
the tracing and the compilation, and a program compiled by an earlier process is loaded
from disk instead (:mod:`tf_pipeline.xla_cache`). A new loop's session starts in a
background thread as soon as the model is traced: one run initialises the variables and
loads the data, then a run of no steps compiles the loop, while the fit builds its
saver and hooks and writes graph.pbtxt and the first checkpoint; the first K-step run
waits only for the compiled program (TensorFlow's XLA launch waits for a compilation
in progress). In XLA mode a one-step ``dynamic_rnn`` is unrolled
(:func:`~tf_pipeline.compat.rnn.functions.unrolled_dynamic_rnns`).

The model_fn is traced once inside the loop body (see :mod:`tf_pipeline.training_loop`),
so any model built from ``get_variable`` variables and trained by ``optimize_loss`` or a
``tf.compat.v1.train`` optimizer runs in it, with its own variables, slots and names:
checkpoints written by one path restore into the other.

When the loop falls back:

* stateful random ops (dropout, sampling), in every mode: the loop would draw another
  stream (a random op in a nested loop body restarts its stream each step; XLA's
  generator draws other numbers);
* hooks that must see every step: any hook but the monitors' adapter whose monitors
  are all ``ValidationMonitor``/``StopAtStep`` (their ``every_n_steps`` boundaries end
  a run), including the model_fn's own ``training_hooks``;
* data from an ``input_fn`` (the loop keeps numpy data in the graph; an input_fn's
  dataset is not moved into the loop yet).

Cadence is kept: each run stops at the next step where a checkpoint or monitor is
due (counted from the step training started at, as the hooks count), so
``save_checkpoints_steps`` and ``every_n_steps`` land on the same steps as in the
per-step path. Log lines and summaries need no stop: the loop returns every step's
loss and scalar summaries, and after each run the hook writes those due at its steps
(the 100-step log; ``save_summary_steps``), on the same steps and with the same values
as the per-step ``SummarySaverHook``. The summaries written are the model's scalar
summaries (``optimize_loss``'s loss, learning rate, gradient norm, ...).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import tensorflow as tf

from tf_pipeline.estimators.background import BackgroundCall
from tf_pipeline.estimators.data_feeder import DataFeeder, label_shape
from tf_pipeline.estimators.hooks import nan_loss_error
from tf_pipeline.estimators.model_fn import model_fn_args
from tf_pipeline.training_loop import TracedLoop, build_traced_loop
from tf_pipeline.xla_cache import drop_unreadable_programs, quiet_loads

if TYPE_CHECKING:
    from tf_pipeline.estimators.loop_cache import StartedSession

logger = logging.getLogger("estimators")

AUTO_XLA_MIN_STEPS = 1000
"""``train_loop="auto"`` compiles the loop with XLA for fits of at least this many steps."""

_LOGGED: set[str] = set()


class LoopRunError(RuntimeError):
    """A run of the in-graph loop failed.

    Raised instead of TensorFlow's error: an ``OutOfRangeError`` would end a
    ``MonitoredSession`` as if the input were used up, and the fit would return having
    trained nothing.
    """

    def __init__(self, error: Exception, removed: list | None = None) -> None:
        message = getattr(error, "message", str(error))
        text = f"The in-graph training loop failed: {type(error).__name__}: {message}"
        if removed:
            text += (
                f" (unreadable compiled programs removed from the XLA cache: "
                f"{', '.join(str(p) for p in removed)}; fitting again compiles them anew)"
            )
        super().__init__(text)


class LoopUnsupported(Exception):
    """The model or its hooks cannot run in the in-graph loop; train per step."""


def log_fallback(reason: str) -> None:
    """Log why a fit trains per step, once per reason and process."""
    if reason not in _LOGGED:
        _LOGGED.add(reason)
        logger.warning("Training one step per session.run: %s", reason)


def resolve_train_loop(
    train_loop: str, feeder: DataFeeder | None, steps: int | None, hooks: list
) -> tuple[str, list[int]]:
    """The loop mode a fit uses and the monitor cadences its runs must stop at.

    A fit the loop cannot run (an input_fn, a hook that must see every step) trains per
    step: ``"session"``, with the reason logged once.
    """
    if train_loop == "session" or (train_loop == "auto" and feeder is None):
        return "session", []  # the default on an input_fn: TF1's path, nothing to report
    try:
        if feeder is None:
            raise LoopUnsupported(
                f"`train_loop={train_loop!r}` keeps the data in the graph, so it needs numpy "
                "`x`/`y`, not an input_fn."
            )
        cadences = _hook_cadences(hooks)
    except LoopUnsupported as error:
        log_fallback(str(error))
        return "session", []
    if train_loop == "auto":
        if steps is None or steps < AUTO_XLA_MIN_STEPS:
            return "session", []
        return "xla", cadences
    return train_loop, cadences


def _hook_cadences(hooks: list) -> list[int]:
    from tf_pipeline.estimators.hooks import ProgressHook
    from tf_pipeline.estimators.monitors import (
        RunHookAdapterForMonitors,
        StopAtStep,
        ValidationMonitor,
    )

    cadences = []
    for hook in hooks:
        if isinstance(hook, ProgressHook):  # reads the losses of every run's steps
            continue
        monitors = getattr(hook, "_monitors", None)
        if isinstance(hook, RunHookAdapterForMonitors) and all(
            isinstance(m, (ValidationMonitor, StopAtStep)) for m in monitors
        ):
            cadences += [m._every_n_steps for m in monitors if isinstance(m, ValidationMonitor)]
            continue
        raise LoopUnsupported(f"the hook {type(hook).__name__} must see every step.")
    return cadences


def loop_cache_key(estimator: Any, feeder: DataFeeder, mode: str) -> tuple | None:
    """The graph signature of a loop fit (see :mod:`~tf_pipeline.estimators.loop_cache`).

    None (the loop is not kept) without a graph seed: TF1 draws other initial values
    in every unseeded fit, which replaying the first fit's values would not.
    """
    config = estimator.config
    if config.tf_random_seed is None:
        return None
    takes = model_fn_args(estimator._model_fn)
    y = feeder.y
    key = (
        type(estimator),
        estimator._model_fn,
        repr(estimator.params),
        mode,
        config.steps_per_run,
        config.tf_random_seed,
        config.keep_checkpoint_max,
        config.keep_checkpoint_every_n_hours,
        str(config.session_config_or_default()),
        feeder.x.dtype.str,
        (len(feeder.x), *feeder.input_shape[1:]),
        None if y is None else (y.dtype.str, (len(y), *label_shape(y.shape))),
        feeder.batch_size,
        estimator.model_dir if "model_dir" in takes else None,
        repr(sorted(vars(config).items())) if "config" in takes else None,
    )
    try:
        hash(key)
    except TypeError:  # an unhashable model_fn
        return None
    return key


def build_loop(step_fn: Any, feeder: DataFeeder, *, mode: str, steps_per_run: int) -> TracedLoop:
    """Trace ``step_fn`` (the model_fn in TRAIN mode) in a K-step loop over the feeder's data.

    Raises :class:`LoopUnsupported` when the traced model cannot loop in this mode;
    the caller then builds the per-step graph.
    """
    y_shape = None
    if feeder.y is not None:
        y_shape = (len(feeder.y), *label_shape(feeder.y.shape))
    x_shape = (len(feeder.x), *feeder.input_shape[1:])
    loop = build_traced_loop(
        step_fn,
        x_shape=x_shape,
        x_dtype=feeder.x.dtype,
        y_shape=y_shape,
        y_dtype=None if feeder.y is None else feeder.y.dtype,
        batch_size=feeder.batch_size,
        steps_per_run=steps_per_run,
        mode=mode,
    )
    ops = loop.outputs[-1]  # step_fn returns (loss, train_op, model_fn_ops)
    hooks = list(getattr(ops, "training_hooks", [])) + list(
        getattr(ops, "training_chief_hooks", [])
    )
    if hooks:
        raise LoopUnsupported(
            f"the model_fn's training hooks ({', '.join(type(h).__name__ for h in hooks)}) "
            "must see every step."
        )
    if loop.random_ops:
        # Measured: dropout inside dynamic_rnn draws the same masks every loop step (the
        # nested body's kernels restart), and XLA's generator draws other numbers.
        raise LoopUnsupported(
            f"the model's random ops ({', '.join(loop.random_ops)}) would draw another "
            "stream in the loop."
        )
    if loop.dropped_summaries:
        log_fallback_summary(loop.dropped_summaries)
    return loop


def log_fallback_summary(names: list[str]) -> None:
    reason = f"the in-graph loop writes scalar summaries only; not written: {names}"
    if reason not in _LOGGED:
        _LOGGED.add(reason)
        logger.info(reason)


class InGraphLoopHook(tf.compat.v1.train.SessionRunHook):
    """Feed K batches per run, stop at the last step, and do the per-step hooks' work.

    It checks for NaN and inf (before the checkpoint hook runs), logs
    ``loss = ..., step = ...`` and writes the model's scalar summaries on the same steps
    as the per-step path.
    """

    def __init__(
        self,
        loop: TracedLoop,
        feeder: DataFeeder,
        global_step: tf.Variable,
        model_dir: str,
        *,
        steps: int | None,
        max_steps: int | None,
        cadences: dict[str, int | None],
    ) -> None:
        self._loop = loop
        self._feeder = feeder
        self._global_step = global_step
        self._model_dir = model_dir
        self._steps_per_run = loop.steps_per_run
        self._steps = steps
        self._max_steps = max_steps
        self._cadences = {k: v for k, v in cadences.items() if v}
        self._last_log_time: float | None = None
        self._size = 0
        self._compiling: BackgroundCall | StartedSession | None = None  # has join()

    def start_session(self, creator: Any) -> None:
        """Have the kept loop's ``creator`` make a new session now, in the background.

        The data are loaded with the variables' initial values (one run) and the loop
        compiled there while the fit builds its saver and hooks
        (:meth:`~tf_pipeline.estimators.loop_cache.KeptSessionCreator.start`); when
        the graph needs TF's own ``Scaffold`` initialisation, nothing starts early.
        """
        self._compiling = creator.start(self._data_loader(), then=self.compile)

    def _data_loader(self) -> tuple[list[tf.Operation], dict]:
        y = None
        if self._feeder.y is not None:
            y = self._feeder.y.reshape([len(self._feeder.y), *label_shape(self._feeder.y.shape)])
        x = self._feeder.x.reshape([len(self._feeder.x), *self._feeder.input_shape[1:]])
        return self._loop.data_loader(x, y)

    def compile(self, session: tf.compat.v1.Session) -> None:
        """A run of no steps: it compiles the loop (XLA) and changes no variable."""
        try:
            with quiet_loads():  # a program loaded from the disk cache logs harmless lines
                session.run(self._loop.losses, self._loop.no_steps_feed())
        except tf.errors.OpError as error:
            # A cached program damaged since the import (see xla_cache.configure): the
            # session keeps the failure, so the next fit, not this one, compiles anew.
            removed = drop_unreadable_programs()
            raise LoopRunError(error, removed) from error

    def after_create_session(self, session, coord):
        if self._compiling is None:  # not started early: load and compile here
            session.run(*self._data_loader())
            # The hooks after this one write graph.pbtxt and the step-0 checkpoint
            # meanwhile.
            self._compiling = BackgroundCall(self.compile, session)
        self._start = int(session.run(self._global_step))
        self._current = self._start
        self._last = self._max_steps if self._steps is None else self._start + self._steps
        self._writer = tf.compat.v1.summary.FileWriterCache.get(self._model_dir)

    def failure(self, error: tf.errors.OpError) -> Exception | None:
        """What a failed run of the loop raises instead of ``error``, if anything.

        The compilation's error when it failed (the run waited for it and failed
        alike), else a :class:`LoopRunError` for an ``OutOfRangeError`` (which
        ``MonitoredSession`` would take for the end of the input).
        """
        try:
            self._join_compilation()
        except LoopRunError as compile_error:
            return compile_error
        if isinstance(error, tf.errors.OutOfRangeError):
            return LoopRunError(error)
        return None

    def _join_compilation(self) -> None:
        if self._compiling is not None:
            self._compiling, compiling = None, self._compiling
            compiling.join()

    def _block_size(self) -> int:
        done = self._current - self._start
        size = self._steps_per_run
        if self._last is not None:
            size = min(size, self._last - self._current)
        for name, every in self._cadences.items():
            # Log lines and summaries come from the per-step values any run returns;
            # checkpoints and monitors need the session between two steps.
            if name not in ("log", "summary"):
                size = min(size, every - done % every)
        return max(size, 1)

    @property
    def last_run_steps(self) -> int:
        return self._size

    def before_run(self, run_context):
        # No wait for the compilation: the first run's own XLA launch waits for the
        # program being compiled, and setting up the run's executor overlaps it.
        self._size = self._block_size()
        batches = [self._feeder.next_batch_indices() for _ in range(self._size)]
        scalars = list(self._loop.scalars.values())
        return tf.compat.v1.train.SessionRunArgs(
            [self._loop.losses, scalars], feed_dict=self._loop.feed_dict(batches)
        )

    def after_run(self, run_context, run_values):
        self._join_compilation()  # done: this run used its program
        losses, scalars = run_values.results
        first = self._current
        self._current += self._size
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            loss = float(losses[bad[0]])
            raise nan_loss_error(first + int(bad[0]), loss, self._model_dir)
        self._log(losses, first)
        self._summarise(dict(zip(self._loop.scalars, scalars, strict=True)), first)
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

    def _summarise(self, scalars: dict[str, np.ndarray], first: int) -> None:
        """Write the summaries due at this run's steps, as ``SummarySaverHook`` does.

        Per step, that hook writes at the global step after the fit's first step and
        then every ``save_summary_steps`` steps, the values of the step that reached it.
        """
        every = self._cadences.get("summary")
        if every is None:
            return
        if first == self._start:  # as the hook's first run does
            start = tf.compat.v1.SessionLog(status=tf.compat.v1.SessionLog.START)
            self._writer.add_session_log(start, first + 1)
        for k in range(self._size if scalars else 0):
            if (first + k - self._start) % every:
                continue
            summary = tf.compat.v1.Summary(
                value=[
                    tf.compat.v1.Summary.Value(tag=tag, simple_value=float(values[k]))
                    for tag, values in scalars.items()
                ]
            )
            self._writer.add_summary(summary, first + k + 1)

    def end(self, session):
        self._join_compilation()  # when no run happened (stopped at once)
        self._writer.flush()  # the engine flushes again after the final checkpoint's log

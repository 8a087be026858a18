"""``tf.contrib.learn.monitors``: TF 1.x training monitors, run as one SessionRunHook.

A monitor sees every training step (``step_begin`` may ask for tensors, ``step_end`` gets
their values and may stop training by returning True). ``Estimator.fit(monitors=[...])``
passes them through :func:`replace_monitors_with_hooks`, which wraps them in one
:class:`RunHookAdapterForMonitors`, as TF 1.x did. ``step`` is the global step *after* the
step (the TF1 adapter's ``global step before the run + 1``); it is read after each run,
so it never depends on whether a fetch ran before or after the global-step increment.

:class:`ValidationMonitor` evaluates the latest checkpoint every ``every_n_steps`` steps
(when it is new) and stops training when ``early_stopping_metric`` has not improved for
``early_stopping_rounds`` steps: with ``best_step`` the step of the best value so far, it
stops at the first evaluation where ``step - best_step >= early_stopping_rounds``.

Example
-------
>>> import numpy as np
>>> from estimators import Estimator, RunConfig
>>> from estimators.monitors import ValidationMonitor
>>> from estimators.learn_models import linear_regression_zero_init
>>> def model_fn(features, labels):
...     import tensorflow as tf
...     predictions, loss = linear_regression_zero_init(features, labels)
...     step = tf.compat.v1.train.get_global_step()
...     train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, step)
...     return predictions, loss, train_op
>>> x = np.arange(8, dtype=np.float32).reshape(4, 2) / 8
>>> monitor = ValidationMonitor(x=x, y=x.sum(1), every_n_steps=2, early_stopping_rounds=4,
...                             check_interval_secs=None)
>>> est = Estimator(model_fn, config=RunConfig(save_checkpoints_steps=2))
>>> est = est.fit(x=x, y=x.sum(1), steps=6, monitors=[monitor])
>>> monitor.best_step
6
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterable
from typing import Any

import tensorflow as tf

logger = logging.getLogger("estimators")


class BaseMonitor:
    """Base class of monitors: ``begin``/``end`` of training, ``step_begin``/``step_end``.

    Subclasses call the ``super()`` implementation of every callback they override.
    """

    def __init__(self) -> None:
        self._begun = False
        self._current_epoch: int | None = None
        self._current_step: int | None = None
        self._max_steps: int | None = None
        self._estimator: Any = None

    @property
    def run_on_all_workers(self) -> bool:
        return False

    def set_estimator(self, estimator: Any) -> None:
        """Called by the Estimator that trains with this monitor."""
        if estimator is None:
            raise ValueError("`estimator` must be an Estimator, got None.")
        self._estimator = estimator

    def begin(self, max_steps: int | None = None) -> None:
        """Training begins; the default graph is the training graph."""
        if self._begun:
            raise ValueError("`begin` must not be called twice without `end`, got a second call.")
        self._max_steps = max_steps
        self._begun = True

    def end(self, session: tf.compat.v1.Session | None = None) -> None:
        """Training (or evaluation) ended."""
        del session
        if not self._begun:
            raise ValueError("`end` must follow `begin`, got `end` without `begin`.")
        self._max_steps = None
        self._begun = False

    def epoch_begin(self, epoch: int) -> None:
        if self._current_epoch is not None:
            raise ValueError("`epoch_begin` must not be called twice without `epoch_end`.")
        if epoch < 0:
            raise ValueError(f"`epoch` must be >= 0, got {epoch}.")
        self._current_epoch = epoch

    def epoch_end(self, epoch: int) -> None:
        if self._current_epoch != epoch:
            raise ValueError(f"`epoch` must be {self._current_epoch}, got {epoch}.")
        self._current_epoch = None

    def step_begin(self, step: int) -> list:
        """Before the step; returns the tensors (or tensor names) to fetch in it."""
        if step < 0 or (self._max_steps is not None and step > self._max_steps):
            raise ValueError(f"`step` must be in [0, {self._max_steps}], got {step}.")
        self._current_step = step
        return []

    def step_end(self, step: int, output: dict) -> bool:
        """After the step, with the fetched values; return True to stop training."""
        del output
        if self._current_step != step:
            raise ValueError(f"`step` must be {self._current_step}, got {step}.")
        self._current_step = None
        return False

    def post_step(self, step: int, session: tf.compat.v1.Session) -> None:
        """After ``step_end``, with a session for extra runs."""
        del step, session


def _extract_output(outputs: dict, request: Any) -> Any:
    if request in outputs:
        return outputs[request]
    return outputs[request.name]


class EveryN(BaseMonitor):
    """Calls ``every_n_step_begin``/``every_n_step_end``/``every_n_post_step`` every N steps.

    Parameters
    ----------
    every_n_steps : int, default=100
        Steps between calls: a call happens at step >= last active step + N.
    first_n_steps : int, default=1
        Also call at every step <= this (global step).
    """

    def __init__(self, every_n_steps: int = 100, first_n_steps: int = 1) -> None:
        super().__init__()
        self._every_n_steps = every_n_steps
        self._first_n_steps = first_n_steps
        self._last_successful_step: int | None = None
        self._last_active_step = 0
        self._every_n_step_begin_called = False

    def every_n_step_begin(self, step: int) -> list:
        del step
        return []

    def every_n_step_end(self, step: int, outputs: dict) -> bool:
        del step, outputs
        return False

    def every_n_post_step(self, step: int, session: tf.compat.v1.Session) -> None:
        del step, session

    def step_begin(self, step: int) -> list:
        super().step_begin(step)
        if (
            step <= self._first_n_steps
            or step >= self._every_n_steps + self._last_active_step
            or step == self._max_steps
        ):
            self._every_n_step_begin_called = True
            return self.every_n_step_begin(step)
        self._every_n_step_begin_called = False
        return []

    def step_end(self, step: int, output: dict) -> bool:
        super().step_end(step, output)
        if self._every_n_step_begin_called:
            return bool(self.every_n_step_end(step, output))
        return False

    def post_step(self, step: int, session: tf.compat.v1.Session) -> None:
        super().post_step(step, session)
        if self._every_n_step_begin_called:
            self.every_n_post_step(step, session)
            self._last_active_step = step
        self._last_successful_step = step

    def end(self, session: tf.compat.v1.Session | None = None) -> None:
        super().end(session=session)
        if self._last_successful_step != self._last_active_step:
            self.every_n_post_step(self._last_successful_step, session)


class StopAtStep(BaseMonitor):
    """Stop after ``num_steps`` steps of this fit, or once global step ``last_step`` ran."""

    def __init__(self, num_steps: int | None = None, last_step: int | None = None) -> None:
        super().__init__()
        if (num_steps is None) == (last_step is None):
            raise ValueError(
                f"Give one of `num_steps` or `last_step`, got num_steps={num_steps}, "
                f"last_step={last_step}."
            )
        self._num_steps = num_steps
        self._last_step = last_step

    @property
    def run_on_all_workers(self) -> bool:
        return True

    def step_begin(self, step: int) -> list:
        super().step_begin(step)
        if self._last_step is None:
            self._last_step = step + self._num_steps - 1
        return []

    def step_end(self, step: int, output: dict) -> bool:
        super().step_end(step, output)
        return step >= self._last_step


class PrintTensor(EveryN):
    """Log tensors (``{tag: name}`` or names) at INFO every ``every_n`` steps."""

    def __init__(self, tensor_names: Any, every_n: int = 100, first_n: int = 1) -> None:
        super().__init__(every_n, first_n)
        if not isinstance(tensor_names, dict):
            tensor_names = {item: item for item in tensor_names}
        self._tensor_names = tensor_names

    def every_n_step_begin(self, step: int) -> list:
        super().every_n_step_begin(step)
        return list(self._tensor_names.values())

    def every_n_step_end(self, step: int, outputs: dict) -> bool:
        super().every_n_step_end(step, outputs)
        stats = [
            f"{tag} = {_extract_output(outputs, name)}"
            for tag, name in self._tensor_names.items()
            if name in outputs
        ]
        logger.info("Step %d: %s", step, ", ".join(stats))
        return False


LoggingTensor = PrintTensor


class LoggingTrainable(EveryN):
    """Log the trainable variables (matching ``scope``) every ``every_n`` steps."""

    def __init__(self, scope: str | None = None, every_n: int = 100, first_n: int = 1) -> None:
        super().__init__(every_n, first_n)
        self._scope = scope
        self._names: dict[str, str] = {}

    def begin(self, max_steps: int | None = None) -> None:
        super().begin(max_steps)
        # Read ops are made here: the graph is final once steps run (train_op exists now).
        trainables = tf.compat.v1.get_collection(
            tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, scope=self._scope
        )
        self._names = {var.name: tf.convert_to_tensor(var).name for var in trainables}

    def every_n_step_begin(self, step: int) -> list:
        super().every_n_step_begin(step)
        return list(self._names.values())

    def every_n_step_end(self, step: int, outputs: dict) -> bool:
        super().every_n_step_end(step, outputs)
        stats = [
            f"{tag} = {_extract_output(outputs, name)}"
            for tag, name in self._names.items()
            if name in outputs
        ]
        logger.info("Logging Trainable: Step %d: %s", step, ", ".join(stats))
        return False


class CaptureVariable(EveryN):
    """Keep the value of tensor ``var_name`` (with ``:0``) every ``every_n`` steps.

    Attributes
    ----------
    values : dict
        ``{step: value}``.
    """

    def __init__(self, var_name: str, every_n: int = 100, first_n: int = 1) -> None:
        super().__init__(every_n, first_n)
        self._var_name = var_name
        self._var_values: dict[int, Any] = {}

    @property
    def values(self) -> dict[int, Any]:
        return self._var_values

    def every_n_step_begin(self, step: int) -> list:
        super().every_n_step_begin(step)
        return [self._var_name]

    def every_n_step_end(self, step: int, outputs: dict) -> bool:
        super().every_n_step_end(step, outputs)
        self._var_values[step] = _extract_output(outputs, self._var_name)
        return False


class ValidationMonitor(EveryN):
    """Evaluate the latest checkpoint every ``every_n_steps`` steps; stop early on a plateau.

    The evaluation reads the latest *saved* checkpoint, which is usually older than the
    current step; a checkpoint already evaluated is skipped. Set
    ``RunConfig(save_checkpoints_steps=...)`` so checkpoints appear while training.

    Parameters
    ----------
    x, y, input_fn, batch_size, eval_steps, metrics, hooks, name
        Passed to ``Estimator.evaluate`` (``eval_steps`` as ``steps``).
    every_n_steps : int, default=100
    early_stopping_rounds : int, optional
        Stop when ``early_stopping_metric`` has not improved for this many steps.
    early_stopping_metric : str, default="loss"
    early_stopping_metric_minimize : bool, default=True
    check_interval_secs : float, optional, default=5
        Look for a new checkpoint at most this often (TF 1.15's default); None: every time.

    Attributes
    ----------
    best_step, best_value, best_metrics, early_stopped
    """

    def __init__(
        self,
        x: Any = None,
        y: Any = None,
        input_fn: Any = None,
        batch_size: int | None = None,
        eval_steps: int | None = None,
        every_n_steps: int = 100,
        metrics: dict | None = None,
        hooks: list | None = None,
        early_stopping_rounds: int | None = None,
        early_stopping_metric: str = "loss",
        early_stopping_metric_minimize: bool = True,
        name: str | None = None,
        check_interval_secs: float | None = 5,
    ) -> None:
        super().__init__(every_n_steps=every_n_steps, first_n_steps=-1)
        if x is None and input_fn is None:
            raise ValueError("Give `x` or `input_fn` to ValidationMonitor, got neither.")
        self.x = x
        self.y = y
        self.input_fn = input_fn
        self.batch_size = batch_size
        self.eval_steps = eval_steps
        self.metrics = metrics
        self.hooks = hooks
        self.early_stopping_rounds = early_stopping_rounds
        self.early_stopping_metric = early_stopping_metric
        self.early_stopping_metric_minimize = early_stopping_metric_minimize
        self.name = name
        self._check_interval_secs = check_interval_secs
        self._last_checkpoint_check_time: float | None = None
        self._best_value_step: int | None = None
        self._best_value: Any = None
        self._best_metrics: dict | None = None
        self._early_stopped = False
        self._latest_path: str | None = None
        self._latest_path_step: int | None = None

    @property
    def early_stopped(self) -> bool:
        """Did this monitor stop training?"""
        return self._early_stopped

    @property
    def best_step(self) -> int | None:
        """The training step at which the best metric value was seen."""
        return self._best_value_step

    @property
    def best_value(self) -> Any:
        """The best value of ``early_stopping_metric`` so far."""
        return self._best_value

    @property
    def best_metrics(self) -> dict | None:
        """All evaluation results at ``best_step``."""
        return self._best_metrics

    def every_n_step_end(self, step: int, outputs: dict) -> bool:
        super().every_n_step_end(step, outputs)
        if self._estimator is None:
            raise ValueError("ValidationMonitor must be given an Estimator (`set_estimator`).")
        now = time.time()
        if (
            self._check_interval_secs is not None
            and self._last_checkpoint_check_time is not None
            and now - self._last_checkpoint_check_time <= self._check_interval_secs
        ):
            return False
        self._last_checkpoint_check_time = now
        latest_path = tf.train.latest_checkpoint(self._estimator.model_dir)
        if latest_path is None:
            logger.debug("Skipping evaluation: no checkpoint yet at step %d.", step)
            return False
        if latest_path == self._latest_path:
            logger.debug(
                "Skipping evaluation: same checkpoint %s at step %d as at step %d.",
                latest_path,
                step,
                self._latest_path_step,
            )
            return False
        self._latest_path = latest_path
        self._latest_path_step = step
        results = self._estimator.evaluate(
            x=self.x,
            y=self.y,
            input_fn=self.input_fn,
            batch_size=self.batch_size,
            steps=self.eval_steps,
            metrics=self.metrics,
            hooks=self.hooks,
            name=self.name,
        )
        logger.info(
            "Validation (step %d): %s", step, ", ".join(f"{k} = {v}" for k, v in results.items())
        )
        if self.early_stopping_rounds is None:
            return False
        if self.early_stopping_metric not in results:
            raise ValueError(
                f"`early_stopping_metric` must name an evaluation result {sorted(results)}, "
                f"got {self.early_stopping_metric!r}."
            )
        value = results[self.early_stopping_metric]
        if (
            self._best_value is None
            or (self.early_stopping_metric_minimize and value < self._best_value)
            or (not self.early_stopping_metric_minimize and value > self._best_value)
        ):
            self._best_value = value
            self._best_metrics = copy.copy(results)
            self._best_value_step = step
        if step - self._best_value_step >= self.early_stopping_rounds:
            logger.info(
                "Stopping. Best step: %s with %s = %s.",
                self._best_value_step,
                self.early_stopping_metric,
                self._best_value,
            )
            self._early_stopped = True
            return True
        return False


class RunHookAdapterForMonitors(tf.compat.v1.train.SessionRunHook):
    """Run TF1 monitors as one ``SessionRunHook``."""

    def __init__(self, monitors: list[BaseMonitor]) -> None:
        self._monitors = monitors

    def begin(self) -> None:
        self._last_step: int | None = None
        self._global_step = tf.compat.v1.train.get_global_step()
        if self._global_step is None:
            raise ValueError("Monitors need a global step in the graph, got none.")
        for monitor in self._monitors:
            monitor.begin(max_steps=None)

    def before_run(self, run_context):
        if self._last_step is None:
            self._last_step = int(run_context.session.run(self._global_step)) + 1
        fetches: list = []
        for monitor in self._monitors:
            requests = monitor.step_begin(self._last_step)
            if requests:
                if not isinstance(requests, list):
                    raise ValueError(
                        f"`step_begin` must return a list, got {type(requests).__name__}."
                    )
                fetches.extend(requests)
        if not fetches:
            return None
        graph = tf.compat.v1.get_default_graph()
        return tf.compat.v1.train.SessionRunArgs(
            {fetch: _as_graph_element(graph, fetch) for fetch in fetches}
        )

    def after_run(self, run_context, run_values):
        results = run_values.results or {}
        for monitor in self._monitors:
            if monitor.step_end(self._last_step, results):
                run_context.request_stop()
        for monitor in self._monitors:
            monitor.post_step(self._last_step, run_context.session)
        # Read after the run: a fetch beside the increment could see either value.
        self._last_step = int(run_context.session.run(self._global_step)) + 1

    def end(self, session):
        self._last_step = None
        for monitor in self._monitors:
            monitor.end(session=session)


def _as_graph_element(graph: tf.Graph, obj: Any) -> Any:
    if not isinstance(obj, str):
        if getattr(obj, "graph", None) is not graph:
            raise ValueError(f"Monitor fetches must belong to the training graph, got {obj!r}.")
        return obj
    if ":" in obj:
        return _value_of(graph.as_graph_element(obj))
    element = graph.as_graph_element(obj + ":0")
    try:
        graph.as_graph_element(obj + ":1")
    except (KeyError, ValueError):
        return _value_of(element)
    raise ValueError(f"Monitor fetch {obj!r} must name one tensor, got an op with several.")


def _value_of(element: Any) -> Any:
    """``"w:0"`` meant a variable's value in TF1; for a resource variable it is its handle."""
    if isinstance(element, tf.Tensor) and element.dtype == tf.resource:
        for variable in tf.compat.v1.global_variables() + tf.compat.v1.local_variables():
            if variable.handle.name == element.name:
                return variable  # fetching the variable reads its value
    return element


def replace_monitors_with_hooks(monitors_or_hooks: Iterable[Any] | None, estimator: Any) -> list:
    """SessionRunHooks as given, plus one adapter running every TF1 monitor (bound to it)."""
    items = list(monitors_or_hooks or [])
    hooks = [m for m in items if isinstance(m, tf.compat.v1.train.SessionRunHook)]
    monitors = [m for m in items if not isinstance(m, tf.compat.v1.train.SessionRunHook)]
    for monitor in monitors:
        if not isinstance(monitor, BaseMonitor):
            raise TypeError(
                "`monitors` must hold SessionRunHooks or tf.contrib.learn monitors, got "
                f"{monitor!r}."
            )
        monitor.set_estimator(estimator)
    if monitors:
        hooks.append(RunHookAdapterForMonitors(monitors))
    return hooks


__all__ = [
    "BaseMonitor",
    "CaptureVariable",
    "EveryN",
    "LoggingTensor",
    "LoggingTrainable",
    "PrintTensor",
    "RunHookAdapterForMonitors",
    "StopAtStep",
    "ValidationMonitor",
    "replace_monitors_with_hooks",
]

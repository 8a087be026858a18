"""``tf.contrib.learn.Experiment``: train and evaluate one Estimator, locally.

The schedules ``learn_runner.run`` calls: :meth:`Experiment.train`,
:meth:`Experiment.evaluate`, :meth:`Experiment.train_and_evaluate` (training with a
``ValidationMonitor`` every ``min_eval_frequency`` steps, then one final evaluation),
:meth:`Experiment.continuous_train_and_eval` (alternate training chunks and evaluations),
:meth:`Experiment.test` (one step of each) and :meth:`Experiment.local_run`. Distributed
schedules (parameter servers, ``run_std_server``) and exports are not restored: this
project runs one process.

Example
-------
>>> import numpy as np, tensorflow as tf
>>> from estimators import Estimator, RunConfig
>>> from estimators.experiment import Experiment
>>> from estimators.learn_models import linear_regression_zero_init
>>> def model_fn(features, labels):
...     predictions, loss = linear_regression_zero_init(features, labels)
...     step = tf.compat.v1.train.get_global_step()
...     train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, step)
...     return predictions, loss, train_op
>>> def input_fn():
...     x = np.arange(8, dtype=np.float32).reshape(4, 2) / 8
...     return tf.constant(x), tf.constant(x.sum(1))
>>> experiment = Experiment(Estimator(model_fn), input_fn, input_fn, train_steps=5,
...                         eval_steps=1)
>>> result, exports = experiment.train_and_evaluate()
>>> int(result["global_step"]), exports
(5, [])
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

from tf_pipeline.estimators.monitors import ValidationMonitor

logger = logging.getLogger("estimators")

# TF 1.15's default chunk when neither train_steps_per_iteration nor train_steps is set.
TRAIN_STEPS_PER_ITERATION = 1000


class Experiment:
    """An Estimator with its training and evaluation inputs and schedule settings.

    Parameters
    ----------
    estimator : Estimator
    train_input_fn, eval_input_fn : callable
        ``() -> (features, labels)``.
    eval_metrics : dict, optional
        ``metrics=`` of ``Estimator.evaluate`` (``MetricSpec`` values).
    train_steps : int, optional
        Global step to train to (``max_steps``); None trains until the input ends.
    eval_steps : int, optional, default=100
        Batches per evaluation; None evaluates until the input ends.
    train_monitors : list, optional
        Monitors or SessionRunHooks for training.
    eval_hooks : list of SessionRunHook, optional
    eval_delay_secs : float, default=120
        Wait before :meth:`evaluate` (TF1's default; set 0 for scripts).
    min_eval_frequency : int, optional
        Steps between evaluations in :meth:`train_and_evaluate`; None means 1 (TF1's local
        default), 0 evaluates only after training.
    train_steps_per_iteration : int, optional
        Training chunk of :meth:`continuous_train_and_eval`; default ``train_steps // 10``.
    check_interval_secs : float, default=5
        At most this often the validation monitor looks for a new checkpoint.
    local_eval_frequency, continuous_eval_throttle_secs, delay_workers_by_global_step
        Accepted for TF1 signatures; no effect in one process.
    export_strategies, saving_listeners, checkpoint_and_export
        Not supported (must be left unset).
    """

    def __init__(
        self,
        estimator: Any,
        train_input_fn: Callable,
        eval_input_fn: Callable,
        eval_metrics: dict | None = None,
        train_steps: int | None = None,
        eval_steps: int | None = 100,
        train_monitors: list | None = None,
        eval_hooks: list | None = None,
        local_eval_frequency: int | None = None,
        eval_delay_secs: float = 120,
        continuous_eval_throttle_secs: float = 60,
        min_eval_frequency: int | None = None,
        delay_workers_by_global_step: bool = False,
        export_strategies: Any = None,
        train_steps_per_iteration: int | None = None,
        checkpoint_and_export: bool = False,
        saving_listeners: Any = None,
        check_interval_secs: float | None = 5,
    ) -> None:
        if not hasattr(estimator, "fit") or not hasattr(estimator, "evaluate"):
            kind = type(estimator).__name__
            raise TypeError(f"`estimator` must be a tf.contrib.learn Estimator, got {kind}.")
        for name, fn in (("train_input_fn", train_input_fn), ("eval_input_fn", eval_input_fn)):
            if not callable(fn):
                raise TypeError(f"`{name}` must be callable, got {fn!r}.")
        for name, value in (
            ("export_strategies", export_strategies),
            ("saving_listeners", saving_listeners),
        ):
            if value:
                raise ValueError(f"`{name}` must be None (no exports here), got {value!r}.")
        if checkpoint_and_export:
            raise ValueError("`checkpoint_and_export` must be False (no exports), got True.")
        self._estimator = estimator
        self._train_input_fn = train_input_fn
        self._eval_input_fn = eval_input_fn
        self._eval_metrics = eval_metrics
        self._train_steps = train_steps
        self._eval_steps = eval_steps
        self._train_monitors = list(train_monitors or [])
        self._eval_hooks = list(eval_hooks or [])
        self._local_eval_frequency = local_eval_frequency
        self._eval_delay_secs = eval_delay_secs
        self._continuous_eval_throttle_secs = continuous_eval_throttle_secs
        self._min_eval_frequency = 1 if min_eval_frequency is None else min_eval_frequency
        self._delay_workers_by_global_step = delay_workers_by_global_step
        self._train_steps_per_iteration = train_steps_per_iteration
        self._check_interval_secs = check_interval_secs

    @property
    def estimator(self) -> Any:
        return self._estimator

    @property
    def eval_metrics(self) -> dict | None:
        return self._eval_metrics

    @property
    def train_steps(self) -> int | None:
        return self._train_steps

    @property
    def eval_steps(self) -> int | None:
        return self._eval_steps

    def train(self, delay_secs: float | None = None) -> Any:
        """Fit up to ``train_steps`` with ``train_monitors``; returns the estimator."""
        if delay_secs:  # TF1 delayed only distributed workers; locally the default is 0
            time.sleep(delay_secs)
        return self._train(max_steps=self._train_steps, monitors=self._train_monitors)

    def evaluate(self, delay_secs: float | None = None, name: str | None = None) -> dict:
        """Wait ``delay_secs`` (default ``eval_delay_secs``), then evaluate ``eval_steps``."""
        delay_secs = self._eval_delay_secs if delay_secs is None else delay_secs
        if delay_secs:
            logger.info("Waiting %g secs before starting eval.", delay_secs)
            time.sleep(delay_secs)
        return self._evaluate(name=name or "one_pass", steps=self._eval_steps)

    def train_and_evaluate(self) -> tuple[dict, list]:
        """Train (validating every ``min_eval_frequency`` steps), then evaluate once.

        Returns
        -------
        (dict, list)
            The final evaluation and the export results (always empty here).
        """
        monitors = list(self._train_monitors)
        if self._min_eval_frequency:
            monitors.append(
                ValidationMonitor(
                    input_fn=self._eval_input_fn,
                    eval_steps=self._eval_steps,
                    metrics=self._eval_metrics,
                    every_n_steps=self._min_eval_frequency,
                    check_interval_secs=self._check_interval_secs,
                    name="one_pass",
                    hooks=self._eval_hooks,
                )
            )
        self._train(max_steps=self._train_steps, monitors=monitors)
        return self._evaluate(name="one_pass", steps=self._eval_steps), []

    def continuous_train_and_eval(
        self, continuous_eval_predicate_fn: Callable | None = None
    ) -> tuple[dict | None, list]:
        """Alternate ``train_steps_per_iteration`` training steps and one evaluation.

        Stops when the evaluated global step reaches ``train_steps``, or when
        ``continuous_eval_predicate_fn(eval_result)`` returns False (checked before each
        round; it gets None before the first).
        """
        if continuous_eval_predicate_fn is not None and not callable(continuous_eval_predicate_fn):
            raise TypeError(
                f"`continuous_eval_predicate_fn` must be callable, got "
                f"{continuous_eval_predicate_fn!r}."
            )
        chunk = TRAIN_STEPS_PER_ITERATION
        if self._train_steps_per_iteration is not None:
            chunk = self._train_steps_per_iteration
        elif self._train_steps is not None:
            chunk = max(1, self._train_steps // 10)
        eval_result = None
        while continuous_eval_predicate_fn is None or _call_predicate(
            continuous_eval_predicate_fn, eval_result, self._estimator
        ):
            if self._has_training_stopped(eval_result):
                break
            self._train(steps=chunk, monitors=self._train_monitors)
            eval_result = self._evaluate(name="one_pass", steps=self._eval_steps)
        return eval_result, []

    def test(self) -> dict:
        """One training step and one evaluation batch: a smoke test of the wiring."""
        self._train(steps=1, monitors=self._train_monitors)
        return self._evaluate(name="one_pass", steps=1)

    def local_run(self) -> tuple[dict, list]:
        """Deprecated TF1 alias of :meth:`train_and_evaluate`."""
        return self.train_and_evaluate()

    def _has_training_stopped(self, eval_result: dict | None) -> bool:
        if not eval_result or self._train_steps is None:
            return False
        return int(eval_result.get("global_step", 0)) >= self._train_steps

    def _train(self, **kwargs: Any) -> Any:
        return self._estimator.fit(input_fn=self._train_input_fn, **kwargs)

    def _evaluate(self, *, name: str, steps: int | None) -> dict:
        return self._estimator.evaluate(
            input_fn=self._eval_input_fn,
            steps=steps,
            metrics=self._eval_metrics,
            name=name,
            hooks=self._eval_hooks,
        )


def _call_predicate(predicate: Callable, eval_result: dict | None, estimator: Any) -> bool:
    # TF 1.15 passed checkpoint_path too when the predicate takes it.
    if "checkpoint_path" in inspect.signature(predicate).parameters:
        import tensorflow as tf

        return bool(
            predicate(eval_result, checkpoint_path=tf.train.latest_checkpoint(estimator.model_dir))
        )
    return bool(predicate(eval_result))


__all__ = ["Experiment"]

"""``TrainSpec``, ``EvalSpec`` and ``train_and_evaluate`` in local mode (TF 2.15).

Local ``train_and_evaluate`` trains once with a checkpoint listener: after every
checkpoint but the first (at most once per ``throttle_secs``) it evaluates the new
checkpoint and runs the exporters; when training ends it evaluates the last checkpoint
unless that was just done. It returns the last evaluation's metrics and its export
results.

Example
-------
>>> spec = EvalSpec(input_fn=lambda: None, steps=None, throttle_secs=0)
>>> spec.steps is None, spec.exporters
(True, ())
"""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

import tensorflow as tf

from tf_pipeline.estimators.tf_estimator.exporter import Exporter

logger = logging.getLogger("estimators")


class TrainSpec(
    collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks", "saving_listeners"])
):
    """What ``train_and_evaluate`` trains on, and for how long (``max_steps``)."""

    def __new__(
        cls,
        input_fn: Callable,
        max_steps: int | None = None,
        hooks: Iterable[Any] | None = None,
        saving_listeners: Iterable[Any] | None = None,
    ) -> TrainSpec:
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, got {input_fn!r}.")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"`max_steps` must be a positive int or None, got {max_steps}.")
        hooks = tuple(hooks or ())
        for hook in hooks:
            if not isinstance(hook, tf.compat.v1.train.SessionRunHook):
                raise TypeError(f"`hooks` must hold SessionRunHooks, got {hook!r}.")
        saving_listeners = tuple(saving_listeners or ())
        for listener in saving_listeners:
            if not isinstance(listener, tf.compat.v1.train.CheckpointSaverListener):
                raise TypeError(
                    f"`saving_listeners` must hold CheckpointSaverListeners, got {listener!r}."
                )
        return super().__new__(cls, input_fn, max_steps, hooks, saving_listeners)


class EvalSpec(
    collections.namedtuple(
        "EvalSpec",
        ["input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs", "throttle_secs"],
    )
):
    """How ``train_and_evaluate`` evaluates (and exports) during training."""

    def __new__(
        cls,
        input_fn: Callable,
        steps: int | None = 100,
        name: str | None = None,
        hooks: Iterable[Any] | None = None,
        exporters: Any = None,
        start_delay_secs: int = 120,
        throttle_secs: int = 600,
    ) -> EvalSpec:
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, got {input_fn!r}.")
        if steps is not None and steps <= 0:
            raise ValueError(f"`steps` must be a positive int or None, got {steps}.")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a string or None, got {name!r}.")
        hooks = tuple(hooks or ())
        for hook in hooks:
            if not isinstance(hook, tf.compat.v1.train.SessionRunHook):
                raise TypeError(f"`hooks` must hold SessionRunHooks, got {hook!r}.")
        if exporters is None:
            exporters = ()
        elif isinstance(exporters, Exporter):
            exporters = (exporters,)
        exporters = tuple(exporters)
        names = set()
        for exporter in exporters:
            if not isinstance(exporter, Exporter):
                raise TypeError(f"`exporters` must hold Exporters, got {exporter!r}.")
            if exporter.name in names:
                raise ValueError(
                    f"`exporters` must have unique names, got {exporter.name!r} twice."
                )
            names.add(exporter.name)
        if start_delay_secs < 0:
            raise ValueError(f"`start_delay_secs` must be >= 0, got {start_delay_secs}.")
        if throttle_secs < 0:
            raise ValueError(f"`throttle_secs` must be >= 0, got {throttle_secs}.")
        return super().__new__(
            cls, input_fn, steps, name, hooks, exporters, start_delay_secs, throttle_secs
        )


class _Evaluator:
    """Evaluate the latest checkpoint once per new checkpoint and run the exporters."""

    def __init__(self, estimator: Any, eval_spec: EvalSpec, max_steps: int | None) -> None:
        self._estimator = estimator
        self._spec = eval_spec
        self._max_steps = max_steps
        self._previous_checkpoint: str | None = None

    def evaluate_and_export(self) -> tuple[dict | None, list]:
        checkpoint = self._estimator.latest_checkpoint()
        if not checkpoint or checkpoint == self._previous_checkpoint:
            return None, []
        metrics = self._estimator.evaluate(
            input_fn=self._spec.input_fn,
            steps=self._spec.steps,
            name=self._spec.name,
            checkpoint_path=checkpoint,
            hooks=self._spec.hooks,
        )
        final = bool(self._max_steps) and metrics["global_step"] >= self._max_steps
        base = os.path.join(self._estimator.model_dir, "export")
        results = [
            exporter.export(
                estimator=self._estimator,
                export_path=os.path.join(base, exporter.name),
                checkpoint_path=checkpoint,
                eval_result=metrics,
                is_the_final_export=final,
            )
            for exporter in self._spec.exporters
        ]
        self._previous_checkpoint = checkpoint
        return metrics, results


class _EvaluateAfterSave(tf.compat.v1.train.CheckpointSaverListener):
    """Evaluate after each new checkpoint (throttled), and at the end if not yet done."""

    def __init__(self, evaluator: _Evaluator, throttle_secs: int) -> None:
        self._evaluator = evaluator
        self._throttle_secs = throttle_secs
        self.eval_result: dict | None = None
        self.export_results: list | None = None

    def begin(self):
        self._timer = tf.compat.v1.train.SecondOrStepTimer(every_secs=self._throttle_secs)
        self._is_first_run = True

    def after_save(self, session, global_step_value):
        if self._is_first_run:  # the checkpoint of the untrained (or restored) model
            self._is_first_run = False
            return
        if self._timer.should_trigger_for_step(global_step_value):
            self._evaluate(global_step_value)
        else:
            logger.info(
                "Skip the current checkpoint eval due to throttle secs (%s secs).",
                self._throttle_secs,
            )

    def end(self, session, global_step_value):
        if global_step_value != self._timer.last_triggered_step():
            self._evaluate(global_step_value)

    def _evaluate(self, global_step_value: int) -> None:
        self._timer.update_last_triggered_step(global_step_value)
        metrics, exports = self._evaluator.evaluate_and_export()
        if metrics is not None:
            self.eval_result, self.export_results = metrics, exports


def train_and_evaluate(
    estimator: Any, train_spec: TrainSpec, eval_spec: EvalSpec
) -> tuple[dict[str, Any] | None, list[Any] | None]:
    """Train ``estimator`` and evaluate/export after its checkpoints (local mode).

    Returns
    -------
    tuple
        ``(metrics, export_results)`` of the last evaluation (``(None, None)`` when no
        evaluation ran, e.g. ``max_steps`` was already reached).
    """
    if not isinstance(train_spec, TrainSpec):
        raise TypeError(f"`train_spec` must be a TrainSpec, got {type(train_spec).__name__}.")
    if not isinstance(eval_spec, EvalSpec):
        raise TypeError(f"`eval_spec` must be an EvalSpec, got {type(eval_spec).__name__}.")
    config = estimator.config
    logger.info(
        "Start train and evaluate loop. The evaluate will happen after every checkpoint "
        "(save_checkpoints_steps %s or save_checkpoints_secs %s).",
        config.save_checkpoints_steps,
        config.save_checkpoints_secs,
    )
    evaluator = _Evaluator(estimator, eval_spec, train_spec.max_steps)
    listener = _EvaluateAfterSave(evaluator, eval_spec.throttle_secs)
    estimator.train(
        input_fn=train_spec.input_fn,
        max_steps=train_spec.max_steps,
        hooks=list(train_spec.hooks),
        saving_listeners=list(train_spec.saving_listeners) + [listener],
    )
    return listener.eval_result, listener.export_results

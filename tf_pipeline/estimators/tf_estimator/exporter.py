"""Exporters of ``train_and_evaluate``: ``LatestExporter``, ``BestExporter``, ``FinalExporter``.

After each evaluation, ``train_and_evaluate`` calls every exporter of the ``EvalSpec`` with
``model_dir/export/<exporter name>`` (TF 2.15, ``exporter.py``).

Example
-------
>>> import tensorflow as tf
>>> from estimators.tf_estimator import LatestExporter, export
>>> fn = export.build_raw_serving_input_receiver_fn({"x": tf.zeros([1, 3])})
>>> LatestExporter("latest", fn, exports_to_keep=2).name
'latest'
"""

from __future__ import annotations

import abc
import glob
import inspect
import logging
import os
import shutil
from collections.abc import Callable
from typing import Any

import tensorflow as tf

logger = logging.getLogger("estimators")


class Exporter(abc.ABC):
    """Exports a model after an evaluation (``tf.estimator.Exporter``)."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Directory name under ``model_dir/export/``."""

    @abc.abstractmethod
    def export(
        self,
        estimator: Any,
        export_path: str,
        checkpoint_path: str,
        eval_result: dict[str, Any],
        is_the_final_export: bool,
    ) -> Any:
        """Export ``checkpoint_path``; return the export directory or None."""


class _SavedModelExporter(Exporter):
    def __init__(
        self,
        name: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict | None = None,
        as_text: bool = False,
    ) -> None:
        if not name:
            raise ValueError(f"`name` must be a non-empty string, got {name!r}.")
        if not callable(serving_input_receiver_fn):
            raise TypeError(
                f"`serving_input_receiver_fn` must be callable, got {serving_input_receiver_fn!r}."
            )
        self._name = name
        self._serving_input_receiver_fn = serving_input_receiver_fn
        self._assets_extra = assets_extra
        self._as_text = as_text

    @property
    def name(self) -> str:
        return self._name

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        return estimator.export_saved_model(
            export_path,
            self._serving_input_receiver_fn,
            assets_extra=self._assets_extra,
            as_text=self._as_text,
            checkpoint_path=checkpoint_path,
        )


def _garbage_collect_exports(export_dir_base: str, exports_to_keep: int | None) -> None:
    """Keep the ``exports_to_keep`` newest ``<timestamp>`` export directories."""
    if exports_to_keep is None:
        return
    versions = sorted(
        int(name)
        for name in (os.listdir(export_dir_base) if os.path.isdir(export_dir_base) else [])
        if len(name) == 10 and name.isdigit()
    )
    for version in versions[: max(0, len(versions) - exports_to_keep)]:
        shutil.rmtree(os.path.join(export_dir_base, str(version)), ignore_errors=True)


def _check_exports_to_keep(exports_to_keep: Any) -> None:
    if exports_to_keep is not None and (
        not isinstance(exports_to_keep, int) or exports_to_keep <= 0
    ):
        raise ValueError(
            f"`exports_to_keep` must be a positive int or None, got {exports_to_keep!r}."
        )


class LatestExporter(_SavedModelExporter):
    """Export after every evaluation, keeping the ``exports_to_keep`` newest exports."""

    def __init__(
        self,
        name: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict | None = None,
        as_text: bool = False,
        exports_to_keep: int | None = 5,
    ) -> None:
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        _check_exports_to_keep(exports_to_keep)
        self._exports_to_keep = exports_to_keep

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        result = super().export(
            estimator, export_path, checkpoint_path, eval_result, is_the_final_export
        )
        _garbage_collect_exports(export_path, self._exports_to_keep)
        return result


class FinalExporter(_SavedModelExporter):
    """Export once, after the evaluation at the end of training (``max_steps`` reached)."""

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        if not is_the_final_export:
            return None
        return super().export(
            estimator, export_path, checkpoint_path, eval_result, is_the_final_export
        )


def _loss_smaller(best_eval_result: dict, current_eval_result: dict) -> bool:
    """True when ``current_eval_result['loss']`` is below the best one (TF's default)."""
    for name, result in (
        ("best_eval_result", best_eval_result),
        ("current_eval_result", current_eval_result),
    ):
        if not result or "loss" not in result:
            raise ValueError(f"`{name}` must hold a 'loss', got {result!r}.")
    return best_eval_result["loss"] > current_eval_result["loss"]


class BestExporter(_SavedModelExporter):
    """Export when the evaluation beats the best so far (``compare_fn``, default: lower loss).

    The best result of earlier runs is read from the eval event files
    (``event_file_pattern`` under model_dir), as in TF 2.15.
    """

    def __init__(
        self,
        name: str = "best_exporter",
        serving_input_receiver_fn: Callable | None = None,
        event_file_pattern: str = "eval/*.tfevents.*",
        compare_fn: Callable | None = None,
        assets_extra: dict | None = None,
        as_text: bool = False,
        exports_to_keep: int | None = 5,
    ) -> None:
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        compare_fn = compare_fn or _loss_smaller
        args = inspect.signature(compare_fn).parameters
        for required in ("best_eval_result", "current_eval_result"):
            if required not in args:
                raise ValueError(
                    f"`compare_fn` must take a `{required}` argument, got {list(args)}."
                )
        _check_exports_to_keep(exports_to_keep)
        self._compare_fn = compare_fn
        self._event_file_pattern = event_file_pattern
        self._exports_to_keep = exports_to_keep
        self._model_dir: str | None = None
        self._best_eval_result: dict | None = None
        self._has_exported = False

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        if self._model_dir != estimator.model_dir and self._event_file_pattern:
            self._model_dir = estimator.model_dir
            self._best_eval_result = self._best_from_events(
                os.path.join(self._model_dir, self._event_file_pattern)
            )
        if (
            self._best_eval_result is None
            or not self._has_exported
            or self._compare_fn(
                best_eval_result=self._best_eval_result, current_eval_result=eval_result
            )
        ):
            self._best_eval_result = eval_result
            result = super().export(
                estimator, export_path, checkpoint_path, eval_result, is_the_final_export
            )
            _garbage_collect_exports(export_path, self._exports_to_keep)
            self._has_exported = True
            return result
        return None

    def _best_from_events(self, pattern: str) -> dict | None:
        best = None
        for event_file in glob.glob(pattern):
            for event in tf.compat.v1.train.summary_iterator(event_file):
                if not event.HasField("summary"):
                    continue
                result = {
                    v.tag: v.simple_value
                    for v in event.summary.value
                    if v.HasField("simple_value")
                }
                if result and (best is None or self._compare_fn(best, result)):
                    best = result
        return best

"""Exporters of ``train_and_evaluate``: ``LatestExporter``, ``BestExporter``, ``FinalExporter``."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any


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


class LatestExporter(Exporter):
    def __init__(
        self,
        name: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict | None = None,
        as_text: bool = False,
        exports_to_keep: int | None = 5,
    ) -> None:
        raise NotImplementedError


class FinalExporter(Exporter):
    def __init__(
        self,
        name: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict | None = None,
        as_text: bool = False,
    ) -> None:
        raise NotImplementedError


class BestExporter(Exporter):
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
        raise NotImplementedError

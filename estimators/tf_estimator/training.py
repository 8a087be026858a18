"""``TrainSpec``, ``EvalSpec`` and ``train_and_evaluate`` (local mode)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class TrainSpec:
    def __init__(
        self,
        input_fn: Callable,
        max_steps: int | None = None,
        hooks: Iterable[Any] | None = None,
        saving_listeners: Iterable[Any] | None = None,
    ) -> None:
        raise NotImplementedError


class EvalSpec:
    def __init__(
        self,
        input_fn: Callable,
        steps: int | None = 100,
        name: str | None = None,
        hooks: Iterable[Any] | None = None,
        exporters: Any = None,
        start_delay_secs: int = 120,
        throttle_secs: int = 600,
    ) -> None:
        raise NotImplementedError


def train_and_evaluate(
    estimator: Any, train_spec: TrainSpec, eval_spec: EvalSpec
) -> tuple[dict[str, Any] | None, list[Any]]:
    """Train, evaluating (and exporting) after checkpoints; return (metrics, export results)."""
    raise NotImplementedError

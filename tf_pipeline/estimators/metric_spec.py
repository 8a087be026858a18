"""``tf.contrib.learn.MetricSpec`` and the ``metrics=`` argument of ``Estimator.evaluate``.

A metric function returns ``(value_op, update_op)`` (``tf.compat.v1.metrics.*``,
``tf.contrib.metrics.streaming_*``). :class:`MetricSpec` says which prediction, label and
feature (weights) it reads; the function's own argument names decide how they are passed,
as in TF 1.x: ``labels``/``label``/``targets``/``target``, ``predictions``/``prediction``/
``logits``/``logit`` and ``weights``/``weight`` by name, otherwise predictions first and
labels second, positionally; a function naming neither gets the predictions alone.

Example
-------
>>> import tensorflow as tf
>>> from estimators.metric_spec import MetricSpec
>>> spec = MetricSpec(tf.compat.v1.metrics.mean_absolute_error, prediction_key="scores")
>>> spec.prediction_key
'scores'
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

logger = logging.getLogger("estimators")

_LABELS_ARGS = ("labels", "label", "targets", "target")
_PREDICTIONS_ARGS = ("predictions", "prediction", "logits", "logit")
_WEIGHTS_ARGS = ("weights", "weight")


def _args(fn: Callable) -> tuple[str, ...]:
    if isinstance(fn, functools.partial):
        return tuple(a for a in _args(fn.func) if a not in (fn.keywords or {}))
    parameters = inspect.signature(fn).parameters.values()
    return tuple(
        p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    )


def _fn_name(fn: Callable) -> str:
    fn = fn.func if isinstance(fn, functools.partial) else fn
    return getattr(fn, "__name__", repr(fn))


def _matching_arg(
    fn_name: str, fn_args: tuple[str, ...], candidates: tuple[str, ...], required: bool
) -> str | None:
    matching = [arg for arg in candidates if arg in fn_args]
    if len(matching) > 1:
        raise ValueError(
            f"`metric_fn` {fn_name} must take only one of {list(candidates)}, got {matching}."
        )
    if not matching:
        if required:
            raise ValueError(
                f"`metric_fn` {fn_name}{fn_args} must take one of {list(candidates)}, got none."
            )
        return None
    if matching[0] != candidates[0]:
        logger.warning(
            "Canonical arg %s missing from %s, using %s.", candidates[0], fn_name, matching[0]
        )
    return matching[0]


def _adapt_metric_fn(
    metric_fn: Callable, labels_required: bool, weights_required: bool
) -> Callable[..., Any]:
    """``fn(labels=, predictions=, weights=)`` calling ``metric_fn`` as its arguments say."""
    name = _fn_name(metric_fn)
    args = _args(metric_fn)
    labels_arg = _matching_arg(name, args, _LABELS_ARGS, labels_required)
    predictions_arg = _matching_arg(name, args, _PREDICTIONS_ARGS, False)
    weights_arg = _matching_arg(name, args, _WEIGHTS_ARGS, weights_required)

    def weights_kwargs(weights: Any) -> dict[str, Any]:
        if weights is None:
            return {}
        if weights_arg is None:
            raise ValueError(f"`metric_fn` {name} must take `weights` when weight_key is set.")
        return {weights_arg: weights}

    def call(labels: Any, predictions: Any, weights: Any) -> Any:
        extra = weights_kwargs(weights)
        if labels_arg and predictions_arg:
            return metric_fn(**{labels_arg: labels, predictions_arg: predictions}, **extra)
        if labels_arg and labels_arg == args[0]:
            return metric_fn(labels, predictions, **extra)
        if labels_arg:
            return metric_fn(predictions, **{labels_arg: labels}, **extra)
        if predictions_arg:
            return metric_fn(**{predictions_arg: predictions}, **extra)
        # Neither named: TF1 passed the predictions alone (e.g. a streaming mean).
        return metric_fn(predictions, **extra)

    return call


class MetricSpec:
    """A metric function and the prediction, label and weight it reads.

    Parameters
    ----------
    metric_fn : callable
        Returns ``(value_op, update_op)``.
    prediction_key : str, optional
        Key into a dict of predictions; required when there are several.
    label_key : str, optional
        Key into a dict of labels.
    weight_key : str, optional
        Key into the features dict for per-example weights.
    """

    def __init__(
        self,
        metric_fn: Callable,
        prediction_key: str | None = None,
        label_key: str | None = None,
        weight_key: str | None = None,
    ) -> None:
        if not callable(metric_fn):
            raise TypeError(f"`metric_fn` must be callable, got {metric_fn!r}.")
        self._metric_fn_name = _fn_name(metric_fn)
        self._metric_fn = _adapt_metric_fn(
            metric_fn,
            labels_required=label_key is not None,
            weights_required=weight_key is not None,
        )
        self._prediction_key = prediction_key
        self._label_key = label_key
        self._weight_key = weight_key

    @property
    def prediction_key(self) -> str | None:
        return self._prediction_key

    @property
    def label_key(self) -> str | None:
        return self._label_key

    @property
    def weight_key(self) -> str | None:
        return self._weight_key

    @property
    def metric_fn(self) -> Callable[..., Any]:
        """The adapted function: ``metric_fn(labels=, predictions=, weights=)``."""
        return self._metric_fn

    def __repr__(self) -> str:
        return (
            f"MetricSpec(metric_fn={self._metric_fn_name}, prediction_key={self._prediction_key!r}"
            f", label_key={self._label_key!r}, weight_key={self._weight_key!r})"
        )

    def create_metric_ops(self, inputs: Any, labels: Any, predictions: Any) -> Any:
        """``(value_op, update_op)`` of the metric on these features, labels and predictions."""
        prediction = self._pick("prediction", predictions, self._prediction_key)
        label = self._pick("label", labels, self._label_key)
        weights = None
        if self._weight_key:
            if not isinstance(inputs, Mapping) or self._weight_key not in inputs:
                raise ValueError(
                    f"`weight_key` must name a feature of the features dict, got "
                    f"{self._weight_key!r} ({self!r})."
                )
            weights = inputs[self._weight_key]
        return self._metric_fn(label, prediction, weights)

    def _pick(self, name: str, dict_or_tensor: Any, key: str | None) -> Any:
        if key:
            if not isinstance(dict_or_tensor, Mapping):
                raise ValueError(
                    f"`{name}_key` ({key!r}) needs a dict of {name}s, got "
                    f"{type(dict_or_tensor).__name__} ({self!r})."
                )
            if key not in dict_or_tensor:
                raise KeyError(f"Key {key!r} missing from {sorted(dict_or_tensor)} ({self!r}).")
            return dict_or_tensor[key]
        if isinstance(dict_or_tensor, Mapping):
            if len(dict_or_tensor) != 1:
                raise ValueError(
                    f"`{name}_key` must be given for a dict of {len(dict_or_tensor)} {name}s "
                    f"{sorted(dict_or_tensor)} ({self!r})."
                )
            return next(iter(dict_or_tensor.values()))
        return dict_or_tensor


def make_metrics_ops(metrics: Mapping[Any, Any], features: Any, labels: Any, predictions: Any):
    """``{name: (value_op, update_op)}`` for ``evaluate(metrics=...)``, as TF 1.x built it.

    Values are :class:`MetricSpec` or (deprecated in TF1) bare ``fn(predictions, labels)``;
    a ``(name, prediction_key)`` tuple key selects ``predictions[prediction_key]``.
    """
    if isinstance(labels, Mapping) and len(labels) == 1:
        labels = next(iter(labels.values()))
    result = {}
    # Sorted, so the graph is the same from run to run.
    for name, metric in sorted(metrics.items(), key=lambda item: str(item[0])):
        if isinstance(metric, MetricSpec):
            result[name] = metric.create_metric_ops(features, labels, predictions)
            continue
        if not callable(metric):
            raise TypeError(f"`metrics` values must be MetricSpecs or callables, got {metric!r}.")
        if isinstance(name, tuple):
            if len(name) != 2 or not isinstance(predictions, Mapping):
                raise ValueError(
                    "`metrics` keys that are tuples must be (name, prediction_key) with dict "
                    f"predictions, got {name!r}."
                )
            keyed = isinstance(labels, Mapping) and name[1] in labels
            label = labels[name[1]] if keyed else labels
            result[name[0]] = metric(predictions[name[1]], label)
        else:
            if isinstance(predictions, Mapping):
                raise ValueError(
                    f"`metrics` entry {name!r} must be a MetricSpec with a prediction_key when "
                    f"predictions are a dict ({sorted(predictions)}), got a bare function."
                )
            result[name] = metric(predictions, labels)
    return result


__all__ = ["MetricSpec", "make_metrics_ops"]

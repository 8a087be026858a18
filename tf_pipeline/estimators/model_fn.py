"""The model_fn contract of ``tf.contrib.learn``: ``ModeKeys``, ``ModelFnOps``, calling.

A model_fn takes ``(features, labels)`` positionally and, if it names them,
``mode``, ``params``, ``config`` and ``model_dir``; it returns
``(predictions, loss, train_op)`` or a :class:`ModelFnOps`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import tensorflow as tf

OPTIONAL_ARGS = ("mode", "params", "config", "model_dir")


class ModeKeys:
    """The three modes a model_fn is called in."""

    TRAIN = "train"
    EVAL = "eval"
    INFER = "infer"

    ALL = (TRAIN, EVAL, INFER)


class ModelFnOps:
    """What a model_fn returns: the tensors the Estimator needs in ``mode``.

    Parameters
    ----------
    mode : str
        One of :class:`ModeKeys`.
    predictions : tf.Tensor or dict of tf.Tensor
        Required in EVAL and INFER.
    loss : tf.Tensor
        Scalar; required in TRAIN and EVAL.
    train_op : tf.Operation or tf.Tensor
        Required in TRAIN; it must increment the global step.
    eval_metric_ops : dict, optional
        ``name -> (value_op, update_op)`` evaluated besides ``loss``.
    training_hooks, training_chief_hooks : list of SessionRunHook, optional
    scaffold : tf.compat.v1.train.Scaffold, optional
    """

    def __init__(
        self,
        mode: str,
        predictions: Any = None,
        loss: Any = None,
        train_op: Any = None,
        eval_metric_ops: Mapping[str, Any] | None = None,
        training_hooks: list | None = None,
        training_chief_hooks: list | None = None,
        scaffold: Any = None,
    ) -> None:
        if mode not in ModeKeys.ALL:
            raise ValueError(f"`mode` must be one of {ModeKeys.ALL}, got {mode!r}.")
        if mode == ModeKeys.TRAIN and train_op is None:
            raise ValueError("The model_fn returned no `train_op` in TRAIN mode.")
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL) and loss is None:
            raise ValueError(f"The model_fn returned no `loss` in {mode.upper()} mode.")
        if mode in (ModeKeys.EVAL, ModeKeys.INFER) and predictions is None:
            raise ValueError(f"The model_fn returned no `predictions` in {mode.upper()} mode.")
        if loss is not None:
            loss = tf.convert_to_tensor(loss)
            if loss.shape.num_elements() not in (None, 1):
                raise ValueError(f"`loss` must be a scalar, got shape {loss.shape}.")
            if loss.shape.rank not in (None, 0):
                loss = tf.reshape(loss, [])
        if train_op is not None and not isinstance(train_op, tf.Operation):
            train_op = tf.convert_to_tensor(train_op).op
        for hook in (training_hooks or []) + (training_chief_hooks or []):
            if not isinstance(hook, tf.compat.v1.train.SessionRunHook):
                raise TypeError(f"Training hooks must be SessionRunHooks, got {hook!r}.")
        self.mode = mode
        self.predictions = predictions
        self.loss = loss
        self.train_op = train_op
        self.eval_metric_ops = dict(eval_metric_ops or {})
        self.training_hooks = list(training_hooks or [])
        self.training_chief_hooks = list(training_chief_hooks or [])
        self.scaffold = scaffold


def model_fn_args(model_fn: Callable) -> tuple[str, ...]:
    """Names of the optional arguments (``mode``, ``params``, ...) ``model_fn`` takes."""
    try:
        parameters = inspect.signature(model_fn).parameters
    except (TypeError, ValueError) as error:
        message = f"`model_fn` must be a callable with a signature, got {model_fn!r}."
        raise TypeError(message) from error
    positional = [
        p
        for p in parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if len(positional) < 2 and not any(p.kind == p.VAR_POSITIONAL for p in positional):
        raise TypeError(
            "`model_fn` must take (features, labels) as its first two arguments, got "
            f"signature {inspect.signature(model_fn)}."
        )
    return tuple(name for name in OPTIONAL_ARGS if name in parameters)


def call_model_fn(
    model_fn: Callable,
    features: Any,
    labels: Any,
    mode: str,
    *,
    params: Any,
    config: Any,
    model_dir: str,
) -> ModelFnOps:
    """Call ``model_fn`` as TF 1.x did and normalise what it returns."""
    available = {"mode": mode, "params": params, "config": config, "model_dir": model_dir}
    kwargs = {name: available[name] for name in model_fn_args(model_fn)}
    result = model_fn(features, labels, **kwargs)
    if isinstance(result, ModelFnOps):
        return result
    if isinstance(result, (tuple, list)) and len(result) == 3:
        predictions, loss, train_op = result
        if mode != ModeKeys.TRAIN:
            train_op = None
        if mode == ModeKeys.INFER:
            loss = None
        return ModelFnOps(mode, predictions=predictions, loss=loss, train_op=train_op)
    raise ValueError(
        "`model_fn` must return (predictions, loss, train_op) or a ModelFnOps, got "
        f"{type(result).__name__}."
    )

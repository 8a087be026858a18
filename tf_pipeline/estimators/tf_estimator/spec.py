"""``ModeKeys`` and ``EstimatorSpec``: what a ``tf.estimator`` model_fn receives and returns.

Example
-------
>>> import tensorflow as tf
>>> from estimators.tf_estimator import EstimatorSpec, ModeKeys
>>> with tf.Graph().as_default():
...     spec = EstimatorSpec(ModeKeys.PREDICT, predictions={"y": tf.constant([1.0])})
>>> sorted(spec.export_outputs)
['serving_default']
"""

from __future__ import annotations

import collections
from typing import Any

import tensorflow as tf

from tf_pipeline.estimators.tf_estimator.export_output import get_export_outputs


class ModeKeys:
    """The modes a model_fn is called in (TF 1.x values: PREDICT is ``'infer'``)."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


_ALL_MODES = (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)

_FIELDS = (
    "mode",
    "predictions",
    "loss",
    "train_op",
    "eval_metric_ops",
    "export_outputs",
    "training_chief_hooks",
    "training_hooks",
    "scaffold",
    "evaluation_hooks",
    "prediction_hooks",
)


def _hooks(hooks: Any, name: str) -> tuple:
    hooks = tuple(hooks or ())
    for hook in hooks:
        if not isinstance(hook, tf.compat.v1.train.SessionRunHook):
            raise TypeError(f"`{name}` must hold SessionRunHook instances, got {hook!r}.")
    return hooks


def _in_graph(value: Any, name: str) -> None:
    graph = tf.compat.v1.get_default_graph()
    if isinstance(value, (tf.Tensor, tf.Operation)) and value.graph is not graph:
        raise ValueError(
            f"`{name}` must be from the default graph (the Estimator's), got {value!r}. "
            "Build every tensor inside model_fn, not outside."
        )


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _FIELDS)):
    """Ops and objects a model_fn returns, validated for ``mode`` as TF 1.x did.

    Parameters
    ----------
    mode : str
        One of :class:`ModeKeys`.
    predictions : tf.Tensor or dict of tf.Tensor, optional
        Required in PREDICT.
    loss : tf.Tensor, optional
        Scalar; required in TRAIN and EVAL.
    train_op : tf.Operation or tf.Tensor, optional
        Required in TRAIN; it must increment the global step.
    eval_metric_ops : dict, optional
        ``name -> (value, update_op)`` from ``tf.compat.v1.metrics``.
    export_outputs : dict, optional
        ``name -> ExportOutput``; default ``{'serving_default': PredictOutput(predictions)}``
        in PREDICT.
    training_chief_hooks, training_hooks, evaluation_hooks, prediction_hooks : list, optional
        ``SessionRunHook`` objects run in that mode.
    scaffold : tf.compat.v1.train.Scaffold, optional
    """

    def __new__(
        cls,
        mode: str,
        predictions: Any = None,
        loss: Any = None,
        train_op: Any = None,
        eval_metric_ops: dict | None = None,
        export_outputs: dict | None = None,
        training_chief_hooks: Any = None,
        training_hooks: Any = None,
        scaffold: Any = None,
        evaluation_hooks: Any = None,
        prediction_hooks: Any = None,
    ) -> EstimatorSpec:
        if mode not in _ALL_MODES:
            raise ValueError(f"`mode` must be one of {_ALL_MODES}, got {mode!r}.")
        if train_op is None:
            if mode == ModeKeys.TRAIN:
                raise ValueError("`train_op` must be given in TRAIN mode, got None.")
        else:
            if isinstance(train_op, tf.Variable):
                train_op = train_op.op
            elif not isinstance(train_op, tf.Operation):
                train_op = tf.convert_to_tensor(train_op)
            _in_graph(train_op, "train_op")
        if loss is None:
            if mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
                raise ValueError(f"`loss` must be given in {mode!r} mode, got None.")
        else:
            loss = tf.convert_to_tensor(loss)
            if loss.shape.num_elements() not in (None, 1):
                raise ValueError(f"`loss` must be a scalar, got shape {loss.shape}.")
            if loss.shape.rank not in (None, 0):
                loss = tf.reshape(loss, [])
            _in_graph(loss, "loss")
        if predictions is None:
            if mode == ModeKeys.PREDICT:
                raise ValueError("`predictions` must be given in PREDICT mode, got None.")
            predictions = {}
        elif isinstance(predictions, dict):
            predictions = {key: tf.convert_to_tensor(v) for key, v in predictions.items()}
            for key, value in predictions.items():
                _in_graph(value, f"predictions[{key!r}]")
        else:
            predictions = tf.convert_to_tensor(predictions)
            _in_graph(predictions, "predictions")
        if mode == ModeKeys.PREDICT:
            export_outputs = get_export_outputs(export_outputs, predictions)
        eval_metric_ops = dict(eval_metric_ops or {})
        for key, value in eval_metric_ops.items():
            if not (isinstance(value, tuple) and len(value) == 2):
                raise TypeError(
                    f"`eval_metric_ops[{key!r}]` must be a (value, update_op) tuple, got "
                    f"{value!r}."
                )
        if scaffold is not None and not isinstance(scaffold, tf.compat.v1.train.Scaffold):
            raise TypeError(f"`scaffold` must be a tf.train.Scaffold, got {scaffold!r}.")
        return super().__new__(
            cls,
            mode=mode,
            predictions=predictions,
            loss=loss,
            train_op=train_op,
            eval_metric_ops=eval_metric_ops,
            export_outputs=export_outputs,
            training_chief_hooks=_hooks(training_chief_hooks, "training_chief_hooks"),
            training_hooks=_hooks(training_hooks, "training_hooks"),
            scaffold=scaffold or tf.compat.v1.train.Scaffold(),
            evaluation_hooks=_hooks(evaluation_hooks, "evaluation_hooks"),
            prediction_hooks=_hooks(prediction_hooks, "prediction_hooks"),
        )

    def _replace(self, **kwds: Any) -> EstimatorSpec:
        if "mode" in kwds and kwds["mode"] != self.mode:
            raise ValueError(f"`mode` of an EstimatorSpec cannot change, got {kwds['mode']!r}.")
        fields = self._asdict()
        fields.update(kwds)
        return EstimatorSpec(**fields)

"""The heads of TF 2.15's v1 canned estimators: loss, predictions, metrics and train op.

A head turns the logits a model built into an :class:`EstimatorSpec`. Three heads, with the
behaviour of ``tensorflow_estimator/python/estimator/canned/head.py`` (2.15):

- :class:`RegressionHead`: mean squared error, ``predictions``;
- :class:`BinaryClassHead`: sigmoid cross entropy, ``logistic``/``probabilities``/
  ``class_ids``/``classes``, and ``accuracy``, ``precision``, ``recall``, ``auc``,
  ``auc_precision_recall``, ``accuracy_baseline``, ``label/mean``, ``prediction/mean``;
- :class:`MultiClassHead`: sparse softmax cross entropy and ``accuracy``.

The training loss is reduced with ``loss_reduction`` (``SUM`` by default, as the v1
estimators did); ``average_loss`` is the weighted mean of the unreduced loss.

Example
-------
>>> head = binary_or_multi_class_head(2, None, None, "weighted_sum")
>>> head.logits_dimension
1
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import tensorflow as tf

from tf_pipeline.estimators.tf_estimator.canned.keys import (
    CLASSIFY_SERVING_KEY,
    DEFAULT_SERVING_KEY,
    PREDICT_SERVING_KEY,
    REGRESS_SERVING_KEY,
    MetricKeys,
    PredictionKeys,
)
from tf_pipeline.estimators.tf_estimator.export_output import (
    ClassificationOutput,
    PredictOutput,
    RegressionOutput,
)
from tf_pipeline.estimators.tf_estimator.spec import EstimatorSpec, ModeKeys
from tf_pipeline.tf_output import FEATURE_COLUMN_V1, OPTIMIZER_SLOTS, silenced_tf_warnings

_V1 = tf.compat.v1
_REDUCTION = _V1.losses.Reduction

LossSpec = namedtuple(
    "LossSpec", ["training_loss", "unreduced_loss", "weights", "processed_labels"]
)


def check_loss_reduction(loss_reduction: str) -> str:
    """Return ``loss_reduction`` if it is a ``tf.losses.Reduction`` other than ``NONE``."""
    choices = tuple(r for r in _REDUCTION.all() if r != _REDUCTION.NONE)
    if loss_reduction not in choices:
        expected = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`loss_reduction` must be one of {expected}, got {loss_reduction!r}.")
    return loss_reduction


def _summary_key(head_name: str | None, key: str) -> str:
    return f"{key}/{head_name}" if head_name else key


def _check_labels(labels: Any, logits: tf.Tensor, expected_dim: int) -> tf.Tensor:
    """Labels as ``[D0, ..., DN, expected_dim]``; ``[D0, ..., DN]`` gets the last axis added."""
    if labels is None:
        raise ValueError(
            "`labels` must be a Tensor when training or evaluating, got None. Check that "
            "your input_fn returns (features, labels)."
        )
    with tf.name_scope("labels") as scope:
        labels = _V1.convert_to_tensor_or_sparse_tensor(labels)
        if isinstance(labels, tf.SparseTensor):
            raise ValueError(
                f"`labels` must be a dense Tensor of shape [D0, ..., DN, {expected_dim}], "
                "got a SparseTensor; use tf.sparse.to_dense in your input_fn."
            )
        if labels.shape.ndims is not None and labels.shape.ndims == logits.shape.ndims - 1:
            labels = tf.expand_dims(labels, -1)
        message = (
            f"labels shape must be [D0, D1, ... DN, {expected_dim}]. Suggested Fix: check "
            "your n_classes argument to the estimator and/or the shape of your label."
        )
        assert_rank = _V1.debugging.assert_rank_at_least(labels, 2, message=message)
        with tf.control_dependencies([assert_rank]):
            last = labels.shape[-1] if labels.shape.ndims is not None else None
            if last is not None and last != expected_dim:
                raise ValueError(
                    f"`labels` must have last dimension {expected_dim}, got shape "
                    f"{labels.shape}; check `n_classes`/`label_dimension` and your labels."
                )
            expected_shape = tf.concat([tf.shape(logits)[:-1], [expected_dim]], axis=0)
            assert_shape = _V1.debugging.assert_equal(
                expected_shape, tf.shape(labels), message=message
            )
            with tf.control_dependencies([assert_shape]):
                return tf.identity(labels, name=scope)


def _weights(features: dict, weight_column: Any, logits: tf.Tensor, per_logit: bool) -> Any:
    """The example weights from ``features`` shaped to broadcast with ``logits`` (1. if none)."""
    if weight_column is None:
        return 1.0
    with tf.name_scope("weights") as scope:
        if isinstance(weight_column, str):
            weight_column = _V1.feature_column.numeric_column(key=weight_column, shape=(1,))
        if not hasattr(weight_column, "variable_shape"):
            raise TypeError(
                "`weight_column` must be a string or a numeric feature column, got "
                f"{weight_column!r}."
            )
        # input_layer is the public way to get a dense column's tensor (float32, rank 2).
        with silenced_tf_warnings(deprecated=FEATURE_COLUMN_V1):
            weights = _V1.feature_column.input_layer(features, [weight_column])
        weights = tf.cast(weights, tf.float32, name="weights")
        logits_shape = tf.shape(logits)
        supported = tf.concat([logits_shape[:-1], [1]], axis=0)
        message = "weights shape must be [D0, D1, ... DN] or [D0, D1, ... DN, 1]"
        if per_logit:
            condition = tf.reduce_any(
                [
                    tf.reduce_all(tf.equal(logits_shape, tf.shape(weights))),
                    tf.reduce_all(tf.equal(supported, tf.shape(weights))),
                ]
            )
            check = tf.debugging.Assert(condition, [message, logits_shape, tf.shape(weights)])
        else:
            check = _V1.debugging.assert_equal(supported, tf.shape(weights), message=message)
        with tf.control_dependencies([check]):
            return tf.identity(weights, name=scope)


def _check_logits(logits: Any, expected_dim: int) -> tf.Tensor:
    with tf.name_scope("logits"):
        logits = tf.cast(logits, tf.float32)
        if logits.shape.ndims is not None and logits.shape.ndims < 2:
            raise ValueError(
                "`logits` must have shape [D0, D1, ... DN, logits_dimension], got shape "
                f"{logits.shape}."
            )
        last = logits.shape[-1] if logits.shape.ndims is not None else None
        if last is not None and last != expected_dim:
            raise ValueError(
                f"`logits` must have last dimension {expected_dim}, got shape {logits.shape}."
            )
        return logits


def _assert_range(labels: tf.Tensor, n_classes: int) -> tf.Tensor:
    with tf.name_scope("assert_range"):
        less = _V1.debugging.assert_less_equal(
            labels,
            tf.constant(n_classes - 1, dtype=labels.dtype),
            message="Labels must <= n_classes - 1",
        )
        non_negative = _V1.debugging.assert_non_negative(labels, message="Labels must >= 0")
        with tf.control_dependencies([less, non_negative]):
            return tf.identity(labels)


def _vocabulary_ids(labels: tf.Tensor, vocabulary: Sequence[str]) -> tf.Tensor:
    if labels.dtype != tf.string:
        raise ValueError(
            f"`labels` must be strings when `label_vocabulary` is given, got {labels.dtype.name}."
        )
    table = _V1.lookup.StaticHashTable(
        _V1.lookup.KeyValueTensorInitializer(
            tf.constant(list(vocabulary)), tf.range(len(vocabulary), dtype=tf.int64)
        ),
        default_value=-1,
        name="class_id_lookup",
    )
    return table.lookup(labels)


def _class_strings(class_ids: tf.Tensor, vocabulary: Sequence[str] | None) -> tf.Tensor:
    if vocabulary:
        return tf.gather(tf.constant(list(vocabulary)), class_ids, name="class_string_lookup")
    return tf.strings.as_string(class_ids, name="str_classes")


def _all_class_ids(logits: tf.Tensor, n_classes: int) -> tf.Tensor:
    return tf.tile(tf.expand_dims(tf.range(n_classes), 0), [tf.shape(logits)[0], 1])


def _all_classes(logits: tf.Tensor, n_classes: int, vocabulary: Sequence[str] | None) -> tf.Tensor:
    names = (
        tf.constant(list(vocabulary)) if vocabulary else tf.strings.as_string(tf.range(n_classes))
    )
    return tf.tile(tf.expand_dims(names, 0), [tf.shape(logits)[0], 1])


def _broadcast(weights: Any, values: tf.Tensor) -> Any:
    # TF broadcast the weights to the values' shape before a weighted mean.
    return tf.ones_like(values) * weights


def _mean(values: tf.Tensor, weights: Any, name: str | None) -> tuple:
    values = tf.cast(values, tf.float32)
    return _V1.metrics.mean(values, weights=_broadcast(weights, values), name=name)


def _auc(labels: tf.Tensor, predictions: tf.Tensor, weights: Any, curve: str, name: str) -> tuple:
    return _V1.metrics.auc(
        labels=labels,
        predictions=tf.cast(predictions, tf.float32),
        weights=_broadcast(weights, predictions),
        curve=curve,
        name=name,
    )


def _append_update_ops(train_op: Any) -> Any:
    update_ops = _V1.get_collection(_V1.GraphKeys.UPDATE_OPS)
    return tf.group(train_op, *update_ops) if update_ops else train_op


class _Head:
    """What the three heads share: building the spec for each mode."""

    def __init__(
        self,
        weight_column: Any,
        loss_reduction: str,
        name: str | None,
    ) -> None:
        self._weight_column = weight_column
        self._loss_reduction = check_loss_reduction(loss_reduction)
        self._name = name

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def logits_dimension(self) -> int:
        raise NotImplementedError

    def _predictions(self, logits: tf.Tensor) -> tuple[dict, dict]:
        """Return ``(predictions, export_outputs)``."""
        raise NotImplementedError

    def _eval_metric_ops(self, loss_spec: LossSpec, predictions: dict) -> dict:
        raise NotImplementedError

    def create_loss(self, features: dict, mode: str, logits: Any, labels: Any) -> LossSpec:
        raise NotImplementedError

    def _reduce(self, unreduced: tf.Tensor, weights: Any) -> tf.Tensor:
        return _V1.losses.compute_weighted_loss(
            unreduced, weights=weights, reduction=self._loss_reduction
        )

    def create_estimator_spec(
        self,
        features: dict,
        mode: str,
        logits: Any,
        labels: Any = None,
        optimizer: tf.compat.v1.train.Optimizer | None = None,
        train_op_fn: Any = None,
        regularization_losses: Sequence[tf.Tensor] | None = None,
    ) -> EstimatorSpec:
        """Return the :class:`EstimatorSpec` for ``mode``.

        Parameters
        ----------
        features : dict
            The input features (the weight column is read from them).
        mode : str
            A :class:`ModeKeys` value.
        logits : tf.Tensor
            Shape ``[batch_size, logits_dimension]``.
        labels : tf.Tensor or None
            Required in TRAIN and EVAL.
        optimizer : Optimizer or None
            ``optimizer.minimize(loss, global_step)`` is the train op.
        train_op_fn : callable or None
            ``train_op_fn(loss)`` is the train op when ``optimizer`` is None.
        regularization_losses : list of tf.Tensor or None
            Added to the training loss.
        """
        with tf.name_scope(self._name or "head"):
            logits = _check_logits(logits, self.logits_dimension)
            with tf.name_scope("predictions"):
                predictions, export_outputs = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(
                    mode=ModeKeys.PREDICT, predictions=predictions, export_outputs=export_outputs
                )
            loss_spec = self.create_loss(features, mode, logits, labels)
            if regularization_losses:
                regularization_loss = tf.add_n(list(regularization_losses))
                loss = tf.add_n([loss_spec.training_loss, regularization_loss])
            else:
                regularization_loss = None
                loss = loss_spec.training_loss
            if mode == ModeKeys.EVAL:
                with tf.name_scope("metrics"):
                    metric_ops = self._eval_metric_ops(loss_spec, predictions)
                    if regularization_loss is not None:
                        metric_ops[_summary_key(self._name, MetricKeys.LOSS_REGULARIZATION)] = (
                            _V1.metrics.mean(
                                regularization_loss, name=MetricKeys.LOSS_REGULARIZATION
                            )
                        )
                return EstimatorSpec(
                    mode=ModeKeys.EVAL,
                    predictions=predictions,
                    loss=loss,
                    eval_metric_ops=metric_ops,
                )
            if optimizer is not None:
                if train_op_fn is not None:
                    raise ValueError(
                        "`train_op_fn` must be None when `optimizer` is given, got "
                        f"{train_op_fn!r}."
                    )
                # Adagrad (the canned default) logs TF's own slot-initializer notice.
                with silenced_tf_warnings(deprecated=OPTIMIZER_SLOTS):
                    train_op = optimizer.minimize(loss, global_step=_V1.train.get_global_step())
            elif train_op_fn is not None:
                train_op = train_op_fn(loss)
            else:
                raise ValueError("`optimizer` or `train_op_fn` must be given in TRAIN, got None.")
            train_op = _append_update_ops(train_op)
            mean_loss = None
            if self._loss_reduction == _REDUCTION.SUM:
                weight_sum = tf.reduce_sum(
                    loss_spec.weights * tf.ones_like(loss_spec.unreduced_loss)
                )
                mean_loss = loss_spec.training_loss / weight_sum
        # The loss summaries sit at the graph's top level, as in TF.
        with _V1.get_default_graph().name_scope(None):
            _V1.summary.scalar(_summary_key(self._name, MetricKeys.LOSS), loss)
            if mean_loss is not None:
                _V1.summary.scalar(_summary_key(self._name, MetricKeys.LOSS_MEAN), mean_loss)
            if regularization_loss is not None:
                _V1.summary.scalar(
                    _summary_key(self._name, MetricKeys.LOSS_REGULARIZATION), regularization_loss
                )
        return EstimatorSpec(
            mode=ModeKeys.TRAIN, predictions=predictions, loss=loss, train_op=train_op
        )


class RegressionHead(_Head):
    """Mean squared error over ``label_dimension`` outputs (TF's ``_regression_head``).

    Parameters
    ----------
    label_dimension : int, default=1
        Regression targets per example.
    weight_column : str, numeric column or None, default=None
        Example weights, read from the features.
    loss_reduction : str, default=tf.losses.Reduction.SUM
        How the training loss is reduced over the batch.
    name : str or None, default=None
        Suffix of the metric keys (``average_loss/<name>``).
    """

    def __init__(
        self,
        label_dimension: int = 1,
        weight_column: Any = None,
        loss_reduction: str = _REDUCTION.SUM,
        name: str | None = None,
    ) -> None:
        super().__init__(weight_column, loss_reduction, name)
        if isinstance(label_dimension, bool) or not isinstance(label_dimension, int):
            raise TypeError(f"`label_dimension` must be an int, got {label_dimension!r}.")
        if label_dimension < 1:
            raise ValueError(f"`label_dimension` must be an int >= 1, got {label_dimension}.")
        self._label_dimension = label_dimension

    @property
    def logits_dimension(self) -> int:
        return self._label_dimension

    def _predictions(self, logits: tf.Tensor) -> tuple[dict, dict]:
        predictions = {PredictionKeys.PREDICTIONS: logits}
        regression = RegressionOutput(value=logits)
        return predictions, {
            DEFAULT_SERVING_KEY: regression,
            REGRESS_SERVING_KEY: regression,
            PREDICT_SERVING_KEY: PredictOutput(predictions),
        }

    def create_loss(self, features: dict, mode: str, logits: Any, labels: Any) -> LossSpec:
        """Unweighted squared errors, example weights and the reduced training loss."""
        del mode
        logits = tf.convert_to_tensor(logits)
        labels = _check_labels(labels, logits, self._label_dimension)
        labels = tf.cast(labels, tf.float32)
        unreduced = _V1.losses.mean_squared_error(
            labels=labels, predictions=logits, reduction=_REDUCTION.NONE
        )
        weights = _weights(features, self._weight_column, logits, per_logit=True)
        return LossSpec(self._reduce(unreduced, weights), unreduced, weights, labels)

    def _eval_metric_ops(self, loss_spec: LossSpec, predictions: dict) -> dict:
        weights = loss_spec.weights
        return {
            _summary_key(self._name, MetricKeys.LOSS_MEAN): _V1.metrics.mean(
                loss_spec.unreduced_loss, weights=weights
            ),
            _summary_key(self._name, MetricKeys.PREDICTION_MEAN): _mean(
                predictions[PredictionKeys.PREDICTIONS], weights, MetricKeys.PREDICTION_MEAN
            ),
            _summary_key(self._name, MetricKeys.LABEL_MEAN): _V1.metrics.mean(
                loss_spec.processed_labels, weights=weights
            ),
        }


class _ClassHead(_Head):
    def __init__(
        self,
        n_classes: int,
        weight_column: Any,
        label_vocabulary: Sequence[str] | None,
        loss_reduction: str,
        name: str | None,
    ) -> None:
        super().__init__(weight_column, loss_reduction, name)
        if label_vocabulary is not None and not isinstance(label_vocabulary, (list, tuple)):
            raise ValueError(
                "`label_vocabulary` must be a list or a tuple of strings, got "
                f"{label_vocabulary!r}."
            )
        if label_vocabulary is not None and len(label_vocabulary) != n_classes:
            raise ValueError(
                f"`label_vocabulary` must hold n_classes={n_classes} strings, got "
                f"{len(label_vocabulary)}."
            )
        self._n_classes = n_classes
        self._label_vocabulary = label_vocabulary

    def _classification_output(self, scores: tf.Tensor) -> ClassificationOutput:
        classes = _all_classes(scores, self._n_classes, self._label_vocabulary)
        return ClassificationOutput(scores=scores, classes=classes)


class BinaryClassHead(_ClassHead):
    """Sigmoid cross entropy on one logit (TF's binary logistic head).

    Parameters
    ----------
    weight_column : str, numeric column or None, default=None
        Example weights, read from the features.
    label_vocabulary : list of str or None, default=None
        The two label strings; without it labels are 0/1 numbers.
    loss_reduction : str, default=tf.losses.Reduction.SUM
        How the training loss is reduced over the batch.
    thresholds : sequence of float or None, default=None
        Extra ``accuracy/positive_threshold_<t>`` (precision, recall) metrics.
    name : str or None, default=None
        Suffix of the metric keys.
    """

    def __init__(
        self,
        weight_column: Any = None,
        label_vocabulary: Sequence[str] | None = None,
        loss_reduction: str = _REDUCTION.SUM,
        thresholds: Sequence[float] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(2, weight_column, label_vocabulary, loss_reduction, name)
        self._thresholds = tuple(thresholds) if thresholds else ()

    @property
    def logits_dimension(self) -> int:
        return 1

    def _predictions(self, logits: tf.Tensor) -> tuple[dict, dict]:
        keys = PredictionKeys
        logistic = tf.sigmoid(logits, name=keys.LOGISTIC)
        two_class_logits = tf.concat([tf.zeros_like(logits), logits], -1, name="two_class_logits")
        probabilities = tf.nn.softmax(two_class_logits, name=keys.PROBABILITIES)
        class_ids = tf.expand_dims(
            tf.argmax(two_class_logits, axis=-1, name=keys.CLASS_IDS), axis=-1
        )
        predictions = {
            keys.LOGITS: logits,
            keys.LOGISTIC: logistic,
            keys.PROBABILITIES: probabilities,
            keys.CLASS_IDS: class_ids,
            keys.CLASSES: _class_strings(class_ids, self._label_vocabulary),
            keys.ALL_CLASS_IDS: _all_class_ids(logits, 2),
            keys.ALL_CLASSES: _all_classes(logits, 2, self._label_vocabulary),
        }
        classification = self._classification_output(probabilities)
        return predictions, {
            DEFAULT_SERVING_KEY: classification,
            CLASSIFY_SERVING_KEY: classification,
            REGRESS_SERVING_KEY: RegressionOutput(value=logistic),
            PREDICT_SERVING_KEY: PredictOutput(predictions),
        }

    def create_loss(self, features: dict, mode: str, logits: Any, labels: Any) -> LossSpec:
        """Sigmoid cross entropy per example, weights and the reduced training loss."""
        del mode
        logits = tf.convert_to_tensor(logits)
        labels = _check_labels(labels, logits, 1)
        if self._label_vocabulary is not None:
            labels = _vocabulary_ids(labels, self._label_vocabulary)
        labels = _assert_range(tf.cast(labels, tf.float32), 2)
        unreduced = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        weights = _weights(features, self._weight_column, logits, per_logit=False)
        return LossSpec(self._reduce(unreduced, weights), unreduced, weights, labels)

    def _eval_metric_ops(self, loss_spec: LossSpec, predictions: dict) -> dict:
        keys = MetricKeys
        labels, weights = loss_spec.processed_labels, loss_spec.weights
        class_ids = predictions[PredictionKeys.CLASS_IDS]
        logistic = predictions[PredictionKeys.LOGISTIC]
        labels_mean = _mean(labels, weights, keys.LABEL_MEAN)
        value, update = labels_mean
        with tf.name_scope("accuracy_baseline"):
            baseline = (
                tf.maximum(value, 1.0 - value, name="value"),
                tf.maximum(update, 1.0 - update, name="update_op"),
            )
        ops = {
            keys.LOSS_MEAN: _V1.metrics.mean(
                loss_spec.unreduced_loss, weights=weights, name=keys.LOSS_MEAN
            ),
            keys.ACCURACY: _V1.metrics.accuracy(
                labels=labels, predictions=class_ids, weights=weights, name=keys.ACCURACY
            ),
            keys.PRECISION: _V1.metrics.precision(
                labels=labels, predictions=class_ids, weights=weights, name=keys.PRECISION
            ),
            keys.RECALL: _V1.metrics.recall(
                labels=labels, predictions=class_ids, weights=weights, name=keys.RECALL
            ),
            keys.PREDICTION_MEAN: _mean(logistic, weights, keys.PREDICTION_MEAN),
            keys.LABEL_MEAN: labels_mean,
            keys.ACCURACY_BASELINE: baseline,
            keys.AUC: _auc(labels, logistic, weights, "ROC", keys.AUC),
            keys.AUC_PR: _auc(labels, logistic, weights, "PR", keys.AUC_PR),
        }
        for threshold in self._thresholds:
            above = tf.cast(tf.greater_equal(logistic, threshold), tf.float32)
            ops[keys.ACCURACY_AT_THRESHOLD % threshold] = _V1.metrics.accuracy(
                labels=labels, predictions=above, weights=weights
            )
            for key, metric in (
                (keys.PRECISION_AT_THRESHOLD, _V1.metrics.precision_at_thresholds),
                (keys.RECALL_AT_THRESHOLD, _V1.metrics.recall_at_thresholds),
            ):
                value, update = metric(
                    labels=labels, predictions=logistic, thresholds=(threshold,), weights=weights
                )
                ops[key % threshold] = (tf.squeeze(value), tf.squeeze(update))
        return {_summary_key(self._name, k): v for k, v in ops.items()}


class MultiClassHead(_ClassHead):
    """Sparse softmax cross entropy over ``n_classes`` logits (TF's multi-class head).

    Parameters
    ----------
    n_classes : int
        Number of classes, > 2.
    weight_column : str, numeric column or None, default=None
        Example weights, read from the features.
    label_vocabulary : list of str or None, default=None
        The label strings; without it labels are integer class ids.
    loss_reduction : str, default=tf.losses.Reduction.SUM
        How the training loss is reduced over the batch.
    name : str or None, default=None
        Suffix of the metric keys.
    """

    def __init__(
        self,
        n_classes: int,
        weight_column: Any = None,
        label_vocabulary: Sequence[str] | None = None,
        loss_reduction: str = _REDUCTION.SUM,
        name: str | None = None,
    ) -> None:
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes <= 2:
            raise ValueError(f"`n_classes` must be an int > 2, got {n_classes!r}.")
        super().__init__(n_classes, weight_column, label_vocabulary, loss_reduction, name)

    @property
    def logits_dimension(self) -> int:
        return self._n_classes

    def _predictions(self, logits: tf.Tensor) -> tuple[dict, dict]:
        keys = PredictionKeys
        class_ids = tf.expand_dims(tf.argmax(logits, axis=-1, name=keys.CLASS_IDS), axis=-1)
        probabilities = tf.nn.softmax(logits, name=keys.PROBABILITIES)
        predictions = {
            keys.LOGITS: logits,
            keys.PROBABILITIES: probabilities,
            keys.CLASS_IDS: class_ids,
            keys.CLASSES: _class_strings(class_ids, self._label_vocabulary),
            keys.ALL_CLASS_IDS: _all_class_ids(logits, self._n_classes),
            keys.ALL_CLASSES: _all_classes(logits, self._n_classes, self._label_vocabulary),
        }
        classification = self._classification_output(probabilities)
        return predictions, {
            DEFAULT_SERVING_KEY: classification,
            CLASSIFY_SERVING_KEY: classification,
            PREDICT_SERVING_KEY: PredictOutput(predictions),
        }

    def create_loss(self, features: dict, mode: str, logits: Any, labels: Any) -> LossSpec:
        """Softmax cross entropy per example, weights and the reduced training loss."""
        del mode
        logits = tf.convert_to_tensor(logits)
        labels = _check_labels(labels, logits, 1)
        if self._label_vocabulary is None:
            if not labels.dtype.is_integer:
                raise ValueError(
                    "`labels` must be integer class ids when `label_vocabulary` is None, got "
                    f"{labels.dtype.name}."
                )
            label_ids = labels
        else:
            label_ids = _vocabulary_ids(labels, self._label_vocabulary)
        label_ids = _assert_range(label_ids, self._n_classes)
        unreduced = _V1.losses.sparse_softmax_cross_entropy(
            labels=label_ids, logits=logits, reduction=_REDUCTION.NONE
        )
        unreduced = tf.expand_dims(unreduced, axis=-1)
        weights = _weights(features, self._weight_column, logits, per_logit=False)
        return LossSpec(self._reduce(unreduced, weights), unreduced, weights, label_ids)

    def _eval_metric_ops(self, loss_spec: LossSpec, predictions: dict) -> dict:
        keys = MetricKeys
        weights = loss_spec.weights
        return {
            _summary_key(self._name, keys.LOSS_MEAN): _V1.metrics.mean(
                loss_spec.unreduced_loss, weights=weights, name=keys.LOSS_MEAN
            ),
            _summary_key(self._name, keys.ACCURACY): _V1.metrics.accuracy(
                labels=loss_spec.processed_labels,
                predictions=predictions[PredictionKeys.CLASS_IDS],
                weights=weights,
                name=keys.ACCURACY,
            ),
        }


def binary_or_multi_class_head(
    n_classes: int,
    weight_column: Any,
    label_vocabulary: Sequence[str] | None,
    loss_reduction: str,
) -> _Head:
    """The classifiers' head: binary for ``n_classes == 2``, multi-class above."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"`n_classes` must be an int >= 2, got {n_classes!r}.")
    if n_classes == 2:
        return BinaryClassHead(weight_column, label_vocabulary, loss_reduction)
    return MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction)

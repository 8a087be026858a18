"""``DNNRegressor`` and ``DNNClassifier`` of TF 2.15's v1 API (``tf.compat.v1.estimator``).

The network is ``tf.compat.v1.feature_column.input_layer`` followed by dense layers, with
TF's variable names: ``dnn/input_from_feature_columns/input_layer/<col>_embedding/
embedding_weights``, ``dnn/hiddenlayer_<i>/{kernel,bias}``, ``dnn/logits/{kernel,bias}``
(Glorot-uniform kernels, zero biases). The default optimizer is ``AdagradOptimizer(0.05)``.

Example
-------
>>> import numpy as np
>>> import tf_pipeline.tf1 as tf
>>> x = tf.feature_column.numeric_column("x")
>>> est = tf.estimator.DNNRegressor(hidden_units=[4], feature_columns=[x])
>>> input_fn = tf.estimator.inputs.numpy_input_fn(
...     {"x": np.arange(4.0)}, np.arange(4.0), batch_size=4, num_epochs=None, shuffle=False)
>>> _ = est.train(input_fn, steps=2)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tf_pipeline.compat.layers import dense
from tf_pipeline.estimators.tf_estimator.canned.head import (
    RegressionHead,
    _Head,
    binary_or_multi_class_head,
)
from tf_pipeline.estimators.tf_estimator.canned.linear import check_features, default_partitioner
from tf_pipeline.estimators.tf_estimator.canned.optimizers import (
    OptimizerArg,
    get_optimizer_instance,
)
from tf_pipeline.estimators.tf_estimator.estimator import Estimator
from tf_pipeline.estimators.tf_estimator.spec import EstimatorSpec, ModeKeys
from tf_pipeline.tf_output import FEATURE_COLUMN_V1, silenced_tf_warnings

_V1 = tf.compat.v1
_LEARNING_RATE = 0.05


def _layer_summary(value: tf.Tensor, tag: str) -> None:
    _V1.summary.scalar(f"{tag}/fraction_of_zero_values", tf.math.zero_fraction(value))
    _V1.summary.histogram(f"{tag}/activation", value)


def check_dnn_args(hidden_units: Any, dropout: float | None, name: str = "hidden_units") -> tuple:
    """Validate the DNN arguments; return ``hidden_units`` as a tuple of ints."""
    units = tuple(hidden_units or ())
    if not units or any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in units):
        raise ValueError(f"`{name}` must be a non-empty list of ints >= 1, got {hidden_units!r}.")
    if dropout is not None and not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be None or in [0, 1), got {dropout!r}.")
    return units


def _parts(variable: Any) -> list:
    # A partitioned variable (TF's partitioner wraps every canned variable) is a list of parts.
    return [variable] if isinstance(variable, tf.Variable) else list(variable)


def _assign_moving_average(variable: Any, value: tf.Tensor, momentum: float) -> tf.Operation:
    """Keras 2's update: ``variable -= (variable - value) * (1 - momentum)``, part by part."""
    with tf.name_scope("AssignMovingAvg"):
        delta = (tf.convert_to_tensor(variable) - value) * tf.constant(1.0 - momentum)
        parts = _parts(variable)
        deltas = tf.split(delta, [p.shape[0] for p in parts]) if len(parts) > 1 else [delta]
        return tf.group(*[_V1.assign_sub(p, d) for p, d in zip(parts, deltas, strict=True)])


def batch_norm(
    net: tf.Tensor, name: str, training: bool, momentum: float = 0.999, epsilon: float = 1e-3
) -> tf.Tensor:
    """``tf.compat.v1.layers.BatchNormalization(momentum=0.999)`` as the DNN estimators used it.

    Variables ``<name>/{beta,gamma,moving_mean,moving_variance}``; in training the batch's
    moments normalise and the moving averages are updated through ``UPDATE_OPS`` (the heads
    group those into the train op), otherwise the moving averages normalise.
    """
    dim = net.shape[-1]
    with _V1.variable_scope(name):
        beta = _V1.get_variable("beta", [dim], initializer=_V1.zeros_initializer())
        gamma = _V1.get_variable("gamma", [dim], initializer=_V1.ones_initializer())
        moving_mean = _V1.get_variable(
            "moving_mean", [dim], initializer=_V1.zeros_initializer(), trainable=False
        )
        moving_variance = _V1.get_variable(
            "moving_variance", [dim], initializer=_V1.ones_initializer(), trainable=False
        )
        if training:
            mean, variance = tf.nn.moments(net, axes=[0])
            for variable, value in ((moving_mean, mean), (moving_variance, variance)):
                _V1.add_to_collection(
                    _V1.GraphKeys.UPDATE_OPS,
                    _assign_moving_average(variable, value, momentum),
                )
        else:
            mean = tf.convert_to_tensor(moving_mean)
            variance = tf.convert_to_tensor(moving_variance)
        return tf.nn.batch_normalization(
            net,
            mean,
            variance,
            tf.convert_to_tensor(beta),
            tf.convert_to_tensor(gamma),
            epsilon,
        )


def dnn_logits(
    features: dict,
    mode: str,
    units: int,
    hidden_units: Sequence[int],
    feature_columns: Sequence[Any],
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None,
    dropout: float | None,
    input_layer_partitioner: Any,
    use_batch_norm: bool = False,
) -> tf.Tensor:
    """TF's ``_DNNModel``: input layer, hidden layers, logits (inside the ``dnn`` scope)."""
    with _V1.variable_scope("input_from_feature_columns", partitioner=input_layer_partitioner):
        # TF's v1 DNN reads its columns with the deprecated v1 input_layer (its variable
        # names are part of the checkpoint); the notices are about that choice, not the
        # user's columns.
        with silenced_tf_warnings(deprecated=FEATURE_COLUMN_V1):
            net = _V1.feature_column.input_layer(features, list(feature_columns))
    for layer_id, n_units in enumerate(hidden_units):
        name = f"hiddenlayer_{layer_id}"
        net = dense(
            net,
            n_units,
            activation=activation_fn,
            kernel_initializer=_V1.glorot_uniform_initializer(),
            name=name,
        )
        if dropout is not None and mode == ModeKeys.TRAIN:
            net = tf.nn.dropout(net, rate=dropout)
        if use_batch_norm:
            with _V1.variable_scope(name):
                net = batch_norm(net, f"batchnorm_{layer_id}", mode == ModeKeys.TRAIN)
        _layer_summary(net, name)
    logits = dense(
        net,
        units,
        activation=None,
        kernel_initializer=_V1.glorot_uniform_initializer(),
        name="logits",
    )
    _layer_summary(logits, "logits")
    return logits


def dnn_model_fn(
    features: Any,
    labels: Any,
    mode: str,
    head: _Head,
    hidden_units: Sequence[int],
    feature_columns: Sequence[Any],
    optimizer: OptimizerArg = "Adagrad",
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
    dropout: float | None = None,
    input_layer_partitioner: Any = None,
    config: Any = None,
    batch_norm: bool = False,
) -> EstimatorSpec:
    """The model_fn of the DNN estimators (TF's ``_dnn_model_fn``)."""
    opt = get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
    features = check_features(features)
    num_ps_replicas = getattr(config, "num_ps_replicas", 0) if config is not None else 0
    partitioner = _V1.min_max_variable_partitioner(max_partitions=num_ps_replicas)
    with _V1.variable_scope("dnn", values=tuple(features.values()), partitioner=partitioner):
        logits = dnn_logits(
            features,
            mode,
            head.logits_dimension,
            hidden_units,
            feature_columns,
            activation_fn,
            dropout,
            input_layer_partitioner or default_partitioner(config),
            batch_norm,
        )
        return head.create_estimator_spec(
            features=features, mode=mode, labels=labels, optimizer=opt, logits=logits
        )


def _dnn_estimator_fn(head: _Head, **kwargs: Any) -> Callable[..., EstimatorSpec]:
    def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> EstimatorSpec:
        return dnn_model_fn(features, labels, mode, head, config=config, **kwargs)

    return _model_fn


class DNNRegressor(Estimator):
    """Feed-forward regression on feature columns (``tf.compat.v1.estimator.DNNRegressor``).

    Parameters
    ----------
    hidden_units : list of int
        Units of each hidden layer, e.g. ``[64, 32]``.
    feature_columns : list of feature columns
        Dense columns (numeric, bucketized, embedding, indicator).
    model_dir : str or None, default=None
    label_dimension : int, default=1
    weight_column : str, numeric column or None, default=None
    optimizer : str, Optimizer or callable, default='Adagrad'
        A name is built with learning rate 0.05.
    activation_fn : callable, default=tf.nn.relu
    dropout : float or None, default=None
        Drop probability of the hidden units in training.
    input_layer_partitioner : partitioner or None, default=None
    config : RunConfig or None, default=None
    warm_start_from : str, WarmStartSettings or None, default=None
    loss_reduction : str, default=tf.losses.Reduction.SUM
    batch_norm : bool, default=False
        Batch normalization (momentum 0.999) after each hidden layer.
    """

    def __init__(
        self,
        hidden_units: Sequence[int],
        feature_columns: Sequence[Any],
        model_dir: str | None = None,
        label_dimension: int = 1,
        weight_column: Any = None,
        optimizer: OptimizerArg = "Adagrad",
        activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
        dropout: float | None = None,
        input_layer_partitioner: Any = None,
        config: Any = None,
        warm_start_from: Any = None,
        loss_reduction: str = _V1.losses.Reduction.SUM,
        batch_norm: bool = False,
    ) -> None:
        units = check_dnn_args(hidden_units, dropout)
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        model_fn = _dnn_estimator_fn(
            head,
            hidden_units=units,
            feature_columns=tuple(feature_columns or ()),
            optimizer=optimizer,
            activation_fn=activation_fn,
            dropout=dropout,
            input_layer_partitioner=input_layer_partitioner,
            batch_norm=bool(batch_norm),
        )
        super().__init__(
            model_fn=model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from
        )


class DNNClassifier(Estimator):
    """Feed-forward classification on feature columns (``tf.compat.v1.estimator.DNNClassifier``).

    Parameters
    ----------
    hidden_units : list of int
        Units of each hidden layer.
    feature_columns : list of feature columns
        Dense columns (numeric, bucketized, embedding, indicator).
    model_dir : str or None, default=None
    n_classes : int, default=2
        Two classes use a sigmoid head, more a softmax head.
    weight_column : str, numeric column or None, default=None
    label_vocabulary : list of str or None, default=None
    optimizer : str, Optimizer or callable, default='Adagrad'
    activation_fn : callable, default=tf.nn.relu
    dropout : float or None, default=None
    input_layer_partitioner : partitioner or None, default=None
    config : RunConfig or None, default=None
    warm_start_from : str, WarmStartSettings or None, default=None
    loss_reduction : str, default=tf.losses.Reduction.SUM
    batch_norm : bool, default=False
        Batch normalization (momentum 0.999) after each hidden layer.
    """

    def __init__(
        self,
        hidden_units: Sequence[int],
        feature_columns: Sequence[Any],
        model_dir: str | None = None,
        n_classes: int = 2,
        weight_column: Any = None,
        label_vocabulary: Sequence[str] | None = None,
        optimizer: OptimizerArg = "Adagrad",
        activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
        dropout: float | None = None,
        input_layer_partitioner: Any = None,
        config: Any = None,
        warm_start_from: Any = None,
        loss_reduction: str = _V1.losses.Reduction.SUM,
        batch_norm: bool = False,
    ) -> None:
        units = check_dnn_args(hidden_units, dropout)
        head = binary_or_multi_class_head(
            n_classes, weight_column, label_vocabulary, loss_reduction
        )
        model_fn = _dnn_estimator_fn(
            head,
            hidden_units=units,
            feature_columns=tuple(feature_columns or ()),
            optimizer=optimizer,
            activation_fn=activation_fn,
            dropout=dropout,
            input_layer_partitioner=input_layer_partitioner,
            batch_norm=bool(batch_norm),
        )
        super().__init__(
            model_fn=model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from
        )

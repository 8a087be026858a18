"""``DNNLinearCombinedRegressor``/``Classifier`` (wide & deep) of TF 2.15's v1 API.

The logits are the sum of a DNN (scope ``dnn``, :mod:`.dnn`) and a linear model (scope
``linear``, :mod:`.linear`), each trained by its own optimizer on its own variables:
``Adagrad(0.001)`` and ``Ftrl(min(0.005, 1/sqrt(n_linear_columns)))`` by default; one
train step adds 1 to the global step.

Example
-------
>>> import numpy as np
>>> import tf_pipeline.tf1 as tf
>>> x = tf.feature_column.numeric_column("x")
>>> est = tf.estimator.DNNLinearCombinedRegressor(
...     linear_feature_columns=[x], dnn_feature_columns=[x], dnn_hidden_units=[3])
>>> input_fn = tf.estimator.inputs.numpy_input_fn(
...     {"x": np.arange(4.0)}, np.arange(4.0), batch_size=4, num_epochs=None, shuffle=False)
>>> _ = est.train(input_fn, steps=2)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tf_pipeline.estimators.tf_estimator.canned.dnn import check_dnn_args, dnn_logits
from tf_pipeline.estimators.tf_estimator.canned.head import (
    RegressionHead,
    _Head,
    binary_or_multi_class_head,
)
from tf_pipeline.estimators.tf_estimator.canned.linear import (
    check_features,
    default_linear_learning_rate,
    default_partitioner,
    linear_logits,
)
from tf_pipeline.estimators.tf_estimator.canned.optimizers import (
    OptimizerArg,
    get_optimizer_instance,
)
from tf_pipeline.estimators.tf_estimator.estimator import Estimator
from tf_pipeline.estimators.tf_estimator.spec import EstimatorSpec
from tf_pipeline.tf_output import OPTIMIZER_SLOTS, silenced_tf_warnings

_V1 = tf.compat.v1
_DNN_LEARNING_RATE = 0.001
_LINEAR_LEARNING_RATE = 0.005


def dnn_linear_combined_model_fn(
    features: Any,
    labels: Any,
    mode: str,
    head: _Head,
    linear_feature_columns: Sequence[Any] | None = None,
    linear_optimizer: OptimizerArg = "Ftrl",
    dnn_feature_columns: Sequence[Any] | None = None,
    dnn_optimizer: OptimizerArg = "Adagrad",
    dnn_hidden_units: Sequence[int] | None = None,
    dnn_activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
    dnn_dropout: float | None = None,
    input_layer_partitioner: Any = None,
    config: Any = None,
    batch_norm: bool = False,
    linear_sparse_combiner: str = "sum",
) -> EstimatorSpec:
    """The wide & deep model_fn (TF's ``_dnn_linear_combined_model_fn``)."""
    features = check_features(features)
    input_layer_partitioner = input_layer_partitioner or default_partitioner(config)
    num_ps_replicas = getattr(config, "num_ps_replicas", 0) if config is not None else 0
    parts = []  # (optimizer, scope name) per sub-model
    logits = []
    if dnn_feature_columns:
        dnn_opt = get_optimizer_instance(dnn_optimizer, learning_rate=_DNN_LEARNING_RATE)
        partitioner = _V1.min_max_variable_partitioner(max_partitions=num_ps_replicas)
        with _V1.variable_scope(
            "dnn", values=tuple(features.values()), partitioner=partitioner
        ) as scope:
            logits.append(
                dnn_logits(
                    features,
                    mode,
                    head.logits_dimension,
                    dnn_hidden_units,
                    dnn_feature_columns,
                    dnn_activation_fn,
                    dnn_dropout,
                    input_layer_partitioner,
                    batch_norm,
                )
            )
            parts.append((dnn_opt, scope.name))
    if linear_feature_columns:
        rate = default_linear_learning_rate(len(linear_feature_columns), _LINEAR_LEARNING_RATE)
        linear_opt = get_optimizer_instance(linear_optimizer, learning_rate=rate)
        with _V1.variable_scope(
            "linear", values=tuple(features.values()), partitioner=input_layer_partitioner
        ) as scope:
            linear = linear_logits(
                features, linear_feature_columns, head.logits_dimension, linear_sparse_combiner
            )
            _V1.summary.scalar(
                f"{scope.name}/fraction_of_zero_values", tf.math.zero_fraction(linear)
            )
            _V1.summary.histogram(f"{scope.name}/activation", linear)
            logits.append(linear)
            parts.append((linear_opt, scope.name))

    def _train_op_fn(loss: tf.Tensor) -> tf.Operation:
        with silenced_tf_warnings(deprecated=OPTIMIZER_SLOTS):  # Adagrad's, TF's own notice
            train_ops = [
                opt.minimize(
                    loss,
                    var_list=_V1.get_collection(_V1.GraphKeys.TRAINABLE_VARIABLES, scope=name),
                )
                for opt, name in parts
            ]
        with tf.control_dependencies([tf.group(*train_ops)]):
            return _V1.assign_add(_V1.train.get_global_step(), 1).op

    return head.create_estimator_spec(
        features=features,
        mode=mode,
        labels=labels,
        train_op_fn=_train_op_fn,
        logits=tf.add_n(logits) if len(logits) > 1 else logits[0],
    )


def _check_columns(linear_feature_columns: Any, dnn_feature_columns: Any, hidden: Any) -> tuple:
    linear = tuple(linear_feature_columns or ())
    dnn = tuple(dnn_feature_columns or ())
    if not linear and not dnn:
        raise ValueError(
            "`linear_feature_columns` or `dnn_feature_columns` must be a non-empty list, got "
            "neither."
        )
    return linear, dnn


def _combined_fn(head: _Head, **kwargs: Any) -> Callable[..., EstimatorSpec]:
    def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> EstimatorSpec:
        return dnn_linear_combined_model_fn(features, labels, mode, head, config=config, **kwargs)

    return _model_fn


class DNNLinearCombinedRegressor(Estimator):
    """Wide & deep regression (``tf.compat.v1.estimator.DNNLinearCombinedRegressor``).

    Parameters
    ----------
    model_dir : str or None, default=None
    linear_feature_columns : list of feature columns or None, default=None
        Inputs of the linear (wide) part.
    linear_optimizer : str, Optimizer or callable, default='Ftrl'
        A name is built with ``min(0.005, 1/sqrt(len(linear_feature_columns)))``.
    dnn_feature_columns : list of feature columns or None, default=None
        Inputs of the DNN (deep) part.
    dnn_optimizer : str, Optimizer or callable, default='Adagrad'
        A name is built with learning rate 0.001.
    dnn_hidden_units : list of int or None, default=None
        Required with ``dnn_feature_columns``.
    dnn_activation_fn : callable, default=tf.nn.relu
    dnn_dropout : float or None, default=None
    label_dimension : int, default=1
    weight_column : str, numeric column or None, default=None
    input_layer_partitioner : partitioner or None, default=None
    config : RunConfig or None, default=None
    warm_start_from : str, WarmStartSettings or None, default=None
    loss_reduction : str, default=tf.losses.Reduction.SUM
    batch_norm : bool, default=False
        Batch normalization after each hidden layer of the DNN part.
    linear_sparse_combiner : str, default='sum'
    """

    def __init__(
        self,
        model_dir: str | None = None,
        linear_feature_columns: Sequence[Any] | None = None,
        linear_optimizer: OptimizerArg = "Ftrl",
        dnn_feature_columns: Sequence[Any] | None = None,
        dnn_optimizer: OptimizerArg = "Adagrad",
        dnn_hidden_units: Sequence[int] | None = None,
        dnn_activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
        dnn_dropout: float | None = None,
        label_dimension: int = 1,
        weight_column: Any = None,
        input_layer_partitioner: Any = None,
        config: Any = None,
        warm_start_from: Any = None,
        loss_reduction: str = _V1.losses.Reduction.SUM,
        batch_norm: bool = False,
        linear_sparse_combiner: str = "sum",
    ) -> None:
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        model_fn = _combined_model_fn(
            head,
            linear_feature_columns,
            linear_optimizer,
            dnn_feature_columns,
            dnn_optimizer,
            dnn_hidden_units,
            dnn_activation_fn,
            dnn_dropout,
            input_layer_partitioner,
            batch_norm,
            linear_sparse_combiner,
        )
        super().__init__(
            model_fn=model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from
        )


class DNNLinearCombinedClassifier(Estimator):
    """Wide & deep classification (``tf.compat.v1.estimator.DNNLinearCombinedClassifier``).

    Parameters are those of :class:`DNNLinearCombinedRegressor`, with ``n_classes``
    (default 2) and ``label_vocabulary`` (default None) in place of ``label_dimension``.
    """

    def __init__(
        self,
        model_dir: str | None = None,
        linear_feature_columns: Sequence[Any] | None = None,
        linear_optimizer: OptimizerArg = "Ftrl",
        dnn_feature_columns: Sequence[Any] | None = None,
        dnn_optimizer: OptimizerArg = "Adagrad",
        dnn_hidden_units: Sequence[int] | None = None,
        dnn_activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
        dnn_dropout: float | None = None,
        n_classes: int = 2,
        weight_column: Any = None,
        label_vocabulary: Sequence[str] | None = None,
        input_layer_partitioner: Any = None,
        config: Any = None,
        warm_start_from: Any = None,
        loss_reduction: str = _V1.losses.Reduction.SUM,
        batch_norm: bool = False,
        linear_sparse_combiner: str = "sum",
    ) -> None:
        head = binary_or_multi_class_head(
            n_classes, weight_column, label_vocabulary, loss_reduction
        )
        model_fn = _combined_model_fn(
            head,
            linear_feature_columns,
            linear_optimizer,
            dnn_feature_columns,
            dnn_optimizer,
            dnn_hidden_units,
            dnn_activation_fn,
            dnn_dropout,
            input_layer_partitioner,
            batch_norm,
            linear_sparse_combiner,
        )
        super().__init__(
            model_fn=model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from
        )


def _combined_model_fn(
    head: _Head,
    linear_feature_columns: Any,
    linear_optimizer: OptimizerArg,
    dnn_feature_columns: Any,
    dnn_optimizer: OptimizerArg,
    dnn_hidden_units: Any,
    dnn_activation_fn: Any,
    dnn_dropout: float | None,
    input_layer_partitioner: Any,
    batch_norm: bool,
    linear_sparse_combiner: str,
) -> Callable[..., EstimatorSpec]:
    linear, dnn = _check_columns(linear_feature_columns, dnn_feature_columns, dnn_hidden_units)
    hidden = (
        check_dnn_args(dnn_hidden_units, dnn_dropout, name="dnn_hidden_units") if dnn else None
    )
    return _combined_fn(
        head,
        linear_feature_columns=linear,
        linear_optimizer=linear_optimizer,
        dnn_feature_columns=dnn,
        dnn_optimizer=dnn_optimizer,
        dnn_hidden_units=hidden,
        dnn_activation_fn=dnn_activation_fn,
        dnn_dropout=dnn_dropout,
        input_layer_partitioner=input_layer_partitioner,
        batch_norm=bool(batch_norm),
        linear_sparse_combiner=linear_sparse_combiner,
    )

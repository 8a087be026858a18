"""``LinearRegressor`` and ``LinearClassifier`` of TF 2.15's v1 API (``tf.compat.v1.estimator``).

The model is ``tf.compat.v1.feature_column.linear_model`` under the variable scope
``linear`` with TF's partitioner, so the checkpoint holds TF's names:
``linear/linear_model/<column>/weights`` and ``linear/linear_model/bias_weights``. The
default ``optimizer='Ftrl'`` is ``FtrlOptimizer(0.2)``; ``optimizer=None`` gives
``FtrlOptimizer(min(0.2, 1/sqrt(len(feature_columns))))``, as in TF 2.15.

Example
-------
>>> import numpy as np
>>> import tf_pipeline.tf1 as tf
>>> x = tf.feature_column.numeric_column("x")
>>> est = tf.estimator.LinearRegressor([x])
>>> input_fn = tf.estimator.inputs.numpy_input_fn(
...     {"x": np.arange(4.0)}, np.arange(4.0), batch_size=4, num_epochs=None, shuffle=False)
>>> _ = est.train(input_fn, steps=2)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import tensorflow as tf

from tf_pipeline.estimators.tf_estimator.canned.head import (
    RegressionHead,
    _Head,
    binary_or_multi_class_head,
)
from tf_pipeline.estimators.tf_estimator.canned.optimizers import (
    OptimizerArg,
    get_optimizer_instance,
)
from tf_pipeline.estimators.tf_estimator.estimator import Estimator
from tf_pipeline.estimators.tf_estimator.spec import EstimatorSpec
from tf_pipeline.tf_output import FEATURE_COLUMN_V1, silenced_tf_warnings

_V1 = tf.compat.v1
_LEARNING_RATE = 0.2
_SPARSE_COMBINERS = ("mean", "sqrtn", "sum")


def default_linear_learning_rate(n_columns: int, cap: float = _LEARNING_RATE) -> float:
    """TF's linear learning rate: ``min(cap, 1 / sqrt(n_columns))``."""
    return min(cap, 1.0 / math.sqrt(n_columns))


def check_features(features: Any) -> dict:
    """The canned estimators take a dict of tensors as features."""
    if not isinstance(features, dict):
        raise ValueError(
            f"`features` must be a dict of Tensors, got {type(features).__name__}; return "
            "({name: tensor}, labels) from your input_fn."
        )
    return features


def default_partitioner(config: Any, min_slice_size: int = 64 << 20) -> Any:
    """TF's partitioner: one part without parameter servers (names end in ``/part_0``)."""
    num_ps_replicas = getattr(config, "num_ps_replicas", 0) if config is not None else 0
    return _V1.min_max_variable_partitioner(
        max_partitions=num_ps_replicas, min_slice_size=min_slice_size
    )


def _zero_fraction(variables: Sequence[tf.Variable]) -> tf.Tensor:
    with tf.name_scope("zero_fraction"):
        sizes = [tf.cast(tf.size(v), tf.float32) for v in variables]
        zeros = [tf.math.zero_fraction(v) * s for v, s in zip(variables, sizes, strict=True)]
        return tf.identity(tf.add_n(zeros) / tf.add_n(sizes), name="zero_fraction_or_nan")


def linear_logits(
    features: dict, feature_columns: Sequence[Any], units: int, sparse_combiner: str
) -> tf.Tensor:
    """The linear model's logits, with TF's bias and sparsity summaries.

    Must run inside the ``linear`` variable scope; variables are created by
    ``tf.compat.v1.feature_column.linear_model`` (named ``linear_model/...``).
    """
    cols_to_vars: dict = {}
    # TF's v1 linear estimator uses the deprecated v1 linear_model (its variable names).
    with silenced_tf_warnings(deprecated=("linear_model", *FEATURE_COLUMN_V1)):
        logits = _V1.feature_column.linear_model(
            features,
            list(feature_columns),
            units=units,
            sparse_combiner=sparse_combiner,
            cols_to_vars=cols_to_vars,
        )
    bias = cols_to_vars.pop("bias")
    weights = [part for parts in cols_to_vars.values() for part in parts]
    if units > 1:
        _V1.summary.histogram("bias", bias)
    else:
        _V1.summary.scalar("bias", tf.reshape(bias[0], [-1])[0])
    if weights:
        _V1.summary.scalar("fraction_of_zero_weights", _zero_fraction(weights))
    return logits


def linear_model_fn(
    features: Any,
    labels: Any,
    mode: str,
    head: _Head,
    feature_columns: Sequence[Any],
    optimizer: OptimizerArg | None,
    partitioner: Any,
    config: Any,
    sparse_combiner: str = "sum",
) -> EstimatorSpec:
    """The model_fn of the linear estimators (TF's ``_linear_model_fn``)."""
    features = check_features(features)
    partitioner = partitioner or default_partitioner(config)
    with _V1.variable_scope("linear", values=tuple(features.values()), partitioner=partitioner):
        logits = linear_logits(features, feature_columns, head.logits_dimension, sparse_combiner)
        opt = get_optimizer_instance(
            optimizer
            or _V1.train.FtrlOptimizer(default_linear_learning_rate(len(feature_columns))),
            learning_rate=_LEARNING_RATE,
        )
        return head.create_estimator_spec(
            features=features, mode=mode, labels=labels, optimizer=opt, logits=logits
        )


def _check_linear_args(feature_columns: Any, sparse_combiner: str) -> tuple:
    columns = tuple(feature_columns or ())
    if not columns:
        raise ValueError(f"`feature_columns` must be a non-empty list, got {feature_columns!r}.")
    if sparse_combiner not in _SPARSE_COMBINERS:
        expected = ", ".join(repr(c) for c in _SPARSE_COMBINERS)
        raise ValueError(f"`sparse_combiner` must be one of {expected}, got {sparse_combiner!r}.")
    return columns


class LinearRegressor(Estimator):
    """Linear regression on feature columns (``tf.compat.v1.estimator.LinearRegressor``).

    Parameters
    ----------
    feature_columns : list of feature columns
        The model's inputs (``tf.feature_column.*``).
    model_dir : str or None, default=None
        Where checkpoints and summaries go.
    label_dimension : int, default=1
        Regression targets per example.
    weight_column : str, numeric column or None, default=None
        Example weights, read from the features.
    optimizer : str, Optimizer or callable, default='Ftrl'
        A name is built with learning rate 0.2 (``'Ftrl'``: ``FtrlOptimizer(0.2)``);
        ``None`` means ``FtrlOptimizer(min(0.2, 1/sqrt(len(feature_columns))))``.
    config : RunConfig or None, default=None
    partitioner : partitioner or None, default=None
        Defaults to ``min_max_variable_partitioner(num_ps_replicas, 64 MiB)``.
    warm_start_from : str, WarmStartSettings or None, default=None
    loss_reduction : str, default=tf.losses.Reduction.SUM
    sparse_combiner : str, default='sum'
        How multivalent categorical columns are reduced.
    """

    def __init__(
        self,
        feature_columns: Sequence[Any],
        model_dir: str | None = None,
        label_dimension: int = 1,
        weight_column: Any = None,
        optimizer: OptimizerArg = "Ftrl",
        config: Any = None,
        partitioner: Any = None,
        warm_start_from: Any = None,
        loss_reduction: str = _V1.losses.Reduction.SUM,
        sparse_combiner: str = "sum",
    ) -> None:
        columns = _check_linear_args(feature_columns, sparse_combiner)
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        model_fn = _linear_estimator_fn(head, columns, optimizer, partitioner, sparse_combiner)
        super().__init__(
            model_fn=model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from
        )


class LinearClassifier(Estimator):
    """Linear classification on feature columns (``tf.compat.v1.estimator.LinearClassifier``).

    Parameters
    ----------
    feature_columns : list of feature columns
        The model's inputs (``tf.feature_column.*``).
    model_dir : str or None, default=None
    n_classes : int, default=2
        Two classes use a sigmoid head, more a softmax head.
    weight_column : str, numeric column or None, default=None
    label_vocabulary : list of str or None, default=None
        String labels; without it labels are class ids.
    optimizer : str, Optimizer or callable, default='Ftrl'
    config : RunConfig or None, default=None
    partitioner : partitioner or None, default=None
    warm_start_from : str, WarmStartSettings or None, default=None
    loss_reduction : str, default=tf.losses.Reduction.SUM
    sparse_combiner : str, default='sum'
    """

    def __init__(
        self,
        feature_columns: Sequence[Any],
        model_dir: str | None = None,
        n_classes: int = 2,
        weight_column: Any = None,
        label_vocabulary: Sequence[str] | None = None,
        optimizer: OptimizerArg = "Ftrl",
        config: Any = None,
        partitioner: Any = None,
        warm_start_from: Any = None,
        loss_reduction: str = _V1.losses.Reduction.SUM,
        sparse_combiner: str = "sum",
    ) -> None:
        columns = _check_linear_args(feature_columns, sparse_combiner)
        head = binary_or_multi_class_head(
            n_classes, weight_column, label_vocabulary, loss_reduction
        )
        model_fn = _linear_estimator_fn(head, columns, optimizer, partitioner, sparse_combiner)
        super().__init__(
            model_fn=model_fn, model_dir=model_dir, config=config, warm_start_from=warm_start_from
        )


def _linear_estimator_fn(
    head: _Head,
    columns: tuple,
    optimizer: OptimizerArg,
    partitioner: Any,
    sparse_combiner: str,
) -> Callable[..., EstimatorSpec]:
    def _model_fn(features: Any, labels: Any, mode: str, config: Any) -> EstimatorSpec:
        return linear_model_fn(
            features, labels, mode, head, columns, optimizer, partitioner, config, sparse_combiner
        )

    return _model_fn

"""TF1's ``BatchNormalization`` and ``batch_normalization``, with ``UPDATE_OPS``.

As in TF1 (and TF 2.15's ``tf.compat.v1.layers``): variables ``gamma``, ``beta``
(trainable), ``moving_mean``, ``moving_variance`` (not trainable); with ``training``
true (a Python bool or a boolean tensor) the batch statistics normalise and two
update ops, ``moving -= (moving - batch) * (1 - momentum)``, go to
``tf.GraphKeys.UPDATE_OPS`` (run them with the train op). 4-D and 5-D inputs
normalised over the channel axis use ``tf.compat.v1.nn.fused_batch_norm`` by default
(``fused=None``), whose batch variance for the moving average is the unbiased one
(``n / (n - 1)``), exactly as in TF1; other inputs use ``tf.nn.moments`` (biased).

``renorm=True`` (batch renormalization, Ioffe 2017) adds ``moving_stddev``,
``renorm_mean`` and ``renorm_stddev``; ``virtual_batch_size`` (ghost batch norm) and
``adjustment`` are TF1's too. All three use the ``tf.nn.moments`` path, as TF1 did.

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from tf_pipeline.compat.tf_layers import batch_normalization
>>> with tf.Graph().as_default():
...     x = tf.constant(np.arange(8, dtype=np.float32).reshape(4, 2))
...     y = batch_normalization(x, training=True)
...     updates = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
...     names = [v.op.name for v in tf.compat.v1.global_variables()]
>>> len(updates), names[2:]
(2, ['batch_normalization/moving_mean', 'batch_normalization/moving_variance'])
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from tf_pipeline._checks import check_int
from tf_pipeline.compat.tf_layers._utils import constant_value, get_initializer, smart_cond
from tf_pipeline.compat.tf_layers.base import InputSpec, Layer

__all__ = ["BatchNormalization", "batch_normalization"]

Fn = Callable[..., Any] | None

_FUSED_FORMATS = {(1, 4): "NCHW", (1, 5): "NCDHW", (3, 4): "NHWC", (4, 5): "NDHWC"}


class _Default:
    """Marks an initializer left at its default (a fresh one per layer)."""

    def __init__(self, make: Callable[[], Any], text: str) -> None:
        self.make = make
        self._text = text

    def __repr__(self) -> str:
        return self._text


ZEROS = _Default(tf.compat.v1.zeros_initializer, "tf.zeros_initializer()")
ONES = _Default(tf.compat.v1.ones_initializer, "tf.ones_initializer()")


def _initializer(value: Any, name: str) -> Any:
    return value.make() if isinstance(value, _Default) else get_initializer(value, name)


def _validate_axis(axis: int | Sequence[int], rank: int | None) -> list[int]:
    """``axis`` as a sorted-as-given list of non-negative axes of a rank-``rank`` input."""
    if rank is None:
        raise ValueError("`inputs` must have a known rank for batch normalization, got None.")
    axes = [axis] if isinstance(axis, numbers.Integral) else list(axis)
    result = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"`axis` must be in [{-rank}, {rank}), got {axis}.")
        result.append(a % rank)
    if len(set(result)) != len(result):
        raise ValueError(f"`axis` must not repeat an axis, got {axis}.")
    return result


def _compose_transforms(scale: Any, offset: Any, then_scale: Any, then_offset: Any) -> Any:
    """``x * scale + offset`` followed by ``* then_scale + then_offset``, as one affine map."""
    if then_scale is not None:
        scale = scale * then_scale
        offset = offset * then_scale
    if then_offset is not None:
        offset = offset + then_offset
    return scale, offset


class BatchNormalization(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015) as TF1's ``tf.layers`` had it.

    Parameters
    ----------
    axis : int or list of int, default=-1
        Feature axis (axes) kept; the others are reduced.
    momentum : float, default=0.99
        Moving-average momentum.
    epsilon : float, default=1e-3
        Added to the variance.
    center, scale : bool, default=True
        Create and use ``beta`` / ``gamma``.
    beta_initializer, gamma_initializer : initializer
        Default zeros / ones.
    moving_mean_initializer, moving_variance_initializer : initializer
        Default zeros / ones.
    beta_regularizer, gamma_regularizer : callable or None, default=None
        Losses go to ``REGULARIZATION_LOSSES``.
    beta_constraint, gamma_constraint : callable or None, default=None
        Projections attached to the variables.
    renorm : bool, default=False
        Batch renormalization: normalise with the batch statistics corrected by
        ``r = stddev / renorm_stddev`` and ``d = (mean - renorm_mean) / renorm_stddev``.
    renorm_clipping : dict or None, default=None
        Optional ``'rmin'``, ``'rmax'``, ``'dmax'`` bounds of ``r`` and ``d``.
    renorm_momentum : float, default=0.99
        Momentum of ``renorm_mean``/``renorm_stddev``.
    fused : bool or None, default=None
        ``None``/``True``: fused kernel where TF1 used it (4-D/5-D input, one channel
        axis, float16/bfloat16/float32); ``False``: ``tf.nn.moments`` path.
    trainable : bool, default=True
        Trainable ``gamma``/``beta``; a non-trainable layer adds no update ops.
    virtual_batch_size : int or None, default=None
        Normalise sub-batches separately (TF1 reshapes to ``[virtual_batch_size, -1, ...]``
        and reduces over the first axis); it must divide the batch size.
    adjustment : callable or None, default=None
        ``adjustment(tf.shape(inputs)) -> (scale, bias)`` applied to the normalised values
        before ``gamma``/``beta``, in training only.
    name : str or None, default=None
        Scope base name (``batch_normalization``, ...).
    """

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = ZEROS,
        gamma_initializer: Any = ONES,
        moving_mean_initializer: Any = ZEROS,
        moving_variance_initializer: Any = ONES,
        beta_regularizer: Fn = None,
        gamma_regularizer: Fn = None,
        beta_constraint: Fn = None,
        gamma_constraint: Fn = None,
        renorm: bool = False,
        renorm_clipping: dict[str, Any] | None = None,
        renorm_momentum: float = 0.99,
        fused: bool | None = None,
        trainable: bool = True,
        virtual_batch_size: int | None = None,
        adjustment: Fn = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        if virtual_batch_size is not None:
            check_int(virtual_batch_size, "virtual_batch_size", minimum=1)
            if adjustment is not None:
                raise ValueError(
                    "`adjustment` must be None when `virtual_batch_size` is given, "
                    f"got {adjustment!r}."
                )
        self.virtual_batch_size = virtual_batch_size
        self.adjustment = adjustment
        self.renorm = bool(renorm)
        if self.renorm:
            clipping = dict(renorm_clipping or {})
            unknown = sorted(set(clipping) - {"rmax", "rmin", "dmax"})
            if unknown:
                raise ValueError(
                    f"`renorm_clipping` keys must be among 'rmax', 'rmin', 'dmax', got {unknown}."
                )
            self.renorm_clipping = clipping
            self.renorm_momentum = renorm_momentum
        if not isinstance(axis, numbers.Integral) and not (
            isinstance(axis, (list, tuple)) and all(isinstance(a, numbers.Integral) for a in axis)
        ):
            raise TypeError(f"`axis` must be an int or a list of ints, got {axis!r}.")
        self.axis: Any = axis if isinstance(axis, numbers.Integral) else list(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = _initializer(beta_initializer, "beta_initializer")
        self.gamma_initializer = _initializer(gamma_initializer, "gamma_initializer")
        self.moving_mean_initializer = _initializer(
            moving_mean_initializer, "moving_mean_initializer"
        )
        self.moving_variance_initializer = _initializer(
            moving_variance_initializer, "moving_variance_initializer"
        )
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        # TF1's v1 behaviour: fused=None means "fused where possible".
        self.fused = True if fused is None else bool(fused)
        self.gamma: tf.Variable | None = None
        self.beta: tf.Variable | None = None
        self.moving_mean: tf.Variable | None = None
        self.moving_variance: tf.Variable | None = None
        self._data_format: str | None = None

    @property
    def _param_dtype(self) -> tf.DType:
        dtype = tf.as_dtype(self.dtype or tf.float32)
        return tf.float32 if dtype in (tf.float16, tf.bfloat16) else dtype

    def _fused_can_be_used(self) -> bool:
        axis = [self.axis] if isinstance(self.axis, numbers.Integral) else self.axis
        return (
            not self.renorm
            and self.virtual_batch_size is None
            and self.adjustment is None
            and len(axis) == 1
            and axis[0] in (-4, -3, -1, 1, 3, 4)
            and (self.dtype or "float32") in ("float16", "bfloat16", "float32")
        )

    def build(self, input_shape: tf.TensorShape) -> None:
        input_shape = tf.TensorShape(input_shape)
        rank = input_shape.rank
        axes = _validate_axis(self.axis, rank)
        if self.virtual_batch_size is not None and 0 in axes:
            raise ValueError(
                f"`axis` must not include the batch axis 0 with `virtual_batch_size`, got "
                f"{self.axis}."
            )
        if self.fused:
            self.fused = rank in (4, 5) and self._fused_can_be_used()
        if self.fused:
            key = (axes[0], rank)
            if key in _FUSED_FORMATS:
                self._data_format = _FUSED_FORMATS[key]
            elif rank == 5:
                self.fused = False
            else:
                raise ValueError(
                    f"`axis` must be 1 or 3 for a fused batch norm of a 4-D input, got "
                    f"{self.axis}. Pass `fused=False`."
                )
        self.axis = axes
        sizes = {a: input_shape[a] for a in axes}
        for a, size in sizes.items():
            if size is None:
                raise ValueError(
                    f"`inputs` must have a known size on axis {a}, got shape {input_shape}."
                )
        self.input_spec = InputSpec(ndim=rank, axes=sizes)
        if len(axes) == 1 and self.virtual_batch_size is None:
            param_shape: list[int] = [sizes[axes[0]]]
        else:
            param_shape = [sizes.get(i, 1) for i in range(rank)]
            if self.virtual_batch_size is not None:
                # The statistics gain an axis for the virtual batches.
                param_shape.insert(1, 1)
                self.axis = [a + 1 for a in axes]
        self._param_shape = param_shape
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                shape=param_shape,
                dtype=self._param_dtype,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                shape=param_shape,
                dtype=self._param_dtype,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
        for attribute, initializer in (
            ("moving_mean", self.moving_mean_initializer),
            ("moving_variance", self.moving_variance_initializer),
        ):
            variable = self.add_weight(
                attribute,
                shape=param_shape,
                dtype=self._param_dtype,
                initializer=initializer,
                trainable=False,
                synchronization=tf.VariableSynchronization.ON_READ,
                aggregation=tf.VariableAggregation.MEAN,
            )
            setattr(self, attribute, variable)
        if self.renorm:
            self._build_renorm(param_shape)
        self.built = True

    def _build_renorm(self, param_shape: list[int]) -> None:
        variance_initializer = self.moving_variance_initializer

        def stddev_initializer(*args: Any, **kwargs: Any) -> tf.Tensor:
            return tf.sqrt(variance_initializer(*args, **kwargs))

        for attribute, initializer in (
            ("moving_stddev", stddev_initializer),
            ("renorm_mean", self.moving_mean_initializer),
            ("renorm_stddev", stddev_initializer),
        ):
            variable = self.add_weight(
                attribute,
                shape=param_shape,
                dtype=self._param_dtype,
                initializer=initializer,
                trainable=False,
                synchronization=tf.VariableSynchronization.ON_READ,
                aggregation=tf.VariableAggregation.MEAN,
            )
            setattr(self, attribute, variable)

    def _renorm_correction_and_moments(
        self, mean: tf.Tensor, variance: tf.Tensor, training: Any
    ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
        """TF1's ``r``, ``d`` and the moments that, once used, update the renorm averages."""
        stddev = tf.sqrt(variance + self.epsilon)
        renorm_stddev = tf.maximum(self.renorm_stddev, tf.sqrt(self.epsilon))
        r = stddev / renorm_stddev
        d = (mean - self.renorm_mean) / renorm_stddev
        with tf.control_dependencies([r, d]):
            mean = tf.identity(mean)
            stddev = tf.identity(stddev)
        rmin, rmax, dmax = (self.renorm_clipping.get(k) for k in ("rmin", "rmax", "dmax"))
        if rmin is not None:
            r = tf.maximum(r, rmin)
        if rmax is not None:
            r = tf.minimum(r, rmax)
        if dmax is not None:
            d = tf.minimum(tf.maximum(d, -dmax), dmax)
        r = smart_cond(training, lambda: r, lambda: tf.ones_like(r))
        d = smart_cond(training, lambda: d, lambda: tf.zeros_like(d))

        def update(variable: tf.Variable, value: tf.Tensor) -> tf.Tensor:
            value = tf.identity(value)
            return smart_cond(
                training,
                lambda: self._assign_moving_average(variable, value, self.renorm_momentum),
                lambda: tf.identity(variable),
            )

        updated = [update(self.renorm_mean, mean), update(self.renorm_stddev, stddev)]
        with tf.control_dependencies(updated):
            return r, d, tf.identity(mean), tf.identity(variance)

    def _assign_moving_average(
        self, variable: tf.Variable, value: tf.Tensor, momentum: Any
    ) -> tf.Tensor:
        """``variable -= (variable - value) * (1 - momentum)``, TF1's update op."""
        with tf.compat.v1.name_scope("AssignMovingAvg") as scope:
            decay = tf.convert_to_tensor(1.0 - momentum, name="decay")
            if decay.dtype != variable.dtype.base_dtype:
                decay = tf.cast(decay, variable.dtype.base_dtype)
            delta = (variable - tf.cast(value, variable.dtype.base_dtype)) * decay
            return tf.compat.v1.assign_sub(variable, delta, name=scope)

    def call(self, inputs: tf.Tensor, training: bool | tf.Tensor = False) -> tf.Tensor:
        if training is None:
            training = False
        if self.fused:
            return self._fused_batch_norm(inputs, training)
        if self.virtual_batch_size is None:
            return self._moments_batch_norm(inputs, training)
        shape = tf.shape(inputs)
        original_shape = tf.concat([tf.constant([-1]), shape[1:]], axis=0)
        expanded_shape = tf.concat([tf.constant([self.virtual_batch_size, -1]), shape[1:]], 0)
        outputs = self._moments_batch_norm(tf.reshape(inputs, expanded_shape), training)
        return tf.reshape(outputs, original_shape)

    def _fused_batch_norm(self, inputs: tf.Tensor, training: Any) -> tf.Tensor:
        def constant(value: float) -> tf.Tensor:
            return tf.constant(value, dtype=self._param_dtype, shape=self._param_shape)

        beta = self.beta if self.center else constant(0.0)
        gamma = self.gamma if self.scale else constant(1.0)

        def fused(is_training: bool) -> Callable[[], Any]:
            # exponential_avg_factor=None, as TF1 graphs passed: batch moments out, the
            # variance with Bessel's correction; the moving averages are updated below.
            return lambda: tf.compat.v1.nn.fused_batch_norm(
                inputs,
                gamma,
                beta,
                mean=self.moving_mean,
                variance=self.moving_variance,
                epsilon=self.epsilon,
                is_training=is_training,
                data_format=self._data_format,
                exponential_avg_factor=None if is_training else 1.0,
            )

        output, mean, variance = smart_cond(training, fused(True), fused(False))
        training_value = constant_value(training)
        if training_value or training_value is None:
            if training_value is None:
                momentum = smart_cond(training, lambda: self.momentum, lambda: 1.0)
            else:
                momentum = tf.convert_to_tensor(self.momentum)
            self.add_update(self._assign_moving_average(self.moving_mean, mean, momentum))
            self.add_update(self._assign_moving_average(self.moving_variance, variance, momentum))
        return output

    def _moments_batch_norm(self, inputs: tf.Tensor, training: Any) -> tf.Tensor:
        inputs_dtype = inputs.dtype.base_dtype
        if inputs_dtype in (tf.float16, tf.bfloat16):
            inputs = tf.cast(inputs, tf.float32)
        input_shape = inputs.shape
        ndims = input_shape.rank
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        if self.virtual_batch_size is not None:
            del reduction_axes[1]  # one set of statistics per virtual batch
        broadcast_shape = [1] * ndims
        broadcast_shape[self.axis[0]] = input_shape[self.axis[0]]

        def broadcast(v: Any) -> Any:
            if (
                v is not None
                and len(v.shape) != ndims
                and reduction_axes != list(range(ndims - 1))
            ):
                return tf.reshape(v, broadcast_shape)
            return v

        scale, offset = broadcast(self.gamma), broadcast(self.beta)
        if constant_value(training) is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            if self.adjustment is not None:
                adj_scale, adj_bias = self.adjustment(tf.shape(inputs))
                adj_scale = smart_cond(
                    training, lambda: adj_scale, lambda: tf.ones_like(adj_scale)
                )
                adj_bias = smart_cond(training, lambda: adj_bias, lambda: tf.zeros_like(adj_bias))
                scale, offset = _compose_transforms(adj_scale, adj_bias, scale, offset)
            keep_dims = self.virtual_batch_size is not None or len(self.axis) > 1
            batch_mean, batch_variance = tf.nn.moments(
                tf.cast(inputs, self._param_dtype), reduction_axes, keepdims=keep_dims
            )
            moving_mean, moving_variance = self.moving_mean, self.moving_variance
            mean = smart_cond(
                training, lambda: batch_mean, lambda: tf.convert_to_tensor(moving_mean)
            )
            variance = smart_cond(
                training, lambda: batch_variance, lambda: tf.convert_to_tensor(moving_variance)
            )
            if self.virtual_batch_size is not None:
                new_mean = tf.reduce_mean(mean, axis=1, keepdims=True)
                new_variance = tf.reduce_mean(variance, axis=1, keepdims=True)
            else:
                new_mean, new_variance = mean, variance
            if self.renorm:
                r, d, new_mean, new_variance = self._renorm_correction_and_moments(
                    new_mean, new_variance, training
                )
                r = broadcast(tf.stop_gradient(r, name="renorm_r"))
                d = broadcast(tf.stop_gradient(d, name="renorm_d"))
                scale, offset = _compose_transforms(r, d, scale, offset)

            def moving_mean_update() -> Any:
                return smart_cond(
                    training,
                    lambda: self._assign_moving_average(self.moving_mean, new_mean, self.momentum),
                    lambda: self.moving_mean,
                )

            def renorm_variance() -> tf.Tensor:
                stddev = self._assign_moving_average(
                    self.moving_stddev, tf.sqrt(new_variance + self.epsilon), self.momentum
                )
                with tf.compat.v1.name_scope("AssignNewValue") as scope:
                    value = tf.nn.relu(stddev * stddev - self.epsilon)
                    return tf.compat.v1.assign(self.moving_variance, value, name=scope)

            def moving_variance_update() -> Any:
                return smart_cond(
                    training,
                    renorm_variance
                    if self.renorm
                    else lambda: self._assign_moving_average(
                        self.moving_variance, new_variance, self.momentum
                    ),
                    lambda: self.moving_variance,
                )

            self.add_update(moving_mean_update)
            self.add_update(moving_variance_update)
        mean = tf.cast(mean, inputs.dtype)
        variance = tf.cast(variance, inputs.dtype)
        if offset is not None:
            offset = tf.cast(offset, inputs.dtype)
        if scale is not None:
            scale = tf.cast(scale, inputs.dtype)
        outputs = tf.nn.batch_normalization(
            inputs, broadcast(mean), broadcast(variance), offset, scale, self.epsilon
        )
        if inputs_dtype in (tf.float16, tf.bfloat16):
            outputs = tf.cast(outputs, inputs_dtype)
        outputs.set_shape(input_shape)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        return tf.TensorShape(input_shape)


def batch_normalization(
    inputs: tf.Tensor,
    axis: int | Sequence[int] = -1,
    momentum: float = 0.99,
    epsilon: float = 1e-3,
    center: bool = True,
    scale: bool = True,
    beta_initializer: Any = ZEROS,
    gamma_initializer: Any = ONES,
    moving_mean_initializer: Any = ZEROS,
    moving_variance_initializer: Any = ONES,
    beta_regularizer: Fn = None,
    gamma_regularizer: Fn = None,
    beta_constraint: Fn = None,
    gamma_constraint: Fn = None,
    training: bool | tf.Tensor = False,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
    renorm: bool = False,
    renorm_clipping: dict[str, Any] | None = None,
    renorm_momentum: float = 0.99,
    fused: bool | None = None,
    virtual_batch_size: int | None = None,
    adjustment: Fn = None,
) -> tf.Tensor:
    """Functional :class:`BatchNormalization`; remember to run ``UPDATE_OPS`` when training.

    Example: ``with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = optimizer.minimize(loss)``.
    """
    layer = BatchNormalization(
        axis=axis,
        momentum=momentum,
        epsilon=epsilon,
        center=center,
        scale=scale,
        beta_initializer=beta_initializer,
        gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer,
        gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint,
        gamma_constraint=gamma_constraint,
        renorm=renorm,
        renorm_clipping=renorm_clipping,
        renorm_momentum=renorm_momentum,
        fused=fused,
        trainable=trainable,
        virtual_batch_size=virtual_batch_size,
        adjustment=adjustment,
        name=name,
        _scope=name,
        _reuse=reuse,
    )
    return layer(inputs, training=training)

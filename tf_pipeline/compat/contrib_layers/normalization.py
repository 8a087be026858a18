"""contrib's ``batch_norm`` and ``layer_norm`` on public TensorFlow ops.

Ports of ``tf.contrib.layers.batch_norm``/``layer_norm`` (TF 1.15, kept in
``tf_slim.layers``). Variables: ``BatchNorm/{beta, gamma, moving_mean,
moving_variance}`` and ``LayerNorm/{beta, gamma}`` (model variables).

``batch_norm`` took one of three routes in TF 1.x, and each is kept because their
moving-average updates differ in the last bits:

- *fused* (``fused`` not False, rank 2 or 4, and rank 2, ``zero_debias_moving_mean``
  or ``updates_collections`` other than ``UPDATE_OPS``): ``fused_batch_norm``; the
  moving variance follows the unbiased batch variance;
- *layer* (``updates_collections`` is ``UPDATE_OPS``, no ``batch_weights``): what the
  Keras-2 ``BatchNormalization`` layer did, fused for rank 4 and 5 (unbiased moving
  variance), ``nn.moments`` otherwise;
- *moments* (the rest): ``nn.moments`` or ``nn.weighted_moments``.

While training, the moving-average updates go to ``updates_collections`` (run them
with the train op) or, with ``updates_collections=None``, run with the output.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.contrib_layers import batch_norm
>>> with tf.Graph().as_default():
...     y = batch_norm(tf.ones([4, 3]), is_training=True, scale=True)
...     [v.op.name for v in tf.compat.v1.global_variables()]
['BatchNorm/beta', 'BatchNorm/gamma', 'BatchNorm/moving_mean', 'BatchNorm/moving_variance']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

from tf_pipeline.compat.arg_scope import add_arg_scope
from tf_pipeline.compat.contrib_layers._utils import (
    DATA_FORMATS_2D,
    Collections,
    add_variable_to_collections,
    check_data_format,
    collect_named_outputs,
    smart_cond,
    static_bool,
    variable_collections,
)
from tf_pipeline.compat.variables import model_variable

__all__ = ["batch_norm", "layer_norm"]

_V1 = tf.compat.v1
_UPDATE_OPS = _V1.GraphKeys.UPDATE_OPS


def _assign_moving_average(
    variable: tf.Variable, value: tf.Tensor, decay: Any, zero_debias: bool = False
) -> tf.Tensor:
    """``variable -= (variable - value) * (1 - decay)``, as TF1's ``assign_moving_average``.

    ``decay`` is a Python float (``1 - decay`` is rounded once, in float64) or a
    tensor (subtracted in the variable's dtype), matching the two TF1 routes. With
    ``zero_debias`` the average is kept in ``<var>/biased`` with a step count in
    ``<var>/local_step`` and ``variable`` receives ``biased / (1 - decay ** steps)``.
    """
    with tf.name_scope("AssignMovingAvg") as scope:
        one_minus = tf.convert_to_tensor(1.0 - decay, name="decay")
        if one_minus.dtype != variable.dtype.base_dtype:
            one_minus = tf.cast(one_minus, variable.dtype.base_dtype)
        if not zero_debias:
            return _V1.assign_sub(variable, (variable - value) * one_minus, name=scope)
        return _zero_debias(variable, value, one_minus)


def _zero_debias(variable: tf.Variable, value: tf.Tensor, one_minus: tf.Tensor) -> tf.Tensor:
    """TF1's ``moving_averages._zero_debias``, its variable names included.

    TF1 opened ``variable_scope(variable.name[:-2])`` inside the layer's scope, so the
    extra variables are ``BatchNorm/BatchNorm/moving_mean/biased`` and ``.../local_step``;
    kept for checkpoint compatibility.
    """
    with _V1.variable_scope(variable.name[: -len(":0")], values=[variable, value, one_minus]):
        scope = _V1.get_variable_scope()

        def unique(name: str) -> str:
            if scope.reuse:
                return name
            existing = {v.op.name for v in scope.global_variables()}
            full_name = scope.name + "/" + name
            if full_name not in existing:
                return name
            index = 1
            while f"{full_name}_{index}" in existing:
                index += 1
            return f"{name}_{index}"

        biased = _V1.get_variable(
            unique("biased"),
            initializer=tf.zeros_initializer(),
            shape=variable.shape,
            dtype=variable.dtype.base_dtype,
            trainable=False,
        )
        local_step = _V1.get_variable(
            unique("local_step"),
            shape=[],
            dtype=variable.dtype.base_dtype,
            initializer=tf.zeros_initializer(),
            trainable=False,
        )
    update_biased = _V1.assign_sub(biased, (biased - value) * one_minus)
    update_local_step = _V1.assign_add(local_step, 1)
    bias_factor = 1 - tf.pow(1.0 - one_minus, update_local_step)
    return _V1.assign(variable, update_biased / bias_factor)


def _params(
    params_shape,
    dtype,
    *,
    center,
    scale,
    param_initializers,
    param_regularizers,
    variables_collections,
    trainable,
):
    """Create beta, gamma (None when off) and the two moving statistics."""
    initializers = param_initializers or {}
    regularizers = param_regularizers or {}

    def make(name, default, trainable_, regularizer=None):
        var = model_variable(
            name,
            shape=params_shape,
            dtype=dtype,
            initializer=initializers.get(name, default),
            regularizer=regularizer,
            trainable=trainable_,
            collections=variable_collections(variables_collections, name),
        )
        add_variable_to_collections(var, variables_collections, name)
        return var

    beta = (
        make("beta", tf.zeros_initializer(), trainable, regularizers.get("beta"))
        if center
        else None
    )
    gamma = (
        make("gamma", tf.ones_initializer(), trainable, regularizers.get("gamma"))
        if scale
        else None
    )
    # contrib created the moving statistics with the partitioner switched off.
    with _V1.variable_scope(_V1.get_variable_scope()) as local_scope:
        local_scope.set_partitioner(None)
        moving_mean = make("moving_mean", tf.zeros_initializer(), False)
        moving_variance = make("moving_variance", tf.ones_initializer(), False)
    return beta, gamma, moving_mean, moving_variance


def _fused_route(
    inputs,
    params,
    *,
    rank,
    data_format,
    epsilon,
    is_training,
    decay,
    updates_collections,
    zero_debias,
):
    """contrib's ``_fused_batch_norm`` (rank 2 is reshaped to ``[-1, 1, 1, C]``)."""
    beta, gamma, moving_mean, moving_variance = params
    original = inputs
    channels = int(inputs.shape[-1] if data_format == "NHWC" else inputs.shape[1])
    if rank == 2:
        new_shape = [-1, 1, 1, channels] if data_format == "NHWC" else [-1, channels, 1, 1]
        inputs = tf.reshape(inputs, new_shape)
    inputs_shape = inputs.shape
    if beta is None:
        beta = tf.constant(0.0, tf.float32, [channels])
    if gamma is None:
        gamma = tf.constant(1.0, tf.float32, [channels])

    def training():
        return _V1.nn.fused_batch_norm(
            inputs, gamma, beta, epsilon=epsilon, data_format=data_format
        )

    def inference():
        return _V1.nn.fused_batch_norm(
            inputs,
            gamma,
            beta,
            mean=moving_mean,
            variance=moving_variance,
            epsilon=epsilon,
            is_training=False,
            data_format=data_format,
        )

    outputs, mean, variance = smart_cond(is_training, training, inference)
    training_value = static_bool(is_training)
    if training_value is None or training_value:

        def updates():
            return (
                _assign_moving_average(moving_mean, mean, decay, zero_debias),
                _assign_moving_average(moving_variance, variance, decay),
            )

        if updates_collections is None:

            def forced():
                with tf.control_dependencies(updates()):
                    return tf.identity(outputs)

            outputs = smart_cond(is_training, forced, lambda: outputs)
        else:
            update_mean, update_variance = smart_cond(
                is_training, updates, lambda: (moving_mean, moving_variance)
            )
            _V1.add_to_collections(updates_collections, update_mean)
            _V1.add_to_collections(updates_collections, update_variance)
    outputs.set_shape(inputs_shape)
    if rank == 2:
        dims = original.shape.as_list()
        if sum(d is None for d in dims) <= 1:
            outputs = tf.reshape(outputs, [-1 if d is None else d for d in dims])
        else:
            outputs = tf.reshape(outputs, tf.shape(original))
    return outputs


def _layer_route(inputs, params, *, rank, data_format, epsilon, is_training, decay, fused):
    """What the Keras-2 ``BatchNormalization`` layer (TF1 behaviour) computed."""
    beta, gamma, moving_mean, moving_variance = params
    axis = 1 if data_format == "NCHW" else rank - 1
    formats = {(4, 1): "NCHW", (4, 3): "NHWC", (5, 1): "NCDHW", (5, 4): "NDHWC"}
    use_fused = fused is not False and (rank, axis) in formats and inputs.dtype == tf.float32
    training_value = static_bool(is_training)
    if use_fused:
        channels = int(inputs.shape[axis])
        offset = beta if beta is not None else tf.constant(0.0, tf.float32, [channels])
        scale = gamma if gamma is not None else tf.constant(1.0, tf.float32, [channels])

        def training():
            return _V1.nn.fused_batch_norm(
                inputs,
                scale,
                offset,
                mean=moving_mean,
                variance=moving_variance,
                epsilon=epsilon,
                is_training=True,
                data_format=formats[(rank, axis)],
            )

        def inference():
            return _V1.nn.fused_batch_norm(
                inputs,
                scale,
                offset,
                mean=moving_mean,
                variance=moving_variance,
                epsilon=epsilon,
                is_training=False,
                data_format=formats[(rank, axis)],
            )

        outputs, mean, variance = smart_cond(is_training, training, inference)
        if training_value is None or training_value:
            # The layer subtracted a float32 momentum tensor (1 while not training).
            momentum = (
                tf.convert_to_tensor(decay)
                if training_value
                else tf.cond(is_training, lambda: tf.constant(decay), lambda: tf.constant(1.0))
            )
            _V1.add_to_collection(_UPDATE_OPS, _assign_moving_average(moving_mean, mean, momentum))
            _V1.add_to_collection(
                _UPDATE_OPS, _assign_moving_average(moving_variance, variance, momentum)
            )
        return outputs
    reduction_axes = [i for i in range(rank) if i != axis]
    if training_value is False:
        mean, variance = moving_mean, moving_variance
    else:
        batch_mean, batch_variance = tf.nn.moments(inputs, reduction_axes)
        mean = smart_cond(
            is_training, lambda: batch_mean, lambda: tf.convert_to_tensor(moving_mean)
        )
        variance = smart_cond(
            is_training, lambda: batch_variance, lambda: tf.convert_to_tensor(moving_variance)
        )
        for var, value in ((moving_mean, mean), (moving_variance, variance)):
            update = smart_cond(
                is_training,
                lambda var=var, value=value: _assign_moving_average(var, value, decay),
                lambda var=var: var,
            )
            _V1.add_to_collection(_UPDATE_OPS, update)
    if axis != rank - 1:
        broadcast = [1] * rank
        broadcast[axis] = int(inputs.shape[axis])
        mean, variance = tf.reshape(mean, broadcast), tf.reshape(variance, broadcast)
        beta = None if beta is None else tf.reshape(beta, broadcast)
        gamma = None if gamma is None else tf.reshape(gamma, broadcast)
    return tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)


def _moments_route(
    inputs,
    params,
    *,
    rank,
    data_format,
    epsilon,
    is_training,
    decay,
    updates_collections,
    batch_weights,
    zero_debias,
):
    """contrib's own non-fused batch norm (``batch_weights`` or custom update collections)."""
    beta, gamma, moving_mean, moving_variance = params
    nchw = data_format == "NCHW"
    axes = [0, *range(2, rank)] if nchw else list(range(rank - 1))
    training_value = static_bool(is_training)
    if training_value is None or training_value:
        if batch_weights is None:
            mean, variance = tf.nn.moments(inputs, axes, keepdims=nchw)
        else:
            batch_weights = tf.reshape(batch_weights, [-1] + [1] * (rank - 1))
            mean, variance = tf.nn.weighted_moments(inputs, axes, batch_weights, keepdims=nchw)
        if nchw:
            mean, variance = tf.reshape(mean, [-1]), tf.reshape(variance, [-1])

        def updates():
            return (
                _assign_moving_average(moving_mean, mean, decay, zero_debias),
                _assign_moving_average(moving_variance, variance, decay),
            )

        moving = lambda: (moving_mean, moving_variance)  # noqa: E731
        if updates_collections is None:

            def forced():
                with tf.control_dependencies(updates()):
                    return tf.identity(mean), tf.identity(variance)

            mean, variance = smart_cond(is_training, forced, moving)
        else:
            update_mean, update_variance = smart_cond(is_training, updates, moving)
            _V1.add_to_collections(updates_collections, update_mean)
            _V1.add_to_collections(updates_collections, update_variance)
            batch = (mean, variance)
            mean, variance = smart_cond(is_training, lambda: batch, moving)
    else:
        mean, variance = moving_mean, moving_variance
    if nchw:
        broadcast = [1, int(inputs.shape[1])] + [1] * (rank - 2)
        mean, variance = tf.reshape(mean, broadcast), tf.reshape(variance, broadcast)
        beta = None if beta is None else tf.reshape(beta, broadcast)
        gamma = None if gamma is None else tf.reshape(gamma, broadcast)
    return tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)


@add_arg_scope
def batch_norm(
    inputs: tf.Tensor,
    decay: float = 0.999,
    center: bool = True,
    scale: bool = False,
    epsilon: float = 0.001,
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = None,
    param_initializers: Mapping[str, Any] | None = None,
    param_regularizers: Mapping[str, Callable] | None = None,
    updates_collections: str | Sequence[str] | None = _UPDATE_OPS,
    is_training: bool | tf.Tensor = True,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    batch_weights: tf.Tensor | None = None,
    fused: bool | None = None,
    data_format: str = "NHWC",
    zero_debias_moving_mean: bool = False,
    scope: str | _V1.VariableScope | None = None,
    renorm: bool = False,
    renorm_clipping: Mapping | None = None,
    renorm_decay: float = 0.99,
    adjustment: Callable | None = None,
) -> tf.Tensor:
    """Batch normalisation (Ioffe & Szegedy 2015), as ``tf.contrib.layers.batch_norm``.

    Normalises over every axis but the channels (last for ``'NHWC'``, second for
    ``'NCHW'``) with the batch statistics while ``is_training``, else with the moving
    ones, then scales by ``gamma`` (if ``scale``) and shifts by ``beta`` (if ``center``).

    Parameters
    ----------
    inputs : tf.Tensor
        Rank >= 2 with a known channels dimension.
    decay : float, default=0.999
        Moving-average decay.
    center, scale : bool, default=True, False
        Create ``beta`` / ``gamma``.
    epsilon : float, default=0.001
    activation_fn : callable or None, default=None
    param_initializers : dict or None
        Initializers by name (``'beta'``, ``'gamma'``, ``'moving_mean'``, ``'moving_variance'``).
    param_regularizers : dict or None
        Regularizers for ``'beta'`` and ``'gamma'``.
    updates_collections : str, list or None, default=GraphKeys.UPDATE_OPS
        Where the moving-average updates go; ``None`` runs them with the output.
    is_training : bool or bool tensor, default=True
    reuse, variables_collections, outputs_collections, trainable, scope
        As for every contrib layer (default scope ``BatchNorm``).
    batch_weights : tf.Tensor or None
        ``[batch]`` frequency weights for weighted moments.
    fused : bool or None, default=None (fused where possible)
    data_format : {'NHWC', 'NCHW'}, default='NHWC'
    zero_debias_moving_mean : bool, default=False
        Debias the moving mean (extra variables ``<scope>/<scope>/moving_mean/biased``
        and ``.../local_step``, TF1's names).
    renorm, renorm_clipping, renorm_decay, adjustment
        Not supported here: ``renorm`` and ``adjustment`` must keep their defaults.

    Returns
    -------
    tf.Tensor
        Same shape as ``inputs``.

    Raises
    ------
    ValueError
        On an unknown ``data_format``, an unknown rank or channels dimension, or an
        unsupported option.
    """
    check_data_format(data_format, DATA_FORMATS_2D)
    if renorm or adjustment is not None:
        raise ValueError(
            "`renorm` and `adjustment` must keep their defaults (False, None), "
            f"got {renorm} and {adjustment}. tf_pipeline does not restore them."
        )
    del renorm_clipping, renorm_decay
    if fused is None:
        fused = True
    with _V1.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError(f"`inputs` must have a known rank, got shape {inputs.shape}.")
        nchw = data_format == "NCHW"
        params_shape = inputs.shape[1:2] if nchw else inputs.shape[-1:]
        if not params_shape.is_fully_defined():
            raise ValueError(
                f"`inputs` must have a known channels dimension, got shape {inputs.shape}."
            )
        fused_route = (
            fused
            and batch_weights is None
            and rank in (2, 4)
            and (zero_debias_moving_mean or rank == 2 or updates_collections != _UPDATE_OPS)
        )
        layer_route = (
            not fused_route
            and batch_weights is None
            and updates_collections == _UPDATE_OPS
            and not zero_debias_moving_mean
        )
        # contrib's fused route kept float32 parameters; the others follow the inputs.
        dtype = tf.float32 if fused_route else inputs.dtype.base_dtype
        params = _params(
            params_shape,
            dtype,
            center=center,
            scale=scale,
            param_initializers=param_initializers,
            param_regularizers=param_regularizers,
            variables_collections=variables_collections,
            trainable=trainable,
        )
        common = {
            "rank": rank,
            "data_format": data_format,
            "epsilon": epsilon,
            "is_training": is_training,
            "decay": decay,
        }
        if fused_route:
            outputs = _fused_route(
                inputs,
                params,
                updates_collections=updates_collections,
                zero_debias=zero_debias_moving_mean,
                **common,
            )
        elif layer_route:
            outputs = _layer_route(inputs, params, fused=fused, **common)
        else:
            outputs = _moments_route(
                inputs,
                params,
                updates_collections=updates_collections,
                batch_weights=batch_weights,
                zero_debias=zero_debias_moving_mean,
                **common,
            )
        outputs.set_shape(inputs.shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def layer_norm(
    inputs: tf.Tensor,
    center: bool = True,
    scale: bool = True,
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    begin_norm_axis: int = 1,
    begin_params_axis: int = -1,
    scope: str | _V1.VariableScope | None = None,
) -> tf.Tensor:
    """Layer normalisation (Ba et al. 2016), as ``tf.contrib.layers.layer_norm``.

    Normalises over axes ``begin_norm_axis:`` (variance epsilon 1e-12) and applies
    ``gamma``/``beta`` of shape ``inputs.shape[begin_params_axis:]``.

    Raises
    ------
    ValueError
        If the rank is unknown, an axis is out of range or the parameter shape is
        not fully known.
    """
    with _V1.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        shape = inputs.shape
        rank = shape.ndims
        if rank is None:
            raise ValueError(f"`inputs` must have a known rank, got shape {shape}.")
        dtype = inputs.dtype.base_dtype
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError(
                f"`begin_params_axis` and `begin_norm_axis` must be < rank(inputs) ({rank}), "
                f"got {begin_params_axis} and {begin_norm_axis}."
            )
        params_shape = shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(
                f"`inputs` must have a known shape from axis {begin_params_axis} on, got {shape}."
            )
        beta = gamma = None
        for name, initializer, wanted in (
            ("beta", tf.zeros_initializer(), center),
            ("gamma", tf.ones_initializer(), scale),
        ):
            if not wanted:
                continue
            var = model_variable(
                name,
                shape=params_shape,
                dtype=dtype,
                initializer=initializer,
                collections=variable_collections(variables_collections, name),
                trainable=trainable,
            )
            add_variable_to_collections(var, variables_collections, name)
            if name == "beta":
                beta = var
            else:
                gamma = var
        mean, variance = tf.nn.moments(inputs, list(range(begin_norm_axis, rank)), keepdims=True)
        epsilon = 1e-12 if dtype != tf.float16 else 1e-3
        outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)
        outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)

"""contrib's variable helpers (``slim.variable``, ``model_variable``, ``get_variables``...).

A port of ``tensorflow/contrib/framework/python/ops/variables.py`` (TF 1.15, kept as
``tf_slim.ops.variables``) on ``tf.compat.v1``. A *model variable* is a global
variable that is also in ``GraphKeys.MODEL_VARIABLES`` (what every contrib layer
creates); ``get_variables_to_restore`` and ``assign_from_checkpoint_fn`` pick
variables by scope for warm starts.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.variables import get_model_variables, model_variable
>>> with tf.Graph().as_default():
...     with tf.compat.v1.variable_scope("net"):
...         w = model_variable("w", [2, 3])
...     [v.op.name for v in get_model_variables("net")]
['net/w']
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from tf_pipeline.compat.arg_scope import add_arg_scope

__all__ = [
    "add_model_variable",
    "assign_from_checkpoint_fn",
    "get_local_variables",
    "get_model_variables",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variables",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_variables_to_restore",
    "local_variable",
    "model_variable",
    "variable",
]

_LOG = logging.getLogger(__name__)
_V1 = tf.compat.v1
_KEYS = _V1.GraphKeys


@add_arg_scope
def variable(
    name: str,
    shape: Sequence[int] | None = None,
    dtype: tf.DType | None = None,
    initializer: Any = None,
    regularizer: Callable | None = None,
    trainable: bool = True,
    collections: Sequence[str] | None = None,
    caching_device: str | None = None,
    device: str | None = None,
    partitioner: Callable | None = None,
    custom_getter: Callable | None = None,
    use_resource: bool | None = None,
    synchronization: tf.VariableSynchronization = tf.VariableSynchronization.AUTO,
    aggregation: tf.VariableAggregation = tf.VariableAggregation.NONE,
) -> tf.Variable:
    """Get or create a variable with ``tf.compat.v1.get_variable``, on ``device``.

    ``collections`` defaults to ``[GLOBAL_VARIABLES]``; ``custom_getter`` is called
    as ``custom_getter(get_variable, name, ..., reuse=<current scope's reuse>)``.
    """
    collections = list(set(collections if collections is not None else [_KEYS.GLOBAL_VARIABLES]))
    getter = _V1.get_variable
    if custom_getter is not None:
        getter = functools.partial(custom_getter, reuse=_V1.get_variable_scope().reuse)
    with tf.device(device or ""):
        return getter(
            name,
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            regularizer=regularizer,
            trainable=trainable,
            collections=collections,
            caching_device=caching_device,
            partitioner=partitioner,
            use_resource=use_resource,
            synchronization=synchronization,
            aggregation=aggregation,
        )


@add_arg_scope
def model_variable(
    name: str,
    shape: Sequence[int] | None = None,
    dtype: tf.DType = tf.float32,
    initializer: Any = None,
    regularizer: Callable | None = None,
    trainable: bool = True,
    collections: Sequence[str] | None = None,
    caching_device: str | None = None,
    device: str | None = None,
    partitioner: Callable | None = None,
    custom_getter: Callable | None = None,
    use_resource: bool | None = None,
    synchronization: tf.VariableSynchronization = tf.VariableSynchronization.AUTO,
    aggregation: tf.VariableAggregation = tf.VariableAggregation.NONE,
) -> tf.Variable:
    """:func:`variable` that is also added to ``GraphKeys.MODEL_VARIABLES``."""
    collections = [*(collections or []), _KEYS.GLOBAL_VARIABLES, _KEYS.MODEL_VARIABLES]
    return variable(
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        device=device,
        partitioner=partitioner,
        custom_getter=custom_getter,
        use_resource=use_resource,
        synchronization=synchronization,
        aggregation=aggregation,
    )


@add_arg_scope
def local_variable(
    initial_value: Any, validate_shape: bool = True, name: str | None = None, use_resource=None
) -> tf.Variable:
    """A non-trainable variable in ``GraphKeys.LOCAL_VARIABLES`` (metric accumulators)."""
    return _V1.Variable(
        initial_value,
        trainable=False,
        collections=[_KEYS.LOCAL_VARIABLES],
        validate_shape=validate_shape,
        use_resource=use_resource,
        name=name,
    )


def add_model_variable(var: tf.Variable) -> None:
    """Add ``var`` to ``GraphKeys.MODEL_VARIABLES`` unless it is there already."""
    if not any(v is var for v in _V1.get_collection(_KEYS.MODEL_VARIABLES)):
        _V1.add_to_collection(_KEYS.MODEL_VARIABLES, var)


def get_variables(
    scope: str | _V1.VariableScope | None = None,
    suffix: str | None = None,
    collection: str = _KEYS.GLOBAL_VARIABLES,
) -> list[tf.Variable]:
    """Variables of ``collection`` whose names match ``scope`` (a regex prefix).

    ``suffix`` keeps only those whose name ends in ``suffix`` (``'weights'`` matches
    ``.../weights:0``).
    """
    if scope and isinstance(scope, _V1.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return _V1.get_collection(collection, scope)


def get_model_variables(
    scope: str | _V1.VariableScope | None = None, suffix: str | None = None
) -> list[tf.Variable]:
    """:func:`get_variables` over ``GraphKeys.MODEL_VARIABLES``."""
    return get_variables(scope, suffix, _KEYS.MODEL_VARIABLES)


def get_local_variables(
    scope: str | _V1.VariableScope | None = None, suffix: str | None = None
) -> list[tf.Variable]:
    """:func:`get_variables` over ``GraphKeys.LOCAL_VARIABLES``."""
    return get_variables(scope, suffix, _KEYS.LOCAL_VARIABLES)


def get_trainable_variables(
    scope: str | _V1.VariableScope | None = None, suffix: str | None = None
) -> list[tf.Variable]:
    """:func:`get_variables` over ``GraphKeys.TRAINABLE_VARIABLES``."""
    return get_variables(scope, suffix, _KEYS.TRAINABLE_VARIABLES)


def get_variables_by_suffix(suffix: str, scope: str | None = None) -> list[tf.Variable]:
    """Global variables whose names end in ``suffix``."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name: str, scope: str | None = None) -> list[tf.Variable]:
    """Global variables whose last name component is ``given_name``."""
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name: str) -> tf.Variable:
    """The global variable whose op name is exactly ``var_op_name``.

    Raises
    ------
    ValueError
        If no variable, or none with exactly that name, matches.
    """
    candidates = get_variables(scope=var_op_name)
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError(
        f"`var_op_name` must name exactly one global variable, got {var_op_name!r} "
        f"({len(candidates)} variables under that prefix)."
    )


def _check_scopes(scopes: object, name: str) -> Sequence[str]:
    if not isinstance(scopes, (list, tuple)):
        raise TypeError(f"`{name}` must be a list or tuple of scopes, got {scopes!r}.")
    return scopes


def get_variables_to_restore(
    include: Sequence[str] | None = None, exclude: Sequence[str] | None = None
) -> list[tf.Variable]:
    """Global variables under the ``include`` scopes (all if None), minus ``exclude``'s.

    Raises
    ------
    TypeError
        If ``include`` or ``exclude`` is given but is not a list or tuple.
    """
    if include is None:
        to_include = get_variables()
    else:
        to_include = [
            v for scope in _check_scopes(include, "include") for v in get_variables(scope)
        ]
    excluded: set[int] = set()
    if exclude is not None:
        for scope in _check_scopes(exclude, "exclude"):
            excluded |= {id(v) for v in get_variables(scope)}
    return [v for v in to_include if id(v) not in excluded]


def assign_from_checkpoint_fn(
    model_path: str,
    var_list: Sequence[tf.Variable] | dict[str, tf.Variable],
    ignore_missing_vars: bool = False,
    reshape_variables: bool = False,
) -> Callable[[_V1.Session], None] | None:
    """Return ``fn(session)`` that restores ``var_list`` from the checkpoint at ``model_path``.

    With ``ignore_missing_vars`` the variables the checkpoint lacks are skipped (and
    logged); ``None`` is returned when none is left.

    Raises
    ------
    ValueError
        If ``var_list`` is empty.
    """
    if not var_list:
        raise ValueError(f"`var_list` must not be empty, got {var_list!r}.")
    if ignore_missing_vars:
        reader = tf.train.load_checkpoint(model_path)
        var_dict = var_list if isinstance(var_list, dict) else {v.op.name: v for v in var_list}
        available = {}
        for name, var in var_dict.items():
            if reader.has_tensor(name):
                available[name] = var
            else:
                _LOG.warning("Variable %s missing in checkpoint %s", name, model_path)
        var_list = available
    if not var_list:
        _LOG.warning("No Variables to restore")
        return None
    saver = _V1.train.Saver(var_list, reshape=reshape_variables)

    def callback(session: _V1.Session) -> None:
        saver.restore(session, model_path)

    return callback

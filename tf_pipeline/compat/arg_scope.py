"""contrib's ``arg_scope``: default keyword arguments for decorated layer functions.

A port of ``tensorflow/contrib/framework/python/ops/arg_scope.py`` (TF 1.15, kept as
``tf_slim.ops.arg_scope``) on plain Python. Functions decorated with
:func:`add_arg_scope` take their keyword defaults from the innermost enclosing
:func:`arg_scope` that names them; explicit keyword arguments win.

Example
-------
>>> from tf_pipeline.compat.arg_scope import add_arg_scope, arg_scope
>>> @add_arg_scope
... def layer(x, scale=1, shift=0):
...     return x * scale + shift
>>> with arg_scope([layer], scale=10):
...     with arg_scope([layer], shift=1):
...         layer(2), layer(2, scale=2)
(21, 5)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = [
    "add_arg_scope",
    "arg_scope",
    "arg_scope_func_key",
    "arg_scoped_arguments",
    "current_arg_scope",
    "has_arg_scope",
]

# One stack per process, as in TF1: scopes are entered and left like name scopes.
_ARGSTACK: list[dict[Any, dict[str, Any]]] = [{}]
# Key of each decorated function -> the keyword arguments it accepts.
_DECORATED_OPS: dict[Any, tuple[str, ...]] = {}


def _get_arg_stack() -> list[dict[Any, dict[str, Any]]]:
    if not _ARGSTACK:
        _ARGSTACK.append({})
    return _ARGSTACK


def current_arg_scope() -> dict[Any, dict[str, Any]]:
    """The innermost scope: ``{function key: {argument: default}}``."""
    return _get_arg_stack()[-1]


def arg_scope_func_key(op: Callable) -> Any:
    """The key a function is stored under (the undecorated function's, once decorated)."""
    return getattr(op, "_key_op", str(op))


def _kwarg_names(func: Callable) -> tuple[str, ...]:
    kwargs_length = len(func.__defaults__) if func.__defaults__ else 0
    return func.__code__.co_varnames[-kwargs_length : func.__code__.co_argcount]


@contextlib.contextmanager
def arg_scope(
    list_ops_or_scope: Sequence[Callable] | dict, **kwargs: Any
) -> Iterator[dict[Any, dict[str, Any]]]:
    """Set default keyword arguments for the functions in ``list_ops_or_scope``.

    Parameters
    ----------
    list_ops_or_scope : list or tuple of callables, or dict
        Functions decorated with :func:`add_arg_scope`, or a scope yielded by an
        earlier ``arg_scope`` (then ``kwargs`` must be empty) to re-enter it.
    **kwargs
        The defaults; they extend (and override) those of enclosing scopes.

    Yields
    ------
    dict
        The new current scope, reusable as ``arg_scope(scope)``.

    Raises
    ------
    ValueError
        If a function is not decorated, or a dict scope is given with ``kwargs``.
    TypeError
        If ``list_ops_or_scope`` is neither a list, a tuple nor a dict.
    """
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError(
                "`kwargs` must be empty when re-entering a scope given as a dict, "
                f"got {sorted(kwargs)}."
            )
        current_scope = list_ops_or_scope.copy()
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError(
                "`list_ops_or_scope` must be a list or tuple of functions or a scope dict, "
                f"got {type(list_ops_or_scope).__name__}."
            )
        current_scope = current_arg_scope().copy()
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                name = getattr(op, "__name__", repr(op))
                raise ValueError(
                    f"`list_ops_or_scope` must hold functions decorated with @add_arg_scope, "
                    f"got {name}."
                )
            key = arg_scope_func_key(op)
            current_scope[key] = {**current_scope.get(key, {}), **kwargs}
    stack = _get_arg_stack()
    stack.append(current_scope)
    try:
        yield current_scope
    finally:
        stack.pop()


def add_arg_scope(func: Callable) -> Callable:
    """Decorate ``func`` so that :func:`arg_scope` can set its keyword defaults.

    The wrapper keeps ``func``'s name, docstring and signature.
    """
    key_func = arg_scope_func_key(func)

    @functools.wraps(func)
    def func_with_args(*args: Any, **kwargs: Any) -> Any:
        current_scope = current_arg_scope()
        if key_func in current_scope:
            kwargs = {**current_scope[key_func], **kwargs}
        return func(*args, **kwargs)

    _DECORATED_OPS[key_func] = _kwarg_names(func)
    func_with_args._key_op = key_func  # type: ignore[attr-defined]
    return func_with_args


def has_arg_scope(func: Callable) -> bool:
    """Whether ``func`` was decorated with :func:`add_arg_scope`."""
    return arg_scope_func_key(func) in _DECORATED_OPS


def arg_scoped_arguments(func: Callable) -> tuple[str, ...]:
    """The keyword arguments an :func:`arg_scope` can set for decorated ``func``."""
    if not has_arg_scope(func):
        raise ValueError(f"`func` must be decorated with @add_arg_scope, got {func!r}.")
    return _DECORATED_OPS[arg_scope_func_key(func)]

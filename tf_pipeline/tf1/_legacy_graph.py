"""Legacy graph mode: the implicit default graph of TF 1.x, one thread at a time.

A TF 1.x script builds at module level (``x = tf.placeholder(...)``) into an implicit
default graph. TensorFlow 2 runs eagerly, and disabling eager execution is global: it
would break Keras 3 in the same process. Instead, the first TF1 call made through
``tf_pipeline.tf1`` while the current thread executes eagerly *enters legacy graph mode*
for that thread: a fresh ``tf.Graph`` is made the thread's default graph (its
``as_default()`` context is entered and kept open). The default-graph stack is
thread-local, so eager execution stays on globally and every other thread is unaffected;
``with tf.Graph().as_default():`` nests above the legacy graph and pops back to it.

Variables stay TF 2's resource variables, also in the legacy graph: TF 2 always builds
``tf.cond``/``tf.while_loop`` as functional (v2) control flow, which cannot capture a
reference variable, so TF1 code assigning inside a ``cond`` (every batch-norm moving
average with a ``training`` placeholder) would fail with reference variables. The two
TF1 idioms that relied on reference variables are fixed in :mod:`tf_pipeline.tf1.train`.

Keras 3 needs eager execution, so a Keras 3 variable created in a legacy-mode thread
raises :class:`LegacyGraphModeError` naming where legacy mode was entered.

Example
-------
>>> import tf_pipeline.tf1 as tf
>>> import threading
>>> def script():
...     x = tf.placeholder(tf.float32, [None])  # enters legacy graph mode
...     with tf.Session() as session:
...         print(session.run(2.0 * x, {x: [1.0, 2.0]}))
...     tf.leave_legacy_graph_mode()
>>> thread = threading.Thread(target=script)
>>> thread.start(); thread.join()
[2. 4.]
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
import threading
from typing import Any, Callable

import tensorflow as _tf

_V1 = _tf.compat.v1
_LOG = logging.getLogger(__name__)
_TF1_DIR = os.path.dirname(os.path.abspath(__file__))
_STATE = threading.local()


class LegacyGraphModeError(RuntimeError):
    """Eager-only code (Keras 3) ran in a thread that is in TF1 legacy graph mode."""

    __module__ = "tf_pipeline.tf1"  # where users import it from


def in_legacy_graph_mode() -> bool:
    """Whether the current thread is in legacy graph mode (see the module docstring)."""
    return getattr(_STATE, "graph", None) is not None


def legacy_graph() -> _tf.Graph | None:
    """The current thread's legacy default graph, or None outside legacy graph mode."""
    return getattr(_STATE, "graph", None)


def _caller() -> str:
    """``file:line`` of the first frame outside tf_pipeline.tf1 and TensorFlow."""
    frame = sys._getframe(1)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        skip = (
            path.startswith(_TF1_DIR)
            or f"{os.sep}tensorflow{os.sep}" in path
            or frame.f_code.co_filename.startswith("<frozen")
            or os.path.basename(path) == "functools.py"
        )
        if not skip:
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def _keras_guard(next_creator: Any, **kwargs: Any) -> Any:
    # Keras 3 creates its variables in keras.src.backend.tensorflow; a TF1 library
    # (compat.v1, tf_slim, ours) never does, so the creator's callers say who asks.
    frame = sys._getframe(1)
    for _ in range(12):
        if frame is None:
            break
        if frame.f_globals.get("__name__", "").startswith("keras."):
            raise LegacyGraphModeError(
                "Keras 3 needs eager execution, but this thread is in TF1 legacy graph "
                f"mode since {_STATE.where} (a TF1 call through tf_pipeline.tf1 outside "
                "an explicit graph). Build the TF1 code inside `with tf.Graph().as_default():`"
                ", or call `tf_pipeline.tf1.leave_legacy_graph_mode()` before using Keras."
            )
        frame = frame.f_back
    return next_creator(**kwargs)


def _push(where: str) -> None:
    graph = _tf.Graph()
    graph_context = graph.as_default()
    graph_context.__enter__()
    creator_context = _V1.variable_creator_scope(_keras_guard)
    creator_context.__enter__()
    # The open contexts are kept here: a dropped generator context would pop itself.
    _STATE.graph = graph
    _STATE.contexts = (graph_context, creator_context)
    _STATE.where = where
    _STATE.interactive = 0


def _pop() -> None:
    graph_context, creator_context = _STATE.contexts
    creator_context.__exit__(None, None, None)
    graph_context.__exit__(None, None, None)
    _STATE.graph = None
    _STATE.contexts = None


def _nested() -> bool:
    return _V1.get_default_graph() is not _STATE.graph or _STATE.interactive > 0


def _check_not_nested(action: str) -> None:
    if _nested():
        raise AssertionError(
            f"Do not use {action} inside a nested graph: exit `with tf.Graph().as_default():`"
            " and close the InteractiveSession first."
        )


def enter_legacy_graph_mode() -> _tf.Graph:
    """Make this thread build in an implicit default graph, as TF 1.x did.

    Called by every TF1 function reached through ``tf_pipeline.tf1`` while the thread
    executes eagerly; call it yourself only to enter legacy mode early. A no-op in legacy
    mode, inside an explicit graph, and in a thread that called
    ``tf.enable_eager_execution()`` (a TF 1.x eager program).

    Returns
    -------
    tf.Graph
        The thread's default graph.
    """
    if _tf.executing_eagerly() and not getattr(_STATE, "eager_by_choice", False):
        _push(_caller())
        _LOG.debug("Legacy graph mode entered at %s", _STATE.where)
    return _V1.get_default_graph()


def leave_legacy_graph_mode() -> bool:
    """Drop the thread's legacy default graph and execute eagerly again (Keras 3 works).

    Returns
    -------
    bool
        True when the thread was in legacy graph mode.

    Raises
    ------
    AssertionError
        Inside an explicit ``with tf.Graph().as_default():`` or with an open
        InteractiveSession: exit those first.
    """
    if not in_legacy_graph_mode():
        return False
    _check_not_nested("leave_legacy_graph_mode()")
    _pop()
    return True


def reset_default_graph() -> None:
    """TF1's ``tf.reset_default_graph()``: a fresh, empty default graph for this thread.

    In legacy graph mode the legacy graph is replaced; inside an explicit graph (or with an
    InteractiveSession open) TensorFlow's own AssertionError is raised, as in TF 1.x.
    """
    if not in_legacy_graph_mode():
        if not _tf.executing_eagerly():
            _V1.reset_default_graph()  # raises TensorFlow's nested-graph error
            return
        _push(_caller())
        return
    if _nested():
        # The legacy graph is on TensorFlow's stack, so TensorFlow raises its own
        # "Do not use tf.reset_default_graph() to clear nested graphs" error, as TF 1.x did.
        _V1.reset_default_graph()
        _check_not_nested("tf.reset_default_graph()")
    where = _STATE.where
    _pop()
    _push(where)


_EAGER_NOTE = threading.Event()


def _note_eager_stays_on(name: str) -> None:
    if not _EAGER_NOTE.is_set():
        _EAGER_NOTE.set()
        _LOG.warning(
            "tf.%s() through tf_pipeline.tf1: this thread now builds in a TF1 default "
            "graph (legacy graph mode); eager execution stays on globally so Keras 3 keeps "
            "working in other threads and after leave_legacy_graph_mode().",
            name,
        )


def disable_eager_execution() -> None:
    """TF1's switch to graph mode, for the current thread only (see module docstring)."""
    _note_eager_stays_on("disable_eager_execution")
    _STATE.eager_by_choice = False
    enter_legacy_graph_mode()


def disable_v2_behavior() -> None:
    """Graph mode for the current thread (see the module docstring).

    Resource variables, functional control flow, TensorShape v2 (ints, not ``Dimension``)
    and tensor equality stay TF 2's: they are process-wide switches Keras 3 relies on.
    """
    _note_eager_stays_on("disable_v2_behavior")
    _STATE.eager_by_choice = False
    enter_legacy_graph_mode()


def enable_eager_execution(*args: Any, **kwargs: Any) -> None:
    """TF 1.x eager programs call this first: this thread stays eager from now on.

    Leaves legacy graph mode if in it; TF1 calls no longer enter it in this thread (until
    ``tf.disable_eager_execution()``). The arguments (config, device policy) are ignored:
    TensorFlow 2 runs eagerly already.
    """
    leave_legacy_graph_mode()
    _STATE.eager_by_choice = True


def enable_v2_behavior() -> None:
    """TF 2 behaviour for this thread: as :func:`enable_eager_execution`."""
    enable_eager_execution()


class Session(_V1.Session):
    """``tf.Session`` of TF1; enters legacy graph mode when created eagerly without a graph."""

    def __init__(self, target: str = "", graph: _tf.Graph | None = None, config: Any = None):
        if graph is None:
            enter_legacy_graph_mode()
        super().__init__(target, graph, config)


class InteractiveSession(_V1.InteractiveSession):
    """``tf.InteractiveSession`` of TF1; enters legacy graph mode when created eagerly."""

    def __init__(self, target: str = "", graph: _tf.Graph | None = None, config: Any = None):
        if graph is None:
            enter_legacy_graph_mode()
        super().__init__(target, graph, config)
        self._tf1_counted = in_legacy_graph_mode()
        if self._tf1_counted:
            _STATE.interactive += 1

    def close(self) -> None:
        super().close()
        if getattr(self, "_tf1_counted", False) and in_legacy_graph_mode():
            self._tf1_counted = False
            _STATE.interactive = max(0, _STATE.interactive - 1)


_WRAPPERS: dict[int, tuple[Callable, Callable]] = {}


def legacy_entry(func: Callable) -> Callable:
    """``func`` wrapped to enter legacy graph mode when called eagerly (one per function)."""
    cached = _WRAPPERS.get(id(func))
    if cached is not None and cached[0] is func:
        return cached[1]
    executing_eagerly = _tf.executing_eagerly

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if executing_eagerly():
            enter_legacy_graph_mode()
        return func(*args, **kwargs)

    wrapper._tf1_legacy_entry = True  # type: ignore[attr-defined]
    # setdefault is atomic: two threads racing here still hand out one wrapper.
    return _WRAPPERS.setdefault(id(func), (func, wrapper))[1]


class _GraphClassType(type):
    # A stand-in for a TensorFlow class that starts graph code when constructed eagerly
    # (tf.Variable, tf.data.Dataset, queues, readers). A subclass cannot stand in for
    # them: Variable's metaclass dispatches on the class itself, and Dataset's
    # constructors are static methods returning other classes. So this proxy forwards
    # construction, isinstance/issubclass and class attributes (functions wrapped).
    _tf1_target: type
    _tf1_instance_of: type

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        enter_legacy_graph_mode()
        return cls._tf1_target(*args, **kwargs)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls._tf1_instance_of)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls._tf1_instance_of)

    def __getattr__(cls, name: str) -> Any:
        value = getattr(cls._tf1_target, name)
        if inspect.isfunction(value) and not name.startswith("_"):
            return legacy_entry(value)
        return value


_GRAPH_CLASSES: dict[int, tuple[type, type]] = {}


def graph_class(target: type, instance_of: type | None = None) -> type:
    """The stand-in for ``target`` that enters legacy graph mode when it builds (cached).

    ``isinstance(x, stand_in)`` means ``isinstance(x, instance_of or target)``.
    """
    cached = _GRAPH_CLASSES.get(id(target))
    if cached is not None and cached[0] is target:
        return cached[1]
    namespace = {
        "__doc__": target.__doc__,
        "__module__": target.__module__,
        "__qualname__": target.__qualname__,
        "_tf1_target": target,
        "_tf1_instance_of": instance_of or target,
    }
    stand_in = _GraphClassType(target.__name__, (), namespace)
    return _GRAPH_CLASSES.setdefault(id(target), (target, stand_in))[1]


# Every TF variable (resource or reference) is a tf.Variable, as in TF 1.x; TF 2's
# compat.v1.Variable alone would not hold for resource variables.
Variable = graph_class(_V1.Variable, _tf.Variable)


class variable_scope(_V1.variable_scope):  # noqa: N801 - TF1's name
    """``tf.variable_scope`` of TF1; enters legacy graph mode when opened eagerly."""

    def __init__(self, *args: Any, **kwargs: Any):
        enter_legacy_graph_mode()
        super().__init__(*args, **kwargs)


class name_scope(_V1.name_scope):  # noqa: N801 - TF1's name
    """``tf.name_scope`` of TF1; enters legacy graph mode when opened eagerly."""

    def __init__(self, *args: Any, **kwargs: Any):
        enter_legacy_graph_mode()
        super().__init__(*args, **kwargs)

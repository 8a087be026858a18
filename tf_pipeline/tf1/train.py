"""``tf.train`` of TF1: ``tensorflow.compat.v1.train`` with TF1's variable semantics.

Under TF 2.x a variable is a resource variable even in a graph, and two TF1 idioms
that relied on reference variables break (both work on TF 2.15 with v1 behaviour):

- ``string_input_producer(match_filenames_once(pattern))`` asks the variable for its
  truth value (OperatorNotAllowedInGraphError): the variable is passed as its value;
- a variable kept in a custom collection comes back from ``import_meta_graph`` as its
  resource handle (``session.run`` gives a handle, not the value): it comes back as the
  imported variable.

Variables stay resource variables (see :mod:`tf_pipeline.tf1._legacy_graph` for why),
in the implicit default graph and in explicit graphs alike; these fixes cover both.

Example
-------
>>> import tf_pipeline.tf1 as tf
>>> with tf.Graph().as_default():
...     files = tf.train.match_filenames_once("*.csv")
...     queue = tf.train.string_input_producer(files, shuffle=False)
"""

from __future__ import annotations

from typing import Any

import tensorflow as _tf

_V1 = _tf.compat.v1
_V1_TRAIN = _V1.train


def __getattr__(name: str) -> Any:
    try:
        return getattr(_V1_TRAIN, name)
    except AttributeError:
        raise AttributeError(f"module 'tf_pipeline.tf1.train' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_V1_TRAIN)))


def string_input_producer(
    string_tensor: Any,
    num_epochs: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    capacity: int = 32,
    shared_name: str | None = None,
    name: str | None = None,
    cancel_op: Any = None,
) -> Any:
    """TF1's ``tf.train.string_input_producer``; ``string_tensor`` may be a variable.

    See ``tf.compat.v1.train.string_input_producer`` for the arguments.
    """
    if isinstance(string_tensor, _tf.Variable):
        # TF1 read a reference variable's value here; a resource variable would be
        # asked for its truth value by TensorFlow's emptiness check.
        string_tensor = _tf.convert_to_tensor(string_tensor)
    return _V1_TRAIN.string_input_producer(
        string_tensor, num_epochs, shuffle, seed, capacity, shared_name, name, cancel_op
    )


def import_meta_graph(
    meta_graph_or_file: Any,
    clear_devices: bool = False,
    import_scope: str | None = None,
    **kwargs: Any,
) -> Any:
    """TF1's ``tf.train.import_meta_graph``; collected variables come back as variables.

    See ``tf.compat.v1.train.import_meta_graph`` for the arguments and the return value.
    """
    saver = _V1_TRAIN.import_meta_graph(
        meta_graph_or_file, clear_devices=clear_devices, import_scope=import_scope, **kwargs
    )
    graph = _V1.get_default_graph()
    by_handle = {}
    for key in (_V1.GraphKeys.GLOBAL_VARIABLES, _V1.GraphKeys.LOCAL_VARIABLES):
        for variable in graph.get_collection(key):
            handle = getattr(variable, "handle", None) if _is_resource(variable) else None
            if handle is not None:
                by_handle[handle.name] = variable
    for key in graph.get_all_collection_keys():
        items = graph.get_collection_ref(key)
        for i, item in enumerate(items):
            if isinstance(item, _tf.Tensor) and item.dtype == _tf.resource:
                items[i] = by_handle.get(item.name, item)
    return saver


def _is_resource(variable: Any) -> bool:
    # A reference variable's dtype is its value's; only a resource variable has a handle.
    try:
        return variable.handle.dtype == _tf.resource
    except (AttributeError, ValueError, NotImplementedError):
        return False


__all__ = ["import_meta_graph", "string_input_producer"]

"""Layer records: what the TF1 layers and RNN functions built, for graph-to-Keras conversion.

While a :func:`recording` block is open (the migration converter opens one around
tracing a model_fn), our TF1 layers, ``fully_connected`` and the RNN functions append
one :class:`LayerRecord` per call: the object that ran (a cell or a layer), the tensors
it consumed and produced, and the options that decide its math. Outside such a block
nothing is recorded, so normal graphs and checkpoints are unaffected; records live in
this module's thread-local state, never in a graph collection (which Saver would try to
serialise).

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat import records
>>> from tf_pipeline.compat.layers import fully_connected
>>> with tf.Graph().as_default(), records.recording() as found:
...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
...     y = fully_connected(x, 2)
>>> [(r.kind, r.config["num_outputs"]) for r in found]
[('fully_connected', 2)]
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_STATE = threading.local()


@dataclass(frozen=True)
class LayerRecord:
    """One call of a TF1 layer, cell runner or function, as traced.

    Attributes
    ----------
    kind : str
        ``"dynamic_rnn"``, ``"static_rnn"``, ``"fully_connected"`` or ``"tf_layer"``.
    owner : object
        The cell or layer object that ran (None for functions without one).
    inputs : tuple of tf.Tensor
    outputs : tuple of tf.Tensor
        Flat; for RNNs the outputs first, then the leaves of the final state.
    config : dict
        Whatever else decides the computation (variables, activation, state structure).
    """

    kind: str
    owner: Any
    inputs: tuple
    outputs: tuple
    config: dict = field(default_factory=dict)


def active() -> bool:
    """Whether a :func:`recording` block is open in this thread."""
    return getattr(_STATE, "records", None) is not None


def record(kind: str, owner: Any, inputs: Any, outputs: Any, **config: Any) -> None:
    """Append a record if a :func:`recording` block is open; otherwise do nothing."""
    records = getattr(_STATE, "records", None)
    if records is None:
        return
    records.append(LayerRecord(kind, owner, tuple(inputs), tuple(outputs), dict(config)))


@contextlib.contextmanager
def recording() -> Iterator[list[LayerRecord]]:
    """Collect the records of the layers built inside the block (this thread only)."""
    previous = getattr(_STATE, "records", None)
    _STATE.records = []
    try:
        yield _STATE.records
    finally:
        _STATE.records = previous

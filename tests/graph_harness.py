"""Build the same recurrent graph with our cells and with TensorFlow's legacy TF1 cells.

The legacy cells (``tensorflow.python.keras.layers.legacy_rnn``) are TensorFlow's own
TF 1.x code, retained privately; they are the oracle and are used in tests only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import tensorflow as tf

from tf_pipeline.compat import rnn as ours


def legacy_rnn_module():
    """The oracle module, or skip the test with the reason when it is gone."""
    return pytest.importorskip(
        "tensorflow.python.keras.layers.legacy_rnn.rnn_cell_impl",
        reason="TensorFlow no longer ships its legacy TF1 cells (the parity oracle)",
    )


@dataclass
class RNNGraph:
    """A graph: inputs -> dynamic_rnn(cell) -> last output -> fixed linear head -> MSE."""

    graph: tf.Graph
    session: tf.compat.v1.Session
    x: tf.Tensor
    y: tf.Tensor
    outputs: tf.Tensor
    state: Any
    loss: tf.Tensor
    variables: list[tf.Variable]
    gradients: list[tf.Tensor]
    train_op: tf.Operation | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def run(self, fetches: Any, x: np.ndarray, y: np.ndarray | None = None) -> Any:
        feed = {self.x: x}
        if y is not None:
            feed[self.y] = y
        return self.session.run(fetches, feed)

    def values(self) -> dict[str, np.ndarray]:
        return {v.op.name: self.session.run(v) for v in self.variables}

    def load(self, values: dict[str, np.ndarray]) -> None:
        # Inside the graph: outside it, Variable.load would try an eager assign.
        with self.graph.as_default():
            for variable in self.variables:
                variable.load(values[variable.op.name], self.session)

    def close(self) -> None:
        self.session.close()


def build_rnn_graph(
    make_cell: Callable[[Any], Any],
    input_shape: tuple[int, int],
    *,
    seed: int = 0,
    learning_rate: float | None = None,
    optimizer: Callable[[float], Any] | None = None,
    parallel_iterations: int | None = None,
) -> RNNGraph:
    """``make_cell()`` builds the cell (from our module or the oracle's).

    Random ops (dropout) inside ``dynamic_rnn``'s while loop draw in scheduling
    order; ``parallel_iterations=1`` makes that order, and so the masks, fixed.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(seed)
        x = tf.compat.v1.placeholder(tf.float32, [None, *input_shape], name="x")
        y = tf.compat.v1.placeholder(tf.float32, [None], name="y")
        cell = make_cell()
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell, x, dtype=tf.float32, parallel_iterations=parallel_iterations
        )
        last = outputs[:, -1, :]
        head = tf.constant(np.linspace(-1.0, 1.0, last.shape[-1]).reshape(-1, 1), dtype=tf.float32)
        prediction = tf.reshape(tf.matmul(last, head), [-1])
        loss = tf.reduce_mean(tf.square(prediction - y))
        variables = tf.compat.v1.trainable_variables()
        gradients = tf.gradients(loss, variables)
        train_op = None
        if learning_rate is not None:
            train_op = (optimizer or tf.compat.v1.train.AdagradOptimizer)(learning_rate).minimize(
                loss
            )
        session = tf.compat.v1.Session(graph=graph)
        session.run(tf.compat.v1.global_variables_initializer())
    return RNNGraph(graph, session, x, y, outputs, state, loss, variables, gradients, train_op)


def random_batch(input_shape: tuple[int, int], n: int = 6, seed: int = 1):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, *input_shape)).astype(np.float32)
    y = rng.uniform(-1.0, 1.0, size=(n,)).astype(np.float32)
    return x, y


__all__ = ["RNNGraph", "build_rnn_graph", "legacy_rnn_module", "ours", "random_batch"]

"""Op seeds for random ops that TF 1.x built in the graph but we build in a control-flow function.

With a graph seed set and no op seed, TensorFlow derives an op's seed from a counter kept
per graph (``tf.compat.v1.random.get_seed``: the n-th such op of a graph gets op seed n).
TF 1.x built ``tf.cond`` and ``tf.while_loop`` as control-flow ops *in* the graph, so a
dropout mask inside a ``training`` cond or a ``dynamic_rnn`` loop took the graph's next
number. TensorFlow 2 builds them as functions: a random op inside a branch or loop body
counts in that function's own graph (and gets 0), and the graph's counter stands still,
so every later unseeded random op (the next layer's initializer) draws another number
than in TF 1.x. Drawing the op seed from the graph the program builds, as TF 1.x did,
restores TF 1.x's numbers for both.

Example
-------
>>> import tensorflow as tf
>>> with tf.Graph().as_default():
...     tf.compat.v1.set_random_seed(1)
...     first, second = outer_graph_op_seed(None), outer_graph_op_seed(None)
>>> first, second, outer_graph_op_seed(7)
(0, 1, 7)
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["outer_graph_op_seed"]


def _program_graph() -> tf.Graph:
    """The graph being built, seen through any control-flow function being traced into it.

    A ``tf.cond`` branch or ``tf.while_loop`` body being traced is a function graph whose
    ``outer_graph`` is the graph it is built for; TF 1.x had no such level.
    """
    graph = tf.compat.v1.get_default_graph()
    while getattr(graph, "outer_graph", None) is not None:
        graph = graph.outer_graph
    return graph


def outer_graph_op_seed(seed: int | None) -> int | None:
    """The op seed TF 1.x gave a random op built now.

    Parameters
    ----------
    seed : int or None
        The op seed the user gave; returned unchanged when not None.

    Returns
    -------
    int or None
        ``seed`` if given; eagerly, or in a graph without a graph seed, None (the op
        stays unseeded, as in TF 1.x); else the program graph's next derived op seed,
        used up exactly as TF 1.x's op would have used it.
    """
    if seed is not None or tf.executing_eagerly():
        return seed
    with _program_graph().as_default():
        return tf.compat.v1.random.get_seed(None)[1]

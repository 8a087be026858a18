"""Op seeds for random ops that TF 1.x built in the graph but we build in a ``tf.cond`` branch.

With a graph seed set and no op seed, TensorFlow derives an op's seed from a counter kept
per graph (``tf.compat.v1.random.get_seed``: the n-th such op of a graph gets op seed n).
TF 1.x built ``tf.cond`` as control-flow ops *in* the graph, so a dropout mask inside a
``training`` branch took the graph's next number. TensorFlow 2 builds ``tf.cond`` as a
function: a random op inside its branch counts in the branch's own graph (and gets 0),
and the outer graph's counter stands still, so every later unseeded random op (the next
layer's initializer) draws another number than in TF 1.x. Taking the op seed from the
outer graph *before* building the ``cond`` restores TF 1.x's numbers for both.

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


def outer_graph_op_seed(seed: int | None) -> int | None:
    """The op seed TF 1.x gave a random op built now in the current graph.

    Parameters
    ----------
    seed : int or None
        The op seed the user gave; returned unchanged when not None.

    Returns
    -------
    int or None
        ``seed`` if given; eagerly, or in a graph without a graph seed, None (the op
        stays unseeded, as in TF 1.x); else the graph's next derived op seed, which is
        used up exactly as TF 1.x's op would have used it.
    """
    if seed is not None or tf.executing_eagerly():
        return seed
    return tf.compat.v1.random.get_seed(None)[1]

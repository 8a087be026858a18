"""Op seeds derived from the graph seed: a dropout in a ``training`` cond and what follows it.

The harness sets a graph seed and none of these ops has an op seed, so each takes the
graph's next derived op seed (TF 1.x: the n-th unseeded random op of a graph gets n).
TF 1.x built the ``training`` cond in the graph, so a dropout mask inside it counted
there; the later layers' initial values (``initial/...``, recomputed from the
initializers, not restored from the checkpoint) and every mask (``mask``, the training
losses) must be TF 2.15's. A dropout with a constant ``training`` builds no cond. A
``DropoutWrapper`` mask inside ``dynamic_rnn``'s loop counted in the graph too.
"""

import numpy as np


def reference_contrib(tf, tf_slim):
    from golden.cases.contrib_layers import _tf_slim_on_tf215

    _tf_slim_on_tf215()
    return {"layers": {"dropout": tf_slim.dropout, "fully_connected": tf_slim.fully_connected}}


def _initial_values(tf):
    return {v.op.name: v.initial_value for v in tf.trainable_variables()}


def _feed(x, y, training):
    rng = np.random.RandomState(5)
    return {
        x: rng.randn(8, 3).astype(np.float32),
        y: rng.randn(8, 1).astype(np.float32),
        training: True,
    }


def tf_layers_dropout_mlp(tf):
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    training = tf.placeholder(tf.bool, None)
    hidden = tf.layers.dense(x, 6, tf.nn.relu)
    hidden = tf.layers.dropout(hidden, rate=0.5, training=training)
    hidden = tf.layers.dense(hidden, 6, tf.nn.relu)
    hidden = tf.layers.dropout(hidden, rate=0.5, training=True)  # no cond: a constant
    hidden = tf.layers.dropout(hidden, rate=0.5, training=training)
    out = tf.layers.dense(hidden, 1)
    mask = tf.layers.dropout(tf.ones([4, 6]), rate=0.5, training=training)
    loss = tf.losses.mean_squared_error(y, out)
    return {
        "feed": _feed(x, y, training),
        "outputs": {"initial": _initial_values(tf), "mask": mask, "out": out},
        "loss": loss,
        "train_op": tf.train.AdamOptimizer(0.01).minimize(loss),
        "steps": 20,
    }


def contrib_dropout_mlp(tf):
    layers = tf.contrib.layers
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    training = tf.placeholder(tf.bool, None)
    hidden = layers.fully_connected(x, 6)
    hidden = layers.dropout(hidden, keep_prob=0.5, is_training=training)
    hidden = layers.fully_connected(hidden, 6)
    out = layers.fully_connected(hidden, 1, activation_fn=None)
    mask = layers.dropout(tf.ones([4, 6]), keep_prob=0.5, is_training=training)
    loss = tf.losses.mean_squared_error(y, out)
    return {
        "feed": _feed(x, y, training),
        "outputs": {"initial": _initial_values(tf), "mask": mask, "out": out},
        "loss": loss,
        "steps": 20,
    }


def dropout_wrapper_dynamic_rnn(tf):
    # The loop's masks are drawn in scheduling order (parallel iterations), so only what
    # is fixed while building is compared: the dense layer's initial value after the loop.
    x = tf.placeholder(tf.float32, [None, 5, 3])
    cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(4), output_keep_prob=0.5)
    output, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    tf.layers.dense(output[:, -1], 2)
    return {
        "feed": {x: np.random.RandomState(6).randn(2, 5, 3).astype(np.float32)},
        "outputs": {"initial": _initial_values(tf)},
    }


CASES = {
    "tf_layers_dropout_mlp": tf_layers_dropout_mlp,
    "contrib_dropout_mlp": contrib_dropout_mlp,
    "dropout_wrapper_dynamic_rnn": dropout_wrapper_dynamic_rnn,
}

"""Op seeds derived from the graph seed: a dropout in a ``training`` cond and what follows it.

The harness sets a graph seed and none of these ops has an op seed, so each takes the
graph's next derived op seed (TF 1.x: the n-th unseeded random op of a graph gets n).
TF 1.x built the ``training`` cond in the graph, so a dropout mask inside it counted
there; the later layers' initial values (``initial/...``, recomputed from the
initializers, not restored from the checkpoint) and every mask (``mask``, the training
losses) must be TF 2.15's. A dropout with a constant ``training`` builds no cond.
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


CASES = {
    "tf_layers_dropout_mlp": tf_layers_dropout_mlp,
    "contrib_dropout_mlp": contrib_dropout_mlp,
}

"""A user module beside the script, with a TF 1.x import: it is rewritten too."""

import tensorflow as tf


def mlp(x, hidden):
    """A tanh MLP in variable scope ``mlp``: get_variable and tf.Variable, seeded by the graph."""
    with tf.variable_scope("mlp"):
        w1 = tf.get_variable("w1", [int(x.shape[1]), hidden])
        b1 = tf.get_variable("b1", [hidden], initializer=tf.zeros_initializer())
        h = tf.nn.tanh(tf.matmul(x, w1) + b1)
        w2 = tf.Variable(tf.truncated_normal([hidden, 1], stddev=0.5), name="w2")
        return tf.matmul(h, w2)

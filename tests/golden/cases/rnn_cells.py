"""The seed program's pieces: BasicLSTMCell in MultiRNNCell, dynamic_rnn, fully_connected."""

import numpy as np


def reference_contrib(tf, tf_slim):
    return {
        "rnn": {
            "BasicLSTMCell": tf.nn.rnn_cell.BasicLSTMCell,
            "MultiRNNCell": tf.nn.rnn_cell.MultiRNNCell,
        },
        "layers": {"fully_connected": tf_slim.fully_connected},
    }


def seed_program_lstm(tf):
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 5, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    cell = tf.contrib.rnn.MultiRNNCell([tf.contrib.rnn.BasicLSTMCell(8) for _ in range(2)])
    output, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    prediction = tf.contrib.layers.fully_connected(output[:, -1], 1, None)
    loss = tf.reduce_mean(tf.square(prediction - y))
    train_op = tf.train.AdagradOptimizer(0.3).minimize(loss)
    return {
        "feed": {x: rng.randn(4, 5, 3).astype(np.float32), y: rng.randn(4, 1).astype(np.float32)},
        "outputs": {"output": output, "state": state, "prediction": prediction},
        "loss": loss,
        "train_op": train_op,
    }


CASES = {"seed_program_lstm": seed_program_lstm}

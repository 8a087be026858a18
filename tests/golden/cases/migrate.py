"""Models to migrate: TF1 graphs whose outputs real TF 2.15 records, converted by to_keras.

Each model is ``model(tf, features) -> (prediction, state)`` written as TF1 user code;
the golden case runs it on :func:`features`, and ``tests/test_migrate_golden.py``
converts it with ``to_keras`` from the golden (TF 2.15) checkpoint and compares the Keras
model's prediction with the golden one.
"""

import numpy as np


def features(shape, dtype):
    rng = np.random.RandomState(0)
    if dtype == "int32":
        return rng.randint(0, 11, (4, *shape)).astype(np.int32)
    return rng.uniform(-1, 1, (4, *shape)).astype(np.float32)


def lstm_peephole_projection(tf, x):
    cell = tf.nn.rnn_cell.LSTMCell(
        6, use_peepholes=True, cell_clip=0.5, num_proj=3, proj_clip=0.4, forget_bias=0.7
    )
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return tf.layers.dense(outputs[:, -1, :], 2), state


def lstm_gru_stack(tf, x):
    cells = [
        tf.nn.rnn_cell.BasicLSTMCell(5, forget_bias=0.3),
        tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.GRUCell(5)),
        tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(4), output_keep_prob=1.0),
    ]
    outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), x, dtype=tf.float32)
    joined = tf.concat([outputs[:, -1, :], state[0].h], axis=1)
    hidden = tf.layers.dense(joined, 3, activation=tf.nn.tanh)
    return tf.reshape(tf.layers.dense(hidden, 1), [-1]), state


def embedding_conv(tf, ids):
    table = tf.get_variable("embedding", [11, 4])
    h = tf.layers.conv1d(tf.nn.embedding_lookup(table, ids), 4, 2, activation=tf.nn.relu)
    h = tf.layers.max_pooling1d(h, 2, 2)
    h = tf.layers.batch_normalization(tf.layers.flatten(h), training=False)
    return tf.layers.dense(h, 2), ()


MODELS = {
    "lstm_peephole_projection": (lstm_peephole_projection, (5, 3), "float32"),
    "lstm_gru_stack": (lstm_gru_stack, (5, 3), "float32"),
    "embedding_conv": (embedding_conv, (6,), "int32"),
}


def _case(name):
    model, shape, dtype = MODELS[name]

    def build(tf):
        x = tf.placeholder(getattr(tf, dtype), [None, *shape])
        prediction, state = model(tf, x)
        outputs = {"prediction": prediction}
        if state:
            outputs["state"] = state
        return {"feed": {x: features(shape, dtype)}, "outputs": outputs}

    build.__name__ = name
    return build


CASES = {name: _case(name) for name in MODELS}

"""A TF 1.x training script whose only change is ``import tf_pipeline.tf1 as tf``.

It builds the legacy graph (placeholders, a 2-layer MultiRNNCell of BasicLSTMCell
under dynamic_rnn, a fully_connected head, optimize_loss with Adagrad), trains it,
saves it with a Saver, restores it into a fresh graph, and then, in the same
process, trains a Keras 3 model. Run: ``python examples/tf1_graph_and_keras3.py``.
"""

import os
import sys
import tempfile

import numpy as np

import tf_pipeline.tf1 as tf  # was: import tensorflow as tf

HIDDEN_SIZE = 16
NUM_LAYERS = 2
STEPS = 300


def data():
    t = np.arange(400, dtype=np.float32)
    series = np.sin(t / 8.0)
    x = np.stack([series[i : i + 12] for i in range(380)])[:, np.newaxis, :]
    y = series[12:392][:, np.newaxis]
    return x.astype(np.float32), y.astype(np.float32)


def build_graph():
    x = tf.placeholder(tf.float32, [None, 1, 12], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    cell = tf.contrib.rnn.MultiRNNCell(
        [tf.contrib.rnn.BasicLSTMCell(HIDDEN_SIZE, state_is_tuple=True) for _ in range(NUM_LAYERS)]
    )
    output, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    output = tf.reshape(output, [-1, HIDDEN_SIZE])
    predictions = tf.contrib.layers.fully_connected(output, 1, None)
    loss = tf.losses.mean_squared_error(tf.reshape(y, [-1]), tf.reshape(predictions, [-1]))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.contrib.layers.optimize_loss(
        loss, global_step, optimizer="Adagrad", learning_rate=0.1
    )
    return x, y, predictions, loss, train_op


def main() -> int:
    x_data, y_data = data()
    checkpoint = os.path.join(tempfile.mkdtemp(), "model.ckpt")
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x, y, predictions, loss, train_op = build_graph()
        saver = tf.train.Saver()
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            first = session.run(loss, {x: x_data, y: y_data})
            for _ in range(STEPS):
                session.run(train_op, {x: x_data[:64], y: y_data[:64]})
            last = session.run(loss, {x: x_data, y: y_data})
            expected = session.run(predictions, {x: x_data[:5]})
            saver.save(session, checkpoint)
    with tf.Graph().as_default():
        x, y, predictions, loss, train_op = build_graph()
        with tf.Session() as session:
            tf.train.Saver().restore(session, checkpoint)
            restored = session.run(predictions, {x: x_data[:5]})
    print(
        f"tf1 graph: loss {first:.4f} -> {last:.4f}; restored max diff "
        f"{np.abs(restored - expected).max():.2e}"
    )

    import keras  # the same process: Keras 3 still works

    model = keras.Sequential([keras.Input((12, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x_data.reshape(-1, 12, 1), y_data, epochs=3, verbose=0)
    print(
        f"keras {keras.__version__} ({keras.backend.backend()}): loss "
        f"{history.history['loss'][0]:.4f} -> {history.history['loss'][-1]:.4f}; "
        f"eager still on: {tf.executing_eagerly()}"
    )
    ok = last < first and np.array_equal(restored, expected) and tf.executing_eagerly()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""to_keras on the model part of programs from the legacy-program corpus.

Each model_fn below is the model section of a program in ``tests/legacy_programs/programs/``
(branch ``corpus``), copied line for line with only the import line changed and the
``is_training`` placeholder replaced by the model_fn's ``mode``. The TF1 graph is trained a
few Adam steps (so the checkpoint has Adam slots and ``beta*_power`` as real ones do), then
converted; every layer's output, every final state and the prediction must match.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow

import tf_pipeline.tf1 as tf
from tf_pipeline.migrate import parity_report, to_keras

pytestmark = pytest.mark.slow


def lstm_mnist_rows_classifier(tf_x, labels, mode):
    """programs/lstm_mnist_rows_classifier.py (MorvanZhou): LSTMCell(64) over image rows."""
    TIME_STEP, INPUT_SIZE = 28, 28
    image = tf.reshape(tf_x, [-1, TIME_STEP, INPUT_SIZE])
    rnn_cell = tf.nn.rnn_cell.LSTMCell(num_units=64)
    outputs, (h_c, h_n) = tf.nn.dynamic_rnn(
        rnn_cell, image, initial_state=None, dtype=tf.float32, time_major=False
    )
    output = tf.layers.dense(outputs[:, -1, :], 10)
    return output, None, None


def cnn_mnist_layers(features, labels, mode):
    """programs/cnn_mnist_layers.py (MorvanZhou): two conv2d + max-pool, dense head."""
    tf_x = features / 255.0
    image = tf.reshape(tf_x, [-1, 28, 28, 1])
    conv1 = tf.layers.conv2d(
        inputs=image, filters=16, kernel_size=5, strides=1, padding="same", activation=tf.nn.relu
    )
    pool1 = tf.layers.max_pooling2d(conv1, pool_size=2, strides=2)
    conv2 = tf.layers.conv2d(pool1, 32, 5, 1, "same", activation=tf.nn.relu)
    pool2 = tf.layers.max_pooling2d(conv2, 2, 2)
    flat = tf.reshape(pool2, [-1, 7 * 7 * 32])
    output = tf.layers.dense(flat, 10)
    return output, None, None


def lstm_mnist_static_rnn(x_flat, labels, mode):
    """programs/lstm_mnist_static_rnn.py (aymericdamien): static_rnn, raw tf.Variable head."""
    rnn = tf.contrib.rnn
    timesteps, num_input, num_hidden, num_classes = 28, 28, 32, 10
    X = tf.reshape(x_flat, [-1, timesteps, num_input])
    weights = {"out": tf.Variable(tf.random_normal([num_hidden, num_classes]))}
    biases = {"out": tf.Variable(tf.random_normal([num_classes]))}

    def RNN(x, weights, biases):
        x = tf.unstack(x, timesteps, 1)
        lstm_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
        outputs, states = rnn.static_rnn(lstm_cell, x, dtype=tf.float32)
        return tf.matmul(outputs[-1], weights["out"]) + biases["out"]

    logits = RNN(X, weights, biases)
    prediction = tf.nn.softmax(logits)
    return prediction, None, None


def mlp_batch_norm_layers(tf_x, labels, mode):
    """programs/mlp_batch_norm_layers.py (MorvanZhou): the batch-normalised net of NN(True)."""
    N_HIDDEN, ACTIVATION = 8, tf.nn.tanh
    B_INIT = tf.constant_initializer(-0.2)
    tf_is_train = mode == "train"
    w_init = tf.random_normal_initializer(0.0, 0.1)
    layer_input = [tf.layers.batch_normalization(tf_x, training=tf_is_train)]

    def add_layer(x, out_size, ac=None):
        x = tf.layers.dense(x, out_size, kernel_initializer=w_init, bias_initializer=B_INIT)
        x = tf.layers.batch_normalization(x, momentum=0.4, training=tf_is_train)
        return x if ac is None else ac(x)

    for _ in range(N_HIDDEN):
        layer_input.append(add_layer(layer_input[-1], 10, ACTIVATION))
    out = tf.layers.dense(layer_input[-1], 1, kernel_initializer=w_init, bias_initializer=B_INIT)
    return out, None, None


PROGRAMS = {
    "lstm_mnist_rows_classifier": (lstm_mnist_rows_classifier, (784,)),
    "cnn_mnist_layers": (cnn_mnist_layers, (784,)),
    "lstm_mnist_static_rnn": (lstm_mnist_static_rnn, (784,)),
    "mlp_batch_norm_layers": (mlp_batch_norm_layers, (1,)),
}


def train_a_little(model_fn, shape, model_dir, steps=3):
    """The TF1 program's way: Adam on its graph (train mode), then Saver.save."""
    rng = np.random.RandomState(0)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(1)
        x = tf.placeholder(tf.float32, [None, *shape])
        output, _, _ = model_fn(x, None, "train")
        loss = tf.reduce_mean(tf.square(output - 0.5))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train_op = tf.train.AdamOptimizer(0.01).minimize(
                loss, global_step=tf.train.get_or_create_global_step()
            )
        with tf.Session(graph=graph) as session:
            session.run(tf.global_variables_initializer())
            for _ in range(steps):
                session.run(train_op, {x: rng.uniform(0, 1, (16, *shape))})
            return tf.train.Saver().save(session, f"{model_dir}/model.ckpt", global_step=steps)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_corpus_program_converts_with_per_layer_parity(name, tmp_path):
    model_fn, shape = PROGRAMS[name]
    prefix = train_a_little(model_fn, shape, str(tmp_path))
    slots = [n for n, _ in tensorflow.train.list_variables(prefix) if n.endswith("/Adam")]
    assert slots  # the checkpoint carries optimizer state that must not count as unmapped
    model = to_keras(model_fn, str(tmp_path), shape)
    X = np.random.RandomState(1).uniform(0, 1, (8, *shape)).astype(np.float32)
    report = parity_report(str(tmp_path), model, X, model_fn=model_fn)
    print(name, model.count_params(), "parameters\n" + report.summary())
    assert report.passed, report.summary()
    assert report.predictions_max_abs < 1e-5

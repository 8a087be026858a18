"""The legacy AirPassengers LSTM program, unchanged but for ``import tf_pipeline.tf1 as tf``.

TF 1.x code: 12-month windows fed as ``(?, 1, 12)``, a MultiRNNCell of BasicLSTMCell
under dynamic_rnn, a linear fully_connected head, mean squared error,
``optimize_loss(..., optimizer='Adagrad', learning_rate=0.6)``, trained through
``SKCompat(learn.Estimator(...))``. It prints the RMSE on the last 24 months.

Run: ``python examples/airpassengers_tf1.py [--steps N] [--model-dir DIR]``.
"""

import argparse
import os
import sys
import tempfile

import numpy as np
from sklearn.preprocessing import MinMaxScaler

import tf_pipeline.tf1 as tf  # was: import tensorflow as tf
from tf_pipeline.datasets import load_airpassengers

rnn = tf.contrib.rnn
learn = tf.contrib.learn
SKCompat = learn.SKCompat

HIDDEN_SIZE = 40  # LSTM units
NUM_LAYERS = 1  # stacked LSTM layers
TIMESTEPS = 12  # months in one window
TRAINING_STEPS = 10000
BATCH_SIZE = 32
TEST_MONTHS = 24


def generate_data(seq):
    """Windows of TIMESTEPS months as (n, 1, TIMESTEPS) and the next month as (n, 1)."""
    X, y = [], []
    for i in range(len(seq) - TIMESTEPS):
        X.append([seq[i : i + TIMESTEPS]])
        y.append([seq[i + TIMESTEPS]])
    return np.array(X, dtype=np.float32), np.array(y, dtype=np.float32)


def LstmCell():
    lstm_cell = rnn.BasicLSTMCell(HIDDEN_SIZE, state_is_tuple=True)
    return lstm_cell


def lstm_model(X, y):
    cell = rnn.MultiRNNCell([LstmCell() for _ in range(NUM_LAYERS)])
    output, _ = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    output = tf.reshape(output, [-1, HIDDEN_SIZE])
    predictions = tf.contrib.layers.fully_connected(output, 1, None)
    labels = tf.reshape(y, [-1])
    predictions = tf.reshape(predictions, [-1])
    loss = tf.losses.mean_squared_error(predictions, labels)
    train_op = tf.contrib.layers.optimize_loss(
        loss, tf.contrib.framework.get_global_step(), optimizer="Adagrad", learning_rate=0.6
    )
    return predictions, loss, train_op


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=TRAINING_STEPS)
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args(argv)
    model_dir = args.model_dir or os.path.join(tempfile.mkdtemp(), "model_2")

    passengers = load_airpassengers().to_numpy(dtype=np.float64)
    train_part = passengers[:-TEST_MONTHS]
    scaler = MinMaxScaler().fit(train_part.reshape(-1, 1))
    scaled = scaler.transform(passengers.reshape(-1, 1)).ravel()
    X, y = generate_data(scaled)
    train_X, train_y = X[:-TEST_MONTHS], y[:-TEST_MONTHS]
    test_X, test_y = X[-TEST_MONTHS:], y[-TEST_MONTHS:]

    config = learn.RunConfig(tf_random_seed=0)
    regressor = SKCompat(learn.Estimator(model_fn=lstm_model, model_dir=model_dir, config=config))
    regressor.fit(train_X, train_y, batch_size=BATCH_SIZE, steps=args.steps)
    predicted = np.array([pred for pred in regressor.predict(test_X)])

    forecast = scaler.inverse_transform(predicted.reshape(-1, 1)).ravel()
    actual = scaler.inverse_transform(test_y.reshape(-1, 1)).ravel()
    rmse = float(np.sqrt(np.mean((forecast - actual) ** 2)))
    print(f"trained {args.steps} steps into {model_dir}")
    print(f"RMSE on the last {TEST_MONTHS} months: {rmse:.2f} (thousand passengers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The legacy AirPassengers LSTM as a ``tf.estimator`` model_fn: train_and_evaluate, export,
serve.

TF 1.x code, unchanged but for ``import tf_pipeline.tf1 as tf``: 12-month windows as
``(?, 1, 12)``, a MultiRNNCell of BasicLSTMCell under dynamic_rnn, a linear head, mean
squared error and Adagrad (0.6) on the global step, in a model_fn returning an
``EstimatorSpec``. ``tf.estimator.train_and_evaluate`` trains with ``numpy_input_fn``,
evaluates the last 24 months after each checkpoint and exports the model with a
``LatestExporter``; the SavedModel is then loaded with ``tf.saved_model.load`` and its
``serving_default`` signature forecasts the last 24 months, which must equal
``estimator.predict``.

Run: ``python examples/estimator_airpassengers.py [--steps N] [--model-dir DIR]``.
"""

import argparse
import os
import sys
import tempfile

import numpy as np
import tensorflow
from sklearn.preprocessing import MinMaxScaler

import tf_pipeline.tf1 as tf  # was: import tensorflow as tf
from tf_pipeline.datasets import load_airpassengers

HIDDEN_SIZE = 40
NUM_LAYERS = 1
TIMESTEPS = 12
TRAINING_STEPS = 3000
BATCH_SIZE = 32
TEST_MONTHS = 24


def generate_data(seq):
    """Windows of TIMESTEPS months as (n, 1, TIMESTEPS) and the next month as (n, 1)."""
    X, y = [], []
    for i in range(len(seq) - TIMESTEPS):
        X.append([seq[i : i + TIMESTEPS]])
        y.append([seq[i + TIMESTEPS]])
    return np.array(X, dtype=np.float32), np.array(y, dtype=np.float32)


def lstm_model_fn(features, labels, mode, params):
    cells = [
        tf.nn.rnn_cell.BasicLSTMCell(params["hidden_size"], state_is_tuple=True)
        for _ in range(NUM_LAYERS)
    ]
    output, _ = tf.nn.dynamic_rnn(
        tf.nn.rnn_cell.MultiRNNCell(cells), features["window"], dtype=tf.float32
    )
    output = tf.reshape(output, [-1, params["hidden_size"]])
    predictions = tf.reshape(tf.layers.dense(output, 1, name="head"), [-1])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(
            mode,
            predictions={"passengers": predictions},
            export_outputs={
                "serving_default": tf.estimator.export.PredictOutput({"passengers": predictions})
            },
        )
    loss = tf.losses.mean_squared_error(tf.reshape(labels, [-1]), predictions)
    train_op = tf.train.AdagradOptimizer(params["learning_rate"]).minimize(
        loss, global_step=tf.train.get_global_step()
    )
    metrics = {"rmse": tf.metrics.root_mean_squared_error(tf.reshape(labels, [-1]), predictions)}
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, eval_metric_ops=metrics)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=TRAINING_STEPS)
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args(argv)
    model_dir = args.model_dir or os.path.join(tempfile.mkdtemp(), "estimator")

    passengers = load_airpassengers().to_numpy(dtype=np.float64)
    scaler = MinMaxScaler().fit(passengers[:-TEST_MONTHS].reshape(-1, 1))
    X, y = generate_data(scaler.transform(passengers.reshape(-1, 1)).ravel())
    train_X, train_y = X[:-TEST_MONTHS], y[:-TEST_MONTHS]
    test_X, test_y = X[-TEST_MONTHS:], y[-TEST_MONTHS:]

    estimator = tf.estimator.Estimator(
        lstm_model_fn,
        model_dir=model_dir,
        config=tf.estimator.RunConfig(
            tf_random_seed=0, save_checkpoints_steps=max(1, args.steps // 3)
        ),
        params={"hidden_size": HIDDEN_SIZE, "learning_rate": 0.6},
    )
    train_input = tf.estimator.inputs.numpy_input_fn(
        {"window": train_X}, train_y, batch_size=BATCH_SIZE, num_epochs=None, shuffle=True
    )
    test_input = tf.estimator.inputs.numpy_input_fn(
        {"window": test_X}, test_y, batch_size=TEST_MONTHS, num_epochs=1, shuffle=False
    )
    serving_input = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"window": tf.zeros([1, 1, TIMESTEPS], tf.float32)}
    )
    metrics, exports = tf.estimator.train_and_evaluate(
        estimator,
        tf.estimator.TrainSpec(train_input, max_steps=args.steps),
        tf.estimator.EvalSpec(
            test_input,
            steps=None,
            exporters=[tf.estimator.LatestExporter("airpassengers", serving_input)],
            throttle_secs=0,
        ),
    )
    export_dir = exports[0].decode()

    predict_input = tf.estimator.inputs.numpy_input_fn(
        {"window": test_X}, batch_size=TEST_MONTHS, num_epochs=1, shuffle=False
    )
    predicted = np.array([p["passengers"] for p in estimator.predict(predict_input)])
    # Serving with TF 2's eager API: the module-level tf.zeros of the receiver put this
    # thread in TF1 legacy graph mode (the graph-mode rule); leave it first.
    tf.leave_legacy_graph_mode()
    served_model = tensorflow.saved_model.load(export_dir)
    served = served_model.signatures["serving_default"](window=tensorflow.constant(test_X))
    served = served["passengers"].numpy()
    if not np.allclose(served, predicted, atol=1e-5):
        raise RuntimeError("the SavedModel does not serve estimator.predict's numbers")

    forecast = scaler.inverse_transform(served.reshape(-1, 1)).ravel()
    actual = scaler.inverse_transform(test_y.reshape(-1, 1)).ravel()
    rmse = float(np.sqrt(np.mean((forecast - actual) ** 2)))
    print(f"trained {int(metrics['global_step'])} steps into {model_dir}")
    print(f"eval loss {metrics['loss']:.5f}, exported to {export_dir}")
    print(f"RMSE of the served model on the last {TEST_MONTHS} months: {rmse:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

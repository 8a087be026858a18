"""``tf.contrib.learn.models``: linear_regression and logistic_regression.

TF 2.15 has no ``tf.contrib.learn``, so the reference side runs TF 1.15's
``contrib/learn/python/learn/models.py`` math (variable scope, ``get_variable`` names and
shapes, ``xw_plus_b``, the 1-D squeeze, ``tf.losses.mean_squared_error`` /
``softmax_cross_entropy``) written here with real TF 2.15's ``tf.compat.v1`` ops.
"""

import types

import numpy as np


def reference_contrib(tf, tf_slim):
    def linear_regression(x, y, init_mean=None, init_stddev=1.0):
        with tf.variable_scope("linear_regression"):
            dtype = x.dtype.base_dtype
            output_shape = 1 if len(y.get_shape()) == 1 else y.get_shape()[1]
            init = (
                None
                if init_mean is None
                else tf.random_normal_initializer(init_mean, init_stddev, dtype=dtype)
            )
            weights = tf.get_variable(
                "weights", [x.get_shape()[1], output_shape], dtype=dtype, initializer=init
            )
            bias = tf.get_variable("bias", [output_shape], dtype=dtype, initializer=init)
            predictions = tf.nn.xw_plus_b(x, weights, bias)
            if len(y.get_shape()) == 1 and len(predictions.get_shape()) == 2:
                predictions = tf.squeeze(predictions, axis=[1])
            return predictions, tf.losses.mean_squared_error(y, predictions)

    def logistic_regression(x, y, class_weight=None, init_mean=None, init_stddev=1.0):
        with tf.variable_scope("logistic_regression"):
            dtype = x.dtype.base_dtype
            init = (
                None
                if init_mean is None
                else tf.random_normal_initializer(init_mean, init_stddev, dtype=dtype)
            )
            n_classes = y.get_shape()[-1]
            weights = tf.get_variable(
                "weights", [x.get_shape()[1], n_classes], dtype=dtype, initializer=init
            )
            bias = tf.get_variable("bias", [n_classes], dtype=dtype, initializer=init)
            logits = tf.nn.xw_plus_b(x, weights, bias)
            if class_weight is not None:
                logits = tf.multiply(logits, class_weight)
            return tf.nn.softmax(logits), tf.losses.softmax_cross_entropy(y, logits)

    models = types.SimpleNamespace(
        linear_regression=linear_regression, logistic_regression=logistic_regression
    )
    return {"learn": {"models": models}}


def linear_regression_1d_target(tf):
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None])
    predictions, loss = tf.contrib.learn.models.linear_regression(x, y)
    return {
        "feed": {x: rng.randn(6, 3).astype(np.float32), y: rng.randn(6).astype(np.float32)},
        "outputs": {"predictions": predictions, "loss": loss},
        "loss": loss,
    }


def linear_regression_2d_target(tf):
    rng = np.random.RandomState(1)
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 2])
    predictions, loss = tf.contrib.learn.models.linear_regression(x, y)
    return {
        "feed": {x: rng.randn(5, 3).astype(np.float32), y: rng.randn(5, 2).astype(np.float32)},
        "outputs": {"predictions": predictions, "loss": loss},
        "loss": loss,
    }


def logistic_regression_weighted(tf):
    rng = np.random.RandomState(2)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 3])
    class_weight = tf.constant([1.0, 0.5, 2.0])
    probabilities, loss = tf.contrib.learn.models.logistic_regression(
        x, y, class_weight=class_weight
    )
    labels = np.eye(3, dtype=np.float32)[rng.randint(0, 3, size=6)]
    return {
        "feed": {x: rng.randn(6, 4).astype(np.float32), y: labels},
        "outputs": {"probabilities": probabilities, "loss": loss},
        "loss": loss,
    }


CASES = {
    "linear_regression_1d_target": linear_regression_1d_target,
    "linear_regression_2d_target": linear_regression_2d_target,
    "logistic_regression_weighted": logistic_regression_weighted,
}

"""fully_connected, dense and xavier_initializer against numpy and TF1's own dense."""

import math
import re

import numpy as np
import pytest
import tensorflow as tf

from tf_pipeline.compat.layers import dense, fully_connected, optimize_loss, xavier_initializer

RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(4, 3)).astype(np.float32)
X3 = RNG.normal(size=(2, 5, 3)).astype(np.float32)


def run_graph(build):
    """Build in a fresh graph, initialise, return the fetched results of ``build()``."""
    with tf.Graph().as_default() as graph:
        fetches = build()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            return sess.run(fetches)


def names(collection=tf.compat.v1.GraphKeys.GLOBAL_VARIABLES):
    return [v.op.name for v in tf.compat.v1.get_collection(collection)]


# --- fully_connected ------------------------------------------------------------------------


def test_fully_connected_is_relu_of_affine_map():
    def build():
        y = fully_connected(
            tf.constant(X2),
            5,
            weights_initializer=xavier_initializer(seed=7),
            biases_initializer=tf.constant_initializer(-0.25),
        )
        w, b = tf.compat.v1.trainable_variables()
        return {"y": y, "w": w, "b": b, "names": tf.constant(names())}

    out = run_graph(build)
    assert [n.decode() for n in out["names"]] == [
        "fully_connected/weights",
        "fully_connected/biases",
    ]
    assert out["w"].shape == (3, 5)
    np.testing.assert_array_equal(out["b"], np.full(5, -0.25, np.float32))
    expected = np.maximum(X2 @ out["w"] + out["b"], 0.0)
    np.testing.assert_allclose(out["y"], expected, rtol=1e-6, atol=1e-6)
    assert (out["y"] == 0).any() and (out["y"] > 0).any()  # relu really clipped something


def test_fully_connected_collections_and_scopes():
    with tf.Graph().as_default():
        x = tf.constant(X2)
        y = fully_connected(x, 2)
        fully_connected(x, 2)
        assert y.op.name == "fully_connected/Relu"
        expected = [
            "fully_connected/weights",
            "fully_connected/biases",
            "fully_connected_1/weights",
            "fully_connected_1/biases",
        ]
        assert names() == expected
        assert names(tf.compat.v1.GraphKeys.MODEL_VARIABLES) == expected
        assert names(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES) == expected


def test_fully_connected_rank3_uses_last_axis():
    def build():
        y = fully_connected(tf.constant(X3), 4, activation_fn=tf.tanh)
        return y, *tf.compat.v1.trainable_variables()

    y, w, b = run_graph(build)
    assert y.shape == (2, 5, 4)
    np.testing.assert_allclose(y, np.tanh(np.einsum("bti,io->bto", X3, w) + b), atol=1e-6)


def test_fully_connected_normalizer_replaces_bias():
    def build():
        y = fully_connected(
            tf.constant(X2),
            3,
            activation_fn=None,
            normalizer_fn=lambda t, factor: t * factor,
            normalizer_params={"factor": -2.0},
        )
        assert names() == ["fully_connected/weights"]
        return y, tf.compat.v1.trainable_variables()[0]

    y, w = run_graph(build)
    np.testing.assert_allclose(y, -2.0 * (X2 @ w), atol=1e-6)


def test_fully_connected_without_biases_or_activation():
    def build():
        y = fully_connected(tf.constant(X2), 2, activation_fn=None, biases_initializer=None)
        assert names() == ["fully_connected/weights"]
        return y, tf.compat.v1.trainable_variables()[0]

    y, w = run_graph(build)
    np.testing.assert_allclose(y, X2 @ w, atol=1e-6)


def test_fully_connected_reuse_shares_variables():
    def build():
        x = tf.constant(X2)
        first = fully_connected(x, 2, scope="fc")
        second = fully_connected(x, 2, scope="fc", reuse=True)
        assert names() == ["fc/weights", "fc/biases"]
        return first, second

    first, second = run_graph(build)
    np.testing.assert_array_equal(first, second)


def test_fully_connected_variable_and_output_collections():
    with tf.Graph().as_default():
        x = tf.constant(X2)
        y = fully_connected(
            x,
            2,
            variables_collections={"weights": ["w_only"], "biases": ["b_only"]},
            outputs_collections=["outs"],
        )
        fully_connected(x, 2, variables_collections=["both"], trainable=False)
        assert names("w_only") == ["fully_connected/weights"]
        assert names("b_only") == ["fully_connected/biases"]
        assert names("both") == ["fully_connected_1/weights", "fully_connected_1/biases"]
        assert names(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES) == names("w_only") + names(
            "b_only"
        )
        assert tf.compat.v1.get_collection("outs") == [y]
        assert y.aliases == ["fully_connected"]


def test_fully_connected_weights_regularizer_loss():
    def build():
        fully_connected(tf.constant(X2), 2, weights_regularizer=lambda w: tf.reduce_sum(w**2))
        losses = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
        assert len(losses) == 1
        return losses[0], tf.compat.v1.trainable_variables()[0]

    loss, w = run_graph(build)
    np.testing.assert_allclose(loss, (w**2).sum(), rtol=1e-6)


def test_fully_connected_float64_keeps_dtype():
    def build():
        y = fully_connected(tf.constant(X2.astype(np.float64)), 2)
        assert y.dtype == tf.float64
        assert tf.compat.v1.trainable_variables()[0].dtype.base_dtype == tf.float64
        return y

    assert run_graph(build).dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"num_outputs": 0}, ValueError, "`num_outputs` must be an int >= 1, got 0."),
        ({"num_outputs": 2.0}, TypeError, "`num_outputs` must be an int, got 2.0 (float)."),
        ({"num_outputs": True}, TypeError, "`num_outputs` must be an int, got True (bool)."),
    ],
)
def test_fully_connected_bad_num_outputs(kwargs, error, message):
    with tf.Graph().as_default(), pytest.raises(error, match=re.escape(message)):
        fully_connected(tf.constant(X2), **kwargs)


@pytest.mark.parametrize("layer", [fully_connected, dense])
def test_bad_inputs(layer):
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=re.escape("`inputs` must have rank >= 2")):
            layer(tf.constant([1.0, 2.0]), 2)
        unknown = tf.compat.v1.placeholder(tf.float32, [None, None])
        message = "`inputs` must have a known last dimension, got shape (None, None)."
        with pytest.raises(ValueError, match=re.escape(message)):
            layer(unknown, 2)
        message = "`inputs` must have a floating point dtype, got int32."
        with pytest.raises(TypeError, match=re.escape(message)):
            layer(tf.constant([[1, 2]]), 2)


# --- xavier_initializer -----------------------------------------------------------------------


def test_xavier_uniform_is_glorot_uniform():
    def build():
        ours = xavier_initializer(seed=3)([20, 30])
        reference = tf.compat.v1.variance_scaling_initializer(
            scale=1.0, mode="fan_avg", distribution="uniform", seed=3
        )([20, 30])
        return ours, reference

    ours, reference = run_graph(build)
    np.testing.assert_array_equal(ours, reference)
    assert np.abs(ours).max() <= math.sqrt(3.0 / 25.0)


def test_xavier_conv_kernel_limit():
    # contrib's fans for [3, 3, 4, 8]: fan_in = 3*3*4 = 36, fan_out = 3*3*8 = 72.
    values = run_graph(lambda: xavier_initializer(seed=1)([3, 3, 4, 8]))
    limit = math.sqrt(3.0 / ((36 + 72) / 2))
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.9 * limit


def test_xavier_normal_is_contribs_truncated_normal():
    values = run_graph(lambda: xavier_initializer(uniform=False, seed=5)([400, 600]))
    stddev = math.sqrt(1.3 / 500.0)
    assert values.dtype == np.float32
    assert np.abs(values).max() <= 2.0 * stddev
    # A normal truncated at two standard deviations keeps 0.8796 of its spread.
    np.testing.assert_allclose(values.std(), 0.87962566 * stddev, rtol=0.01)
    assert abs(values.mean()) < 1e-3


def test_xavier_rejects_integer_dtype():
    with pytest.raises(TypeError, match=re.escape("`dtype` must be a floating point type")):
        xavier_initializer(dtype=tf.int32)


# --- dense against TF1's tf.layers.dense --------------------------------------------------------


def legacy_dense():
    core = pytest.importorskip(
        "tensorflow.python.keras.legacy_tf_layers.core",
        reason="TF's private legacy tf.layers copy (the TF1 oracle) is gone",
    )
    return core.dense


def build_twice(layer, calls):
    """Run the same calls with ``layer`` in a fresh graph; return names, shapes, values."""
    with tf.Graph().as_default() as graph:
        outputs = [layer(*args, **kwargs) for args, kwargs in calls]
        variables = tf.compat.v1.global_variables()
        losses = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            values, loss_values = sess.run([outputs, losses])
    return {
        "names": [v.op.name for v in variables],
        "shapes": [tuple(v.shape) for v in variables],
        "trainable": [v.trainable for v in variables],
        "outputs": values,
        "losses": loss_values,
    }


def seeded(seed):
    return tf.compat.v1.glorot_uniform_initializer(seed=seed)


CASES = {
    "plain": [((X2, 4), {"kernel_initializer": seeded(1)})],
    "relu_rank3_then_repeat": [
        ((X3, 2), {"activation": tf.nn.relu, "kernel_initializer": seeded(2)}),
        ((X2, 3), {"kernel_initializer": seeded(3), "use_bias": False}),
    ],
    "named_reuse": [
        ((X2, 2), {"name": "head", "kernel_initializer": seeded(4)}),
        ((X2 * 2, 2), {"name": "head", "reuse": True}),
    ],
    "regularizers": [
        (
            (X2, 3),
            {
                "kernel_initializer": seeded(5),
                "bias_initializer": tf.constant_initializer(0.5),
                "kernel_regularizer": lambda w: 0.1 * tf.reduce_sum(tf.abs(w)),
                "bias_regularizer": lambda b: tf.reduce_sum(b),
                "activity_regularizer": lambda y: tf.reduce_sum(y**2),
                "trainable": False,
            },
        )
    ],
    "float64": [((X2.astype(np.float64), 2), {"kernel_initializer": seeded(6)})],
}


@pytest.mark.filterwarnings("ignore:.*is deprecated:UserWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_dense_matches_tf1_layers_dense(case):
    ours = build_twice(dense, CASES[case])
    reference = build_twice(legacy_dense(), CASES[case])
    assert ours["names"] == reference["names"]
    assert ours["shapes"] == reference["shapes"]
    assert ours["trainable"] == reference["trainable"]
    assert len(ours["outputs"]) == len(reference["outputs"])
    for got, want in zip(ours["outputs"], reference["outputs"], strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours["losses"], reference["losses"], rtol=1e-6)


def test_dense_default_names_and_glorot_kernel():
    def build():
        x = tf.constant(X2)
        y = dense(x, 7)
        dense(x, 7)
        assert y.op.name == "dense/BiasAdd"
        assert names() == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
        return tf.compat.v1.global_variables()[:2]

    kernel, bias = run_graph(build)
    assert np.abs(kernel).max() <= math.sqrt(6.0 / (3 + 7))
    np.testing.assert_array_equal(bias, np.zeros(7, np.float32))


def test_dense_kernel_constraint_is_attached():
    with tf.Graph().as_default():
        dense(tf.constant(X2), 2, kernel_constraint=tf.math.abs)
        kernel, bias = tf.compat.v1.global_variables()
        assert kernel.constraint is tf.math.abs
        assert bias.constraint is None


def test_dense_bad_units():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=re.escape("`units` must be an int >= 1, got -1.")):
            dense(tf.constant(X2), -1)


def test_building_keeps_eager_execution_on():
    with tf.Graph().as_default():
        x = tf.constant(X2)
        y = fully_connected(x, 2)
        dense(x, 2)
        optimize_loss(tf.reduce_sum(y), None, 0.1, "SGD")
        assert not tf.executing_eagerly()
    assert tf.executing_eagerly()

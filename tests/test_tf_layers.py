"""``tf.layers``: names, reuse, collections and errors; TF's retained legacy layers as oracle.

Numbers against real TF 2.15 are in ``tests/golden/cases/tf_layers.py``; here:

- the namespace has exactly TF 2.15's ``tf.compat.v1.layers`` names;
- initial values drawn from the graph seed equal TF 2.15's (its golden checkpoints);
- ``tensorflow.python.keras.legacy_tf_layers`` (TF's retained TF1 layers: core,
  convolutional, pooling) builds the same variables and outputs;
- TF1's naming, reuse and collection rules, and our error messages.
"""

import re
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import tf_pipeline.tf1 as tf1
from tf_pipeline.compat import layers as compat_layers
from tf_pipeline.compat import tf_layers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden.harness import SEED, golden_prefix, load_cases  # noqa: E402

V1 = tf.compat.v1
RNG = np.random.default_rng(0)

# dir(tf.compat.v1.layers) of TF 2.15.
TF215_NAMES = [
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "BatchNormalization",
    "Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "Dense", "Dropout",
    "Flatten", "InputSpec", "Layer", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "SeparableConv1D", "SeparableConv2D", "average_pooling1d", "average_pooling2d",
    "average_pooling3d", "batch_normalization", "conv1d", "conv2d", "conv2d_transpose",
    "conv3d", "conv3d_transpose", "dense", "dropout", "flatten", "max_pooling1d",
    "max_pooling2d", "max_pooling3d", "separable_conv1d", "separable_conv2d", "experimental",
]  # fmt: skip


def names(key=V1.GraphKeys.GLOBAL_VARIABLES):
    return [v.op.name for v in V1.get_collection(key)]


def x(*shape, dtype=np.float32):
    return tf.constant(RNG.normal(size=shape).astype(dtype))


# --- the namespace ---------------------------------------------------------------------------


def test_namespace_has_exactly_tf1_names_all_ours():
    assert sorted(tf1.layers.__all__) == sorted(TF215_NAMES)
    assert sorted(dir(tf1.layers)) == sorted(TF215_NAMES)
    for name in TF215_NAMES:
        assert getattr(
            getattr(tf1.layers, name), "__wrapped__", getattr(tf1.layers, name)
        ) is getattr(tf_layers, name)
        ours = getattr(tf1.layers, name)
        module = ours.__name__ if name == "experimental" else ours.__module__
        assert module.startswith("tf_pipeline.compat.tf_layers")
    assert {"keras_style_scope", "set_keras_style"} <= set(dir(tf1.layers.experimental))


def test_unknown_names_raise_attribute_error_naming_them():
    with pytest.raises(AttributeError, match="has no attribute 'Convolution2D'"):
        tf1.layers.Convolution2D  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'MaxPool2D'"):
        tf1.layers.MaxPool2D  # noqa: B018


def test_compat_layers_dense_import_path_still_works():
    from tf_pipeline.compat.layers import dense

    assert dense is compat_layers.dense is tf1.layers.dense.__wrapped__


# --- initial values: TF1's graph-seeded Glorot default ---------------------------------------


@pytest.mark.parametrize("case", ["dense_mlp", "cnn_program", "separable_convs"])
def test_initial_values_equal_tf215_from_the_graph_seed(case):
    """Without restoring anything, the initial variables equal TF 2.15's checkpoint."""
    build = load_cases("tf_layers")[case]
    with tf1.Graph().as_default() as graph:
        tf1.set_random_seed(SEED)
        build(tf1)
        # Adam's slots are zeros/constants; the layers' variables are what is drawn.
        variables = [v for v in tf1.global_variables() if "Adam" not in v.op.name]
        with tf1.Session(graph=graph) as session:
            session.run(tf1.global_variables_initializer())
            values = session.run(variables)
    reader = tf.train.load_checkpoint(str(golden_prefix("tf_layers", case)) + ".ckpt")
    assert variables
    for variable, value in zip(variables, values, strict=True):
        np.testing.assert_array_equal(value, reader.get_tensor(variable.op.name))


# --- second oracle: TF's retained legacy tf.layers (core, convolutional, pooling) -------------


def legacy(module):
    return pytest.importorskip(
        f"tensorflow.python.keras.legacy_tf_layers.{module}",
        reason="TF's private legacy tf.layers copy (the TF1 oracle) is gone",
    )


def seeded(seed):
    return V1.glorot_uniform_initializer(seed=seed)


INPUTS = {
    3: RNG.normal(size=(2, 9, 3)).astype(np.float32),
    4: RNG.normal(size=(2, 6, 6, 2)).astype(np.float32),
    5: RNG.normal(size=(2, 4, 4, 4, 2)).astype(np.float32),
}

ORACLE_CASES = {
    "dense": ("core", "dense", 4, (3,), {
        "activation": tf.nn.relu, "kernel_initializer": seeded(1)}),
    "flatten_cf": ("core", "flatten", 4, (), {"data_format": "channels_first"}),
    "dropout_off": ("core", "dropout", 3, (0.5,), {"training": False}),
    "conv1d_causal": ("convolutional", "conv1d", 3, (4, 3), {
        "padding": "causal", "dilation_rate": 2, "kernel_initializer": seeded(2),
        "bias_initializer": V1.constant_initializer(0.1)}),
    "conv2d": ("convolutional", "conv2d", 4, (3, (2, 3)), {
        "strides": (2, 1), "padding": "same", "kernel_initializer": seeded(3)}),
    "conv2d_cf": ("convolutional", "conv2d", 4, (3, 2), {
        "data_format": "channels_first", "kernel_initializer": seeded(4),
        "bias_initializer": V1.constant_initializer(0.2)}),
    "conv3d": ("convolutional", "conv3d", 5, (2, 2), {
        "dilation_rate": 2, "kernel_initializer": seeded(5)}),
    "separable_conv1d": ("convolutional", "separable_conv1d", 3, (4, 3), {
        "depth_multiplier": 2, "depthwise_initializer": seeded(6),
        "pointwise_initializer": seeded(7), "bias_initializer": V1.constant_initializer(0.3)}),
    "separable_conv2d": ("convolutional", "separable_conv2d", 4, (3, 3), {
        "padding": "same", "dilation_rate": 2, "depthwise_initializer": seeded(8),
        "pointwise_initializer": seeded(9)}),
    "conv2d_transpose": ("convolutional", "conv2d_transpose", 4, (3, 3), {
        "strides": 2, "kernel_initializer": seeded(10),
        "bias_initializer": V1.constant_initializer(-0.1)}),
    "conv2d_transpose_cf": ("convolutional", "conv2d_transpose", 4, (2, 2), {
        "strides": 2, "padding": "same", "data_format": "channels_first",
        "kernel_initializer": seeded(11), "bias_initializer": V1.constant_initializer(0.5)}),
    "conv3d_transpose": ("convolutional", "conv3d_transpose", 5, (2, 3), {
        "strides": (1, 2, 2), "padding": "same", "kernel_initializer": seeded(12)}),
    "max_pooling1d": ("pooling", "max_pooling1d", 3, (2, 2), {}),
    "average_pooling1d": ("pooling", "average_pooling1d", 3, (3, 2), {"padding": "same"}),
    "max_pooling2d": ("pooling", "max_pooling2d", 4, (2, 1), {"padding": "same"}),
    "average_pooling2d": ("pooling", "average_pooling2d", 4, ((2, 3), 2), {}),
    "max_pooling3d": ("pooling", "max_pooling3d", 5, (2, 2), {}),
    "average_pooling3d_cf": ("pooling", "average_pooling3d", 5, (2, 1), {
        "data_format": "channels_first"}),
}  # fmt: skip


def build_and_run(function, rank, args, kwargs):
    """Call ``function`` twice (second time reusing by name) in a fresh graph."""
    with tf.Graph().as_default() as graph:
        inputs = tf.constant(INPUTS[rank])
        first = function(inputs, *args, **kwargs)
        second = function(inputs * 0.5, *args, **kwargs)
        variables = V1.global_variables()
        with V1.Session(graph=graph) as session:
            session.run(V1.global_variables_initializer())
            values = session.run([first, second])
    return {
        "names": [v.op.name for v in variables],
        "shapes": [tuple(v.shape) for v in variables],
        "outputs": values,
        "static": [tuple(first.shape), tuple(second.shape)],
    }


@pytest.mark.filterwarnings("ignore:.*is deprecated:UserWarning")
@pytest.mark.parametrize("case", sorted(ORACLE_CASES))
def test_matches_tf_retained_legacy_layers(case):
    module, name, rank, args, kwargs = ORACLE_CASES[case]
    ours = build_and_run(getattr(tf_layers, name), rank, args, kwargs)
    reference = build_and_run(getattr(legacy(module), name), rank, args, kwargs)
    assert ours["names"] == reference["names"]
    assert ours["shapes"] == reference["shapes"]
    assert ours["static"] == reference["static"]
    for got, want in zip(ours["outputs"], reference["outputs"], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.filterwarnings("ignore:.*is deprecated:UserWarning")
def test_object_api_matches_legacy_classes():
    core = legacy("core")

    def run(cls):
        with tf.Graph().as_default() as graph:
            layer = cls(2, kernel_initializer=seeded(13), name="head")
            outputs = [layer(x_) for x_ in (tf.constant(INPUTS[3]), tf.constant(INPUTS[3] * 2))]
            result = [v.op.name for v in layer.variables], layer.scope_name
            with V1.Session(graph=graph) as session:
                session.run(V1.global_variables_initializer())
                return result, session.run(outputs)

    (ours_names, ours_values), (ref_names, ref_values) = run(tf_layers.Dense), run(core.Dense)
    assert ours_names == ref_names == (["head/kernel", "head/bias"], "head")
    np.testing.assert_allclose(ours_values, ref_values, rtol=1e-6, atol=1e-6)


# --- names, scopes, reuse --------------------------------------------------------------------


def test_default_names_uniquify_like_tf1():
    with tf.Graph().as_default():
        first, second = tf_layers.Dense(2), tf_layers.Dense(2)
        assert (first.name, second.name) == ("dense_1", "dense_2")  # TF 2.15 counted from 1
        first(x(3, 4))
        second(x(3, 4))
        tf_layers.conv2d(x(1, 4, 4, 1), 1, 2)
        tf_layers.batch_normalization(x(2, 3))
        assert names() == [
            "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
            "conv2d/kernel", "conv2d/bias",
            "batch_normalization/gamma", "batch_normalization/beta",
            "batch_normalization/moving_mean", "batch_normalization/moving_variance",
        ]  # fmt: skip
        assert (first.scope_name, second.scope_name) == ("dense", "dense_1")


def test_named_objects_uniquify_but_named_functions_collide():
    with tf.Graph().as_default():
        tf_layers.Dense(2, name="fc")(x(3, 4))
        tf_layers.Dense(2, name="fc")(x(3, 4))
        assert names() == ["fc/kernel", "fc/bias", "fc_1/kernel", "fc_1/bias"]
        tf_layers.dense(x(3, 4), 2, name="out")
        with pytest.raises(ValueError, match="Variable out/kernel already exists"):
            tf_layers.dense(x(3, 4), 2, name="out")


@pytest.mark.parametrize("reuse", [True, V1.AUTO_REUSE])
def test_reuse_argument_shares_variables(reuse):
    with tf.Graph().as_default():
        a = tf_layers.conv1d(x(2, 5, 3), 2, 2, name="c", reuse=V1.AUTO_REUSE)
        b = tf_layers.conv1d(x(2, 5, 3), 2, 2, name="c", reuse=reuse)
        assert names() == ["c/kernel", "c/bias"]
        assert a.op.name.startswith("c/") and b.op.name.startswith("c_1/")


def test_variable_scope_reuse_and_name_scope():
    with tf.Graph().as_default():
        with V1.variable_scope("model"):
            tf_layers.dense(x(3, 4), 2)
        with V1.variable_scope("model", reuse=True):
            reused = tf_layers.dense(x(3, 4), 2)
        with tf.name_scope("ns"):
            scoped = tf_layers.dense(x(3, 4), 2)
        assert names() == ["model/dense/kernel", "model/dense/bias", "dense/kernel", "dense/bias"]
        assert reused.op.name == "model_1/dense/BiasAdd"
        assert scoped.op.name == "ns/dense/BiasAdd"


def test_calling_an_object_twice_reuses_and_tracks_its_variables():
    with tf.Graph().as_default():
        layer = tf_layers.Conv2D(2, 2, name="conv")
        first = layer(x(1, 4, 4, 3))
        second = layer(x(1, 4, 4, 3))
        assert [v.op.name for v in layer.variables] == ["conv/kernel", "conv/bias"]
        assert layer.trainable_variables == layer.variables == [layer.kernel, layer.bias]
        assert layer.non_trainable_variables == []
        assert names() == ["conv/kernel", "conv/bias"]
        assert (first.op.name, second.op.name) == ("conv/BiasAdd", "conv/BiasAdd_1")
        with pytest.raises(ValueError, match=re.escape("must have size 3 on axis -1")):
            layer(x(1, 4, 4, 2))


def test_trainable_false_keeps_variables_out_of_trainables():
    with tf.Graph().as_default():
        layer = tf_layers.Dense(2, trainable=False)
        layer(x(3, 4))
        assert layer.trainable_variables == []
        assert [v.op.name for v in layer.non_trainable_variables] == ["dense/kernel", "dense/bias"]
        assert names(V1.GraphKeys.TRAINABLE_VARIABLES) == []


def test_scope_name_before_call_and_eager_call_raise():
    layer = tf_layers.Dense(2)
    with pytest.raises(ValueError, match="`scope_name` must be read after the layer"):
        layer.scope_name  # noqa: B018
    with pytest.raises(RuntimeError, match="build graph ops"):
        layer(np.ones((2, 3), np.float32))


def test_keras_style_scope_gives_each_object_its_own_variables():
    with tf.Graph().as_default():
        inputs = x(3, 4)
        with tf_layers.experimental.keras_style_scope():
            first, second = tf_layers.Dense(2), tf_layers.Dense(2, name="fc")
            with pytest.raises(ValueError, match=re.escape("`scope` must be None")):
                tf_layers.dense(inputs, 2, name="fc")
            with pytest.raises(ValueError, match=re.escape("`reuse` must be None")):
                tf_layers.Dense(2, _reuse=True)
        plain = tf_layers.Dense(2)
        a, b = first(inputs), first(inputs)
        second(inputs)
        plain(inputs)
        assert names() == [
            "dense_1/kernel", "dense_1/bias", "fc/kernel", "fc/bias", "dense/kernel", "dense/bias"
        ]  # fmt: skip
        assert (a.op.name, b.op.name) == ("dense_1/BiasAdd", "dense_1_1/BiasAdd")
        assert first.variables == V1.global_variables()[:2]
        with pytest.raises(ValueError, match=re.escape("`scope` must be None")):
            first(inputs, scope="s")
    assert not tf_layers.experimental.is_in_keras_style_scope()


# --- collections -----------------------------------------------------------------------------


def test_regularization_losses_once_per_variable():
    with tf.Graph().as_default():
        layer = tf_layers.Dense(
            2,
            kernel_regularizer=tf.nn.l2_loss,
            bias_regularizer=tf.nn.l2_loss,
            activity_regularizer=tf.reduce_sum,
            name="reg",
        )
        layer(x(3, 4))
        layer(x(3, 4))
        tf_layers.dense(x(3, 4), 2, kernel_regularizer=tf.nn.l2_loss, name="reg", reuse=True)
        losses = V1.get_collection(V1.GraphKeys.REGULARIZATION_LOSSES)
        # kernel, bias once; one activity loss per call of the object.
        assert [t.op.name for t in losses] == [
            "reg/kernel/Regularizer/L2Loss",
            "reg/bias/Regularizer/L2Loss",
            "reg/ActivityRegularizer/truediv",
            "reg/ActivityRegularizer_1/truediv",
        ]
        assert layer.losses == losses


def test_batch_norm_update_ops():
    with tf.Graph().as_default():
        training = V1.placeholder(tf.bool, [])
        layer = tf_layers.BatchNormalization()
        layer(x(4, 3), training=True)
        assert len(layer.updates) == 2
        layer(x(4, 3), training=False)
        assert len(layer.updates) == 2
        layer(x(4, 3), training=training)
        assert len(layer.updates) == 4
        tf_layers.batch_normalization(x(4, 2, 2, 3), training=True, trainable=False)
        assert V1.get_collection(V1.GraphKeys.UPDATE_OPS) == layer.updates
        assert names(V1.GraphKeys.TRAINABLE_VARIABLES)[:2] == [
            "batch_normalization/gamma",
            "batch_normalization/beta",
        ]


def test_batch_norm_updates_move_the_averages():
    data = RNG.normal(size=(8, 2, 2, 3)).astype(np.float32)
    with tf.Graph().as_default() as graph:
        outputs = tf_layers.batch_normalization(tf.constant(data), momentum=0.5, training=True)
        layer_vars = V1.global_variables()
        with V1.Session(graph=graph) as session:
            session.run(V1.global_variables_initializer())
            session.run(V1.get_collection(V1.GraphKeys.UPDATE_OPS))
            gamma, beta, mean, variance = session.run(layer_vars)
            normalised = session.run(outputs)
    batch_mean = data.mean(axis=(0, 1, 2))
    # Fused kernel: the moving variance is fed the unbiased batch variance (n / (n - 1)).
    np.testing.assert_allclose(mean, 0.5 * batch_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        variance, 0.5 + 0.5 * data.var(axis=(0, 1, 2), ddof=1), rtol=1e-5, atol=1e-6
    )
    expected = (data - batch_mean) / np.sqrt(data.var(axis=(0, 1, 2)) + 1e-3)
    np.testing.assert_allclose(normalised, expected * gamma + beta, rtol=1e-4, atol=1e-5)


def test_dropout_seed_and_training():
    data = np.ones((4, 50), np.float32)
    with tf.Graph().as_default() as graph:
        on = tf_layers.dropout(tf.constant(data), 0.5, seed=1, training=True)
        off = tf_layers.dropout(tf.constant(data), 0.5, seed=1)
        same_seed = tf_layers.dropout(tf.constant(data), 0.5, seed=1, training=np.bool_(True))
        with V1.Session(graph=graph) as session:
            first, untouched, again = session.run([on, off, same_seed])
    np.testing.assert_array_equal(untouched, data)
    np.testing.assert_array_equal(again, first)  # numpy's bool is a Python bool here
    assert set(np.unique(first)) <= {0.0, 2.0} and 0 < (first == 0).mean() < 1


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: tf_layers.Dense(0), ValueError, "`units` must be an int >= 1, got 0."),
        (lambda: tf_layers.Conv2D(2, (1, 2, 3)), ValueError,
         "`kernel_size` must be an int or a tuple of 2 ints, got (1, 2, 3)."),
        (lambda: tf_layers.Conv2D(2, 2, padding="full"), ValueError,
         "`padding` must be one of 'valid', 'same', got 'full'."),
        (lambda: tf_layers.MaxPooling2D(2, 2, data_format="NHWC"), ValueError,
         "`data_format` must be one of 'channels_last', 'channels_first', got 'nhwc'."),
        (lambda: tf_layers.Dropout(1.5), ValueError, "`rate` must be a float in [0, 1], got 1.5."),
        (lambda: tf_layers.Dense(2, activation="swishy"), ValueError, "`activation` must be"),
        (lambda: tf_layers.Dense(2, bogus=1), TypeError, "`kwargs` must be among"),
        (lambda: tf_layers.BatchNormalization(renorm=True, renorm_clipping={"r": 1}),
         ValueError, "`renorm_clipping` keys must be among 'rmax', 'rmin', 'dmax', got ['r']."),
        (lambda: tf_layers.BatchNormalization(virtual_batch_size=2, adjustment=tf.identity),
         ValueError, "`adjustment` must be None when `virtual_batch_size` is given"),
        (lambda: tf_layers.BatchNormalization(virtual_batch_size=0), ValueError,
         "`virtual_batch_size` must be an int >= 1, got 0."),
    ],
)  # fmt: skip
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_input_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=re.escape("`inputs` must have rank 4, got shape")):
            tf_layers.conv2d(x(2, 5, 3), 2, 2)
        unknown = V1.placeholder(tf.float32, [None, 4, 4, None])
        with pytest.raises(ValueError, match="known channel dimension"):
            tf_layers.conv2d(unknown, 2, 2)
        with pytest.raises(ValueError, match=re.escape("`axis` must be in [-2, 2), got 3.")):
            tf_layers.batch_normalization(x(2, 3), axis=3)
        with pytest.raises(ValueError, match="must not include the batch axis 0"):
            tf_layers.batch_normalization(x(4, 3), axis=[0, 1], virtual_batch_size=2)
        with pytest.raises(TypeError, match="`training` must be a Python bool"):
            tf_layers.dropout(x(2, 3), training="yes")


@pytest.mark.parametrize(
    ("cls", "args", "kwargs", "shape"),
    [
        (tf_layers.Conv1D, (2, 3), {"padding": "causal", "dilation_rate": 2}, (2, 9, 3)),
        (tf_layers.Conv2D, (2, 3), {"strides": 2, "data_format": "channels_first"}, (2, 3, 7, 7)),
        (tf_layers.Conv3D, (2, 2), {"padding": "same", "strides": 2}, (1, 5, 5, 5, 2)),
        (tf_layers.SeparableConv1D, (2, 3), {"strides": 2}, (2, 9, 3)),
        (tf_layers.SeparableConv2D, (2, 3), {"dilation_rate": 2}, (2, 7, 7, 3)),
        (tf_layers.Conv2DTranspose, (2, 3), {"strides": 2}, (2, 4, 4, 3)),
        (tf_layers.Conv3DTranspose, (2, 2), {"strides": 2, "padding": "same"}, (1, 2, 3, 2, 1)),
        (tf_layers.MaxPooling1D, (2, 2), {"padding": "same"}, (2, 9, 3)),
        (tf_layers.AveragePooling2D, (3, 2), {"data_format": "channels_first"}, (2, 3, 7, 7)),
        (tf_layers.MaxPooling3D, (2, 1), {}, (1, 5, 5, 5, 2)),
        (tf_layers.Dense, (4,), {}, (2, 3, 5)),
        (tf_layers.Flatten, (), {}, (2, 3, 5)),
    ],
)
def test_compute_output_shape_is_the_built_shape(cls, args, kwargs, shape):
    with tf.Graph().as_default():
        layer = cls(*args, **kwargs)
        outputs = layer(x(*shape))
        assert layer.compute_output_shape(shape).as_list() == outputs.shape.as_list()

"""contrib.layers extras, slim, contrib.metrics and contrib.framework: scoping, names,
collections and errors. Numerical parity with TF 2.15 + tf_slim is in the golden cases
(tests/golden/cases/{contrib_layers,slim,contrib_metrics}.py)."""

from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest
import tensorflow as tf

import tf_pipeline.tf1 as tf1
import tf_pipeline.tf1.contrib.slim as slim
from tf_pipeline.compat.arg_scope import (
    add_arg_scope,
    arg_scope,
    arg_scoped_arguments,
    current_arg_scope,
    has_arg_scope,
)

layers = tf1.contrib.layers


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def _names(variables):
    return [v.op.name for v in variables]


@add_arg_scope
def _affine(x, scale=1, shift=0):
    return x * scale + shift


def test_arg_scope_nests_and_explicit_arguments_win():
    with arg_scope([_affine], scale=10) as outer:
        assert _affine(1) == 10
        with arg_scope([_affine], shift=2):
            assert _affine(1) == 12
            assert _affine(1, scale=3) == 5
        assert _affine(1) == 10
    assert _affine(1) == 1
    with arg_scope(outer):
        assert _affine(2) == 20
    assert current_arg_scope() == {}


def test_arg_scope_introspection():
    assert has_arg_scope(_affine)
    assert arg_scoped_arguments(_affine) == ("scale", "shift")
    assert not has_arg_scope(len)
    assert _affine.__name__ == "_affine"


def test_arg_scope_errors():
    with pytest.raises(ValueError, match=re.escape("decorated with @add_arg_scope, got len.")):
        with arg_scope([len], x=1):
            pass
    with pytest.raises(TypeError, match=re.escape("`list_ops_or_scope` must be a list")):
        with arg_scope(_affine, scale=1):
            pass
    with pytest.raises(ValueError, match=re.escape("`kwargs` must be empty")):
        with arg_scope({}, scale=1):
            pass


def test_one_function_behind_every_spelling():
    from tf_pipeline.tf1.contrib import slim as imported

    assert imported is slim is tf1.contrib.slim
    assert slim.conv2d is layers.conv2d is layers.convolution2d
    assert slim.fully_connected is layers.fully_connected
    assert slim.arg_scope is tf1.contrib.framework.arg_scope
    assert slim.get_model_variables is tf1.contrib.framework.get_model_variables
    assert slim.metrics.streaming_mean is tf1.contrib.metrics.streaming_mean
    assert callable(slim.model_analyzer.analyze_vars) and callable(slim.learning.create_train_op)


def test_arg_scope_reaches_nested_layers_and_normalizer(graph):
    with slim.arg_scope([slim.conv2d, slim.fully_connected], normalizer_fn=slim.batch_norm):
        with slim.arg_scope([slim.batch_norm], scale=True, is_training=False):
            net = slim.conv2d(tf.zeros([2, 4, 4, 1]), 2, [3, 3])
            slim.fully_connected(slim.flatten(net), 1)
    assert _names(tf1.trainable_variables()) == [
        "Conv/weights",
        "Conv/BatchNorm/beta",
        "Conv/BatchNorm/gamma",
        "fully_connected/weights",
        "fully_connected/BatchNorm/beta",
        "fully_connected/BatchNorm/gamma",
    ]
    assert tf1.get_collection(tf1.GraphKeys.UPDATE_OPS) == []


def test_default_scopes_are_uniquified_and_reuse_shares(graph):
    x = tf.zeros([1, 5, 5, 2])
    layers.conv2d(x, 3, 3)
    layers.conv2d(x, 3, 3)
    layers.conv2d(x, 3, 3, scope="shared")
    layers.conv2d(x, 3, 3, scope="shared", reuse=True)
    layers.conv2d_transpose(x, 2, 2)
    layers.separable_conv2d(x, 4, 2)
    layers.layer_norm(x)
    layers.embed_sequence(tf.zeros([2, 3], tf.int32), vocab_size=4, embed_dim=2)
    assert _names(tf1.global_variables()) == [
        "Conv/weights",
        "Conv/biases",
        "Conv_1/weights",
        "Conv_1/biases",
        "shared/weights",
        "shared/biases",
        "Conv2d_transpose/weights",
        "Conv2d_transpose/biases",
        "SeparableConv2d/depthwise_weights",
        "SeparableConv2d/pointwise_weights",
        "SeparableConv2d/biases",
        "LayerNorm/beta",
        "LayerNorm/gamma",
        "EmbedSequence/embeddings",
    ]
    assert _names(tf1.model_variables()) == _names(tf1.global_variables())


def test_repeat_and_stack_name_scopes_after_the_layer(graph):
    x = tf.zeros([1, 4, 4, 1])
    layers.repeat(x, 2, layers.conv2d, 1, [1, 1])
    layers.stack(tf.zeros([1, 3]), layers.fully_connected, [2, 2], scope="mlp")
    assert _names(
        tf1.get_collection(tf1.GraphKeys.WEIGHTS) or slim.get_variables(suffix="weights")
    ) == [
        "Repeat/convolution2d_1/weights",
        "Repeat/convolution2d_2/weights",
        "mlp/mlp_1/weights",
        "mlp/mlp_2/weights",
    ]
    with pytest.raises(
        ValueError, match=re.escape("`stack_args` must be a list or tuple, got 3.")
    ):
        layers.stack(x, layers.conv2d, 3)


def test_collections_and_output_aliases(graph):
    out = layers.conv2d(
        tf.zeros([1, 3, 3, 1]),
        2,
        1,
        variables_collections={"weights": ["my_weights"]},
        outputs_collections=["my_outputs"],
        scope="c",
    )
    pooled = layers.max_pool2d(out, 2, outputs_collections=["my_outputs"], scope="pool")
    assert _names(tf1.get_collection("my_weights")) == ["c/weights"]
    assert tf1.get_collection("my_outputs") == [out, pooled]
    assert out.aliases == ["c"] and pooled.aliases == ["pool"]


def test_batch_norm_updates_by_route(graph):
    x = tf.ones([4, 2, 2, 3])
    layers.batch_norm(x, scope="layer4")  # the Keras-2 layer route
    layers.batch_norm(tf.ones([4, 3]), scope="fused2")
    layers.batch_norm(x, updates_collections=None, scope="in_place")
    layers.batch_norm(x, updates_collections=["mine"], fused=False, scope="custom")
    layers.batch_norm(x, is_training=False, scope="frozen")
    assert len(tf1.get_collection(tf1.GraphKeys.UPDATE_OPS)) == 4
    assert len(tf1.get_collection("mine")) == 2
    assert "frozen/moving_mean" in _names(tf1.model_variables())
    assert "frozen/moving_mean" not in _names(tf1.trainable_variables())


def test_batch_norm_moving_average_closed_form(graph):
    rng = np.random.RandomState(0)
    data = rng.randn(8, 3).astype(np.float32)
    out = layers.batch_norm(tf.constant(data), decay=0.5, updates_collections=None)
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        sess.run(out)
        moving_mean, moving_variance = sess.run(
            [
                slim.get_variables(suffix="moving_mean")[0],
                slim.get_variables(suffix="moving_variance")[0],
            ]
        )
    np.testing.assert_allclose(moving_mean, 0.5 * data.mean(0), rtol=1e-5)
    # The fused route averages the unbiased batch variance, as TF1 did.
    np.testing.assert_allclose(moving_variance, 0.5 + 0.5 * data.var(0, ddof=1), rtol=1e-5)


def test_layer_errors(graph):
    x = tf.zeros([1, 4, 4, 1])
    with pytest.raises(
        ValueError, match=re.escape("`data_format` must be one of 'NHWC', 'NCHW', got 'NWHC'.")
    ):
        layers.batch_norm(x, data_format="NWHC")
    with pytest.raises(ValueError, match=re.escape("`renorm` and `adjustment` must keep")):
        layers.batch_norm(x, renorm=True)
    with pytest.raises(ValueError, match=re.escape("`inputs` must have rank 4, got rank 2.")):
        layers.conv2d(tf.zeros([2, 3]), 1, 1)
    with pytest.raises(
        ValueError, match=re.escape("`padding` must be one of 'SAME', 'VALID', got 'FULL'.")
    ):
        layers.max_pool2d(x, 2, padding="full")
    with pytest.raises(
        ValueError, match=re.escape("`kernel_size` must be an int or a sequence of 2 ints")
    ):
        layers.conv2d(x, 1, [1, 2, 3])
    with pytest.raises(
        ValueError, match=re.escape("`vocab_size` and `embed_dim` must both be given")
    ):
        layers.embed_sequence(tf.zeros([1, 2], tf.int32), vocab_size=3)
    with pytest.raises(
        ValueError, match=re.escape("`begin_params_axis` and `begin_norm_axis` must be < rank")
    ):
        layers.layer_norm(x, begin_norm_axis=4)


def test_regularizer_and_initializer_errors():
    with pytest.raises(ValueError, match=re.escape("`scale` must be a float, got the integer 1.")):
        layers.l2_regularizer(1)
    with pytest.raises(ValueError, match=re.escape("`scale` must be a float >= 0, got -0.5.")):
        layers.l1_regularizer(-0.5)
    with pytest.raises(
        ValueError, match=re.escape("`scale_l2` must be a float, got the integer 2.")
    ):
        layers.l1_l2_regularizer(0.1, 2)
    assert layers.l2_regularizer(0.0)(tf.ones([2])) is None
    assert layers.sum_regularizer([None]) is None
    with pytest.raises(
        TypeError,
        match=re.escape("`mode` must be one of 'FAN_IN', 'FAN_OUT', 'FAN_AVG', got 'fan_in'."),
    ):
        layers.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(
        TypeError, match=re.escape("`dtype` must be a floating point type, got int32.")
    ):
        layers.variance_scaling_initializer(dtype=tf.int32)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=re.escape("`weights_list` must not be empty")):
            layers.apply_regularization(layers.l2_regularizer(0.1))


def test_variance_scaling_limits_closed_form(graph):
    uniform = layers.variance_scaling_initializer(factor=3.0, mode="FAN_OUT", uniform=True, seed=1)
    values = tf1.Session().run(uniform([200, 50]))
    limit = np.sqrt(3.0 * 3.0 / 50)
    assert values.min() >= -limit and values.max() <= limit and values.max() > 0.95 * limit


def test_variables_to_restore_and_checkpoint_fn(graph, tmp_path):
    with tf1.variable_scope("keep"):
        kept = slim.model_variable("w", [2], initializer=tf.constant_initializer(3.0))
    with tf1.variable_scope("skip"):
        slim.variable("w", [2])
    assert _names(slim.get_variables_to_restore(exclude=["skip"])) == ["keep/w"]
    assert _names(slim.get_variables_to_restore(include=["skip"])) == ["skip/w"]
    with pytest.raises(
        TypeError, match=re.escape("`exclude` must be a list or tuple of scopes, got 'skip'.")
    ):
        slim.get_variables_to_restore(exclude="skip")
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        path = tf1.train.Saver([kept]).save(sess, str(tmp_path / "ckpt"))
        sess.run(kept.assign([0.0, 0.0]))
        restore = slim.assign_from_checkpoint_fn(
            path, slim.get_variables(), ignore_missing_vars=True
        )
        restore(sess)
        np.testing.assert_array_equal(sess.run(kept), [3.0, 3.0])
    with pytest.raises(ValueError, match=re.escape("`var_list` must not be empty, got [].")):
        slim.assign_from_checkpoint_fn(path, [])


def test_create_train_op_multipliers_and_update_ops(graph):
    w = tf1.get_variable("w", [], initializer=tf.constant_initializer(2.0))
    counter = tf1.get_variable("counter", [], initializer=tf.zeros_initializer(), trainable=False)
    tf1.add_to_collection(tf1.GraphKeys.UPDATE_OPS, counter.assign_add(1.0))
    train_op = slim.learning.create_train_op(
        tf.square(w), tf1.train.GradientDescentOptimizer(0.1), gradient_multipliers={"w": 0.5}
    )
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        loss = sess.run(train_op)
        # d(w^2)/dw = 4, halved, times 0.1: 2 - 0.2.
        assert loss == pytest.approx(4.0)
        assert sess.run(w) == pytest.approx(1.8)
        assert sess.run(counter) == 1.0
        assert sess.run(tf1.train.get_global_step()) == 1
    assert tf1.get_collection(tf1.GraphKeys.TRAIN_OP)[-1] is train_op


def test_analyze_ops_and_vars_text(graph):
    x = tf1.placeholder(tf.float32, [None, 3], name="x")
    w = tf1.get_variable("w", [3, 2])
    tf.matmul(x, w, name="y")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        total = slim.model_analyzer.analyze_ops(tf1.get_default_graph(), print_info=True)
        sizes = slim.model_analyzer.analyze_vars([w])
    lines = printed.getvalue().splitlines()
    assert lines[:3] == ["---------", "Operations: name -> (type shapes) [size]", "---------"]
    assert "x \t-> (float32 ?x3) [0]" in lines
    assert "y \t-> (float32 ?x2) [0]" in lines
    assert total >= 6 and sizes == (6, 24)


def test_streaming_metrics_aggregate(graph):
    values, updates = tf1.contrib.metrics.aggregate_metric_map(
        {
            "mean": tf1.contrib.metrics.streaming_mean(tf.constant([1.0, 2.0])),
            "rmse": tf1.contrib.metrics.streaming_root_mean_squared_error(
                tf.constant([1.0, 3.0]), tf.constant([0.0, 0.0])
            ),
        }
    )
    with tf1.Session() as sess:
        sess.run(tf1.local_variables_initializer())
        sess.run(updates)
        sess.run(updates)
        result = sess.run(values)
    assert result["mean"] == pytest.approx(1.5)
    assert result["rmse"] == pytest.approx(np.sqrt(5.0))
    with pytest.raises(
        ValueError, match=re.escape("`value_update_tuples` must hold at least one pair")
    ):
        tf1.contrib.metrics.aggregate_metrics()


def test_variable_lookups(graph):
    with tf1.variable_scope("a"):
        slim.model_variable("w", [1])
        slim.model_variable("w_1", [1])
    assert _names(slim.get_variables_by_name("w")) == ["a/w"]
    assert slim.get_unique_variable("a/w").op.name == "a/w"
    with pytest.raises(ValueError, match=re.escape("`var_op_name` must name exactly one")):
        slim.get_unique_variable("a")


def test_summaries_by_rank_and_activation(graph):
    summaries = layers.summarize_tensors(
        [tf.constant(1.0, name="loss"), tf.zeros([3], name="w"), tf.constant("s")]
    )
    assert [s.op.type if s is not None else None for s in summaries] == [
        "ScalarSummary",
        "HistogramSummary",
        None,
    ]
    activation = tf.nn.relu6(tf.zeros([2]), name="act")
    layers.summarize_activation(activation)
    tags = sorted(
        op.name for op in tf1.get_default_graph().get_operations() if "Summary" in op.type
    )
    assert "act/activation" in tags and "act/zeros" in tags and "act/sixes" in tags


def test_learning_train_runs_steps_and_checkpoints(graph, tmp_path):
    w = tf1.get_variable("w", [], initializer=tf.constant_initializer(1.0))
    train_op = slim.learning.create_train_op(tf.square(w), tf1.train.GradientDescentOptimizer(0.1))
    loss = slim.learning.train(train_op, str(tmp_path), number_of_steps=5, log_every_n_steps=0)
    # w_t = 0.8 ** t; the last step reports the loss before its update: w_4 ** 2.
    assert loss == pytest.approx(0.8**8, rel=1e-5)
    checkpoint = tf.train.latest_checkpoint(str(tmp_path))
    assert checkpoint.endswith("model.ckpt-5")
    assert tf.train.load_variable(checkpoint, "w") == pytest.approx(0.8**5, rel=1e-5)
    with pytest.raises(ValueError, match=re.escape("`number_of_steps` must be None or >= 1")):
        slim.learning.train(train_op, str(tmp_path), number_of_steps=0)

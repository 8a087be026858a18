"""optimize_loss against hand-written numpy updates and TF1's names."""

import re

import numpy as np
import pytest
import tensorflow as tf

from tf_pipeline.compat.optimizers import OPTIMIZER_CLS_NAMES, OPTIMIZER_SUMMARIES, optimize_loss

RNG = np.random.default_rng(1)
X = RNG.normal(size=(8, 3)).astype(np.float32)
Y = RNG.normal(size=(8, 1)).astype(np.float32)
W0 = np.array([[0.5], [-1.0], [2.0]], np.float32)
SGD = tf.compat.v1.train.GradientDescentOptimizer


# The variable `OptimizeLoss/learning_rate` holds that name scope first, so the summary's
# scope (and tag) is uniquified, as it was in TF1.
LR_TAG = "OptimizeLoss/learning_rate_1"


def np_loss(w):
    return np.mean((X.astype(np.float64) @ w - Y) ** 2)


def np_grad(w):
    return 2.0 / len(X) * X.T.astype(np.float64) @ (X @ w - Y)


def linear_problem(global_step=True):
    """Mean squared error of ``X @ w`` against ``Y``, with ``w`` starting at ``W0``."""
    w = tf.compat.v1.get_variable("w", initializer=W0)
    loss = tf.reduce_mean(tf.square(tf.matmul(X, w) - Y))
    step = tf.compat.v1.train.get_or_create_global_step() if global_step else None
    return w, loss, step


def start(graph):
    sess = tf.compat.v1.Session(graph=graph)
    sess.run(tf.compat.v1.global_variables_initializer())
    return sess


def summaries(sess):
    """Tag -> value of every summary in the graph (0.0 for histograms)."""
    merged = sess.run(tf.compat.v1.summary.merge_all())
    return {v.tag: v.simple_value for v in tf.compat.v1.Summary.FromString(merged).value}


def variable(name):
    (found,) = [v for v in tf.compat.v1.global_variables() if v.op.name == name]
    return found


def global_names():
    return [v.op.name for v in tf.compat.v1.global_variables()]


def test_adagrad_matches_numpy_and_tf1_names():
    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, 0.1, "Adagrad")
        # Slots live under the current variable scope, so TF1 also prefixed them.
        expected = ["w", "global_step", "OptimizeLoss/learning_rate", "OptimizeLoss/w/Adagrad"]
        assert global_names() == expected
        assert [v.op.name for v in tf.compat.v1.trainable_variables()] == ["w"]
        assert train.op.name == "OptimizeLoss/control_dependency"
        assert graph.get_operation_by_name("OptimizeLoss/train").type == "AssignAddVariableOp"
        with start(graph) as sess:
            assert sess.run(variable("OptimizeLoss/learning_rate")) == np.float32(0.1)
            w_np, accum = W0.astype(np.float64), np.full((3, 1), 0.1)
            for k in range(4):
                # The fetched value is the loss *before* this step's update.
                np.testing.assert_allclose(sess.run(train), np_loss(w_np), rtol=1e-6)
                g = np_grad(w_np)
                accum += g**2
                w_np = w_np - 0.1 * g / np.sqrt(accum)
                np.testing.assert_allclose(sess.run(w), w_np, rtol=1e-6, atol=1e-6)
                np.testing.assert_allclose(
                    sess.run(variable("OptimizeLoss/w/Adagrad")), accum, rtol=1e-6
                )
                assert sess.run(step) == k + 1


def test_momentum_name_uses_momentum_point_nine():
    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, 0.05, "Momentum")
        assert "OptimizeLoss/w/Momentum" in global_names()
        with start(graph) as sess:
            w_np, velocity = W0.astype(np.float64), np.zeros((3, 1))
            for _ in range(3):
                sess.run(train)
                velocity = 0.9 * velocity + np_grad(w_np)
                w_np = w_np - 0.05 * velocity
                np.testing.assert_allclose(sess.run(w), w_np, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "slots"),
    [
        ("Adam", ["OptimizeLoss/w/Adam", "OptimizeLoss/w/Adam_1"]),
        ("Ftrl", ["OptimizeLoss/w/Ftrl", "OptimizeLoss/w/Ftrl_1"]),
        ("RMSProp", ["OptimizeLoss/w/RMSProp", "OptimizeLoss/w/RMSProp_1"]),
    ],
)
def test_other_optimizer_names(name, slots):
    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, 0.01, name)
        assert [n for n in global_names() if n.startswith("OptimizeLoss/w/")] == slots
        with start(graph) as sess:
            first = sess.run(train)
            assert sess.run(loss) < first


@pytest.mark.parametrize(
    ("learning_rate", "optimizer"),
    [
        (0.1, "SGD"),
        (0.1, SGD),
        (0.1, SGD(0.1)),
        (0.1, lambda lr: SGD(lr)),
        (None, lambda: SGD(0.1)),
    ],
    ids=["name", "class", "instance", "function", "function_without_lr"],
)
def test_every_optimizer_form_gives_the_sgd_step(learning_rate, optimizer):
    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, learning_rate, optimizer)
        with start(graph) as sess:
            sess.run(train)
            np.testing.assert_allclose(sess.run(w), W0 - 0.1 * np_grad(W0), rtol=1e-6, atol=1e-6)


def test_tensor_learning_rate_is_used_as_is():
    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        lr = tf.compat.v1.placeholder_with_default(np.float32(0.3), [])
        train = optimize_loss(loss, step, lr, "SGD")
        assert "OptimizeLoss/learning_rate" not in global_names()
        with start(graph) as sess:
            sess.run(train, {lr: 0.2})
            np.testing.assert_allclose(sess.run(w), W0 - 0.2 * np_grad(W0), rtol=1e-6, atol=1e-6)


def test_clip_by_global_norm_and_its_summaries():
    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, 0.1, "SGD", clip_gradients=0.5)
        with start(graph) as sess:
            g = np_grad(W0)
            norm = np.linalg.norm(g)
            assert norm > 0.5  # so the clip is active
            tags = summaries(sess)
            assert set(tags) == {
                "OptimizeLoss/loss",
                "OptimizeLoss/global_norm/gradient_norm",
                "OptimizeLoss/global_norm/clipped_gradient_norm",
            }
            np.testing.assert_allclose(tags["OptimizeLoss/loss"], np_loss(W0), rtol=1e-6)
            np.testing.assert_allclose(
                tags["OptimizeLoss/global_norm/gradient_norm"], norm, rtol=1e-6
            )
            np.testing.assert_allclose(
                tags["OptimizeLoss/global_norm/clipped_gradient_norm"], 0.5, rtol=1e-6
            )
            sess.run(train)
            expected = W0 - 0.1 * g * 0.5 / norm
            np.testing.assert_allclose(sess.run(w), expected, rtol=1e-6, atol=1e-6)


def test_clip_gradients_callable_is_applied_as_given():
    def halve(grads_and_vars):
        return [(0.5 * g, v) for g, v in grads_and_vars]

    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, 0.1, "SGD", clip_gradients=halve)
        with start(graph) as sess:
            sess.run(train)
            expected = W0 - 0.1 * 0.5 * np_grad(W0)
            np.testing.assert_allclose(sess.run(w), expected, rtol=1e-6, atol=1e-6)


def test_gradient_multipliers_by_variable_and_by_name():
    c = np.array([1.0, -2.0], np.float32)
    with tf.Graph().as_default() as graph:
        a = tf.compat.v1.get_variable("a", initializer=np.zeros(2, np.float32))
        b = tf.compat.v1.get_variable("b", initializer=np.float32(1.0))
        loss = tf.reduce_sum(a * c) + 3.0 * b
        train = optimize_loss(loss, None, 0.1, "SGD", gradient_multipliers={a: 2.0, "b:0": 0.5})
        with start(graph) as sess:
            sess.run(train)
            np.testing.assert_allclose(sess.run(a), -0.1 * 2.0 * c, rtol=1e-6)
            np.testing.assert_allclose(sess.run(b), 1.0 - 0.1 * 0.5 * 3.0, rtol=1e-6)


def test_variables_limits_what_is_trained():
    with tf.Graph().as_default() as graph:
        a = tf.compat.v1.get_variable("a", initializer=np.float32(1.0))
        b = tf.compat.v1.get_variable("b", initializer=np.float32(1.0))
        train = optimize_loss(a * b, None, 0.5, "SGD", variables=[a])
        with start(graph) as sess:
            sess.run(train)
            assert sess.run([a, b]) == [np.float32(0.5), np.float32(1.0)]


def test_learning_rate_decay_fn_and_its_summary():
    def halve_each_step(lr, global_step):
        return tf.compat.v1.train.exponential_decay(lr, global_step, 1, 0.5, staircase=True)

    with tf.Graph().as_default() as graph:
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, 0.1, "SGD", learning_rate_decay_fn=halve_each_step)
        with start(graph) as sess:
            w_np = W0.astype(np.float64)
            for lr in (0.1, 0.05, 0.025):
                tags = summaries(sess)
                np.testing.assert_allclose(tags[LR_TAG], lr, rtol=1e-6)
                sess.run(train)
                w_np = w_np - lr * np_grad(w_np)
                np.testing.assert_allclose(sess.run(w), w_np, rtol=1e-6, atol=1e-6)


def test_default_summaries_follow_tf1():
    # TF1 wrote the learning-rate summary only when a decay function was given.
    with tf.Graph().as_default() as graph:
        _, loss, step = linear_problem()
        optimize_loss(loss, step, 0.1, "SGD")
        keys = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.SUMMARIES)
        assert [op.op.name for op in keys] == [
            "OptimizeLoss/global_norm/gradient_norm",
            "OptimizeLoss/loss",
        ]
        with start(graph) as sess:
            tags = summaries(sess)
        assert set(tags) == {"OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/loss"}
        np.testing.assert_allclose(
            tags["OptimizeLoss/global_norm/gradient_norm"], np.linalg.norm(np_grad(W0)), rtol=1e-6
        )


def test_every_summary_by_tag():
    with tf.Graph().as_default() as graph:
        _, loss, step = linear_problem()
        optimize_loss(
            loss,
            step,
            0.1,
            "SGD",
            clip_gradients=10.0,
            learning_rate_decay_fn=lambda lr, _: lr,
            summaries=list(OPTIMIZER_SUMMARIES),
        )
        with start(graph) as sess:
            tags = summaries(sess)
    prefix = "OptimizeLoss/"
    assert set(tags) == {
        LR_TAG,
        prefix + "loss",
        prefix + "global_norm/gradient_norm",
        prefix + "global_norm/clipped_gradient_norm",
        prefix + "gradients/w_0",
        prefix + "gradient_norm/w_0",
    }
    np.testing.assert_allclose(
        tags[prefix + "gradient_norm/w_0"], np.linalg.norm(np_grad(W0)), rtol=1e-6
    )


def test_update_ops_run_with_every_step():
    with tf.Graph().as_default() as graph:
        _, loss, step = linear_problem()
        counter = tf.compat.v1.get_variable("counter", initializer=0.0, trainable=False)
        tf.compat.v1.add_to_collection(
            tf.compat.v1.GraphKeys.UPDATE_OPS, counter.assign_add(1.0).op
        )
        train = optimize_loss(loss, step, 0.1, "SGD")
        with start(graph) as sess:
            for _ in range(3):
                sess.run(train)
            assert sess.run([counter, step]) == [3.0, 3]


def test_global_step_from_graph_and_increment_switch():
    with tf.Graph().as_default() as graph:
        _, loss, step = linear_problem()
        counted = optimize_loss(loss, None, 0.1, "SGD")
        uncounted = optimize_loss(loss, step, 0.1, "SGD", increment_global_step=False)
        with start(graph) as sess:
            sess.run(counted)
            sess.run(uncounted)
            sess.run(uncounted)
            assert sess.run(step) == 1


def test_scope_names():
    with tf.Graph().as_default() as graph:
        _, loss, step = linear_problem()
        optimize_loss(loss, step, 0.1, "SGD")
        optimize_loss(loss, step, 0.1, "SGD")
        optimize_loss(loss, step, 0.1, "SGD", name="custom")
        assert global_names()[2:] == [
            "OptimizeLoss/learning_rate",
            "OptimizeLoss_1/learning_rate",
            "custom/learning_rate",
        ]
        assert graph.get_operation_by_name("custom/train") is not None


def test_gradient_noise_is_bounded_truncated_normal():
    with tf.Graph().as_default() as graph:
        tf.compat.v1.set_random_seed(0)
        w, loss, step = linear_problem()
        train = optimize_loss(loss, step, 0.1, "SGD", gradient_noise_scale=1.0)
        with start(graph) as sess:
            sess.run(train)
            noise_step = sess.run(w) - (W0 - 0.1 * np_grad(W0))
    # Truncated at two standard deviations, so each step moves at most lr * 2 * scale.
    assert np.abs(noise_step).max() <= 0.1 * 2.0 + 1e-6
    assert np.abs(noise_step).min() > 0.0


def test_optimizer_names_table():
    assert sorted(OPTIMIZER_CLS_NAMES) == ["Adagrad", "Adam", "Ftrl", "Momentum", "RMSProp", "SGD"]
    with tf.Graph().as_default():
        adagrad = OPTIMIZER_CLS_NAMES["Adagrad"](learning_rate=0.1)
        assert adagrad._initial_accumulator_value == 0.1
        assert OPTIMIZER_CLS_NAMES["Momentum"](learning_rate=0.1)._momentum == 0.9


ERRORS = [
    (
        {"optimizer": "Sgd"},
        ValueError,
        "`optimizer` must be one of 'Adagrad', 'Adam', 'Ftrl', 'Momentum', 'RMSProp', 'SGD', "
        "got 'Sgd'.",
    ),
    (
        {"learning_rate": None},
        ValueError,
        "`learning_rate` must be given when `optimizer` is a name, got None (optimizer='SGD').",
    ),
    (
        {"learning_rate": None, "optimizer": SGD},
        ValueError,
        "`learning_rate` must be given when `optimizer` is an Optimizer class, "
        "got None (optimizer=GradientDescentOptimizer).",
    ),
    (
        {"optimizer": lambda lr: 3},
        ValueError,
        "`optimizer` must return a tf.compat.v1.train.Optimizer when called, got 3 (int).",
    ),
    (
        {"optimizer": 3},
        ValueError,
        "`optimizer` must be a name, a tf.compat.v1.train.Optimizer subclass or instance, "
        "or a function returning an Optimizer, got 3 (int).",
    ),
    ({"learning_rate": -0.1}, ValueError, "`learning_rate` must be a float >= 0.0, got -0.1."),
    (
        {"learning_rate": 1},
        ValueError,
        "`learning_rate` must be a float, a scalar (0-d) Tensor or None, got 1 (int).",
    ),
    (
        {"summaries": ["loss", "weights"]},
        ValueError,
        "`summaries[1]` must be one of 'learning_rate', 'loss', 'gradients', 'gradient_norm', "
        "'global_gradient_norm', got 'weights'.",
    ),
    (
        {"clip_gradients": 1},
        ValueError,
        "`clip_gradients` must be a float, a callable or None, got 1 (int).",
    ),
    (
        {"learning_rate_decay_fn": lambda lr, step: lr},
        ValueError,
        "`global_step` is required with `learning_rate_decay_fn`, got None.",
    ),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), ERRORS)
def test_bad_arguments(kwargs, error, message):
    arguments = {"learning_rate": 0.1, "optimizer": "SGD", **kwargs}
    with tf.Graph().as_default():
        _, loss, _ = linear_problem(global_step=False)
        with pytest.raises(error, match=re.escape(message)):
            optimize_loss(loss, None, **arguments)


def test_non_scalar_loss():
    with tf.Graph().as_default():
        message = "`loss` must be a scalar tensor, got shape (3, 1)."
        with pytest.raises(ValueError, match=re.escape(message)):
            optimize_loss(tf.constant(W0), None, 0.1, "SGD")


def test_building_keeps_eager_execution_on():
    with tf.Graph().as_default():
        _, loss, step = linear_problem()
        optimize_loss(loss, step, 0.1, "Adagrad")
    assert tf.executing_eagerly()

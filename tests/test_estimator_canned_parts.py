"""Canned-estimator parts without the Estimator engine: heads, model_fns, arguments.

The numbers of whole canned estimators are compared with TF 2.15 in
``test_estimator_canned.py``; here each head is checked against closed forms in NumPy,
and the model_fns' variable names against the names TF 2.15 wrote (the golden files).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import tf_pipeline.tf1 as tf1
from estimators.tf_estimator.canned import dnn, dnn_linear_combined, head, linear
from estimators.tf_estimator.canned.optimizers import get_optimizer_instance
from estimators.tf_estimator.spec import ModeKeys

GOLDEN = Path(__file__).parent / "golden" / "estimator_canned" / "data"
V1 = tf.compat.v1
LOGITS = np.array([[0.5], [-1.0], [2.0], [0.0]], np.float32)


def _run(build, stages=False):
    """Build in a fresh graph, initialise, run ``build()``'s fetches once.

    With ``stages``, ``build()`` returns a list of fetches run one after another.
    """
    with tf.Graph().as_default():
        V1.train.get_or_create_global_step()
        fetches = build()
        with V1.Session() as sess:
            sess.run(
                [
                    V1.global_variables_initializer(),
                    V1.local_variables_initializer(),
                    V1.tables_initializer(),
                ]
            )
            if stages:
                return [sess.run(f) for f in fetches]
            return sess.run(fetches)


def _eval_metrics(h, features, logits, labels):
    def build():
        spec = h.create_estimator_spec(
            features=features(),
            mode=ModeKeys.EVAL,
            logits=tf.constant(logits),
            labels=tf.constant(labels),
        )
        updates = [u for _, u in spec.eval_metric_ops.values()]
        values = {k: v for k, (v, _) in spec.eval_metric_ops.items()}
        return [updates, (spec.loss, values)]

    _, (loss, values) = _run(build, stages=True)
    return loss, values


def test_regression_head_loss_and_metrics_closed_form():
    labels = np.array([[1.0], [0.0], [1.5], [-1.0]], np.float32)
    weights = np.array([1.0, 2.0, 0.5, 1.0], np.float32)
    h = head.RegressionHead(weight_column="w")
    loss, metrics = _eval_metrics(h, lambda: {"w": tf.constant(weights)}, LOGITS, labels)
    squared = (LOGITS - labels).ravel() ** 2
    assert loss == pytest.approx(np.sum(squared * weights), rel=1e-6)  # Reduction.SUM
    assert metrics["average_loss"] == pytest.approx(np.average(squared, weights=weights))
    assert metrics["label/mean"] == pytest.approx(np.average(labels.ravel(), weights=weights))
    assert metrics["prediction/mean"] == pytest.approx(np.average(LOGITS.ravel(), weights=weights))
    assert sorted(metrics) == ["average_loss", "label/mean", "prediction/mean"]


def test_binary_head_metrics_closed_form():
    labels = np.array([[1], [0], [1], [1]], np.int64)
    h = head.BinaryClassHead(thresholds=[0.7])
    loss, metrics = _eval_metrics(h, dict, LOGITS, labels)
    z, y = LOGITS.ravel(), labels.ravel().astype(np.float64)
    p = 1.0 / (1.0 + np.exp(-z))
    xent = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    predicted = (z > 0).astype(np.float64)
    assert loss == pytest.approx(xent.sum(), rel=1e-5)
    assert metrics["average_loss"] == pytest.approx(xent.mean(), rel=1e-5)
    assert metrics["accuracy"] == pytest.approx(np.mean(predicted == y))
    assert metrics["precision"] == pytest.approx(np.sum(predicted * y) / predicted.sum())
    assert metrics["recall"] == pytest.approx(np.sum(predicted * y) / y.sum())
    assert metrics["prediction/mean"] == pytest.approx(p.mean(), rel=1e-6)
    assert metrics["accuracy_baseline"] == pytest.approx(max(y.mean(), 1 - y.mean()))
    assert metrics["accuracy/positive_threshold_0.7"] == pytest.approx(np.mean((p >= 0.7) == y))
    assert set(metrics) >= {"auc", "auc_precision_recall", "label/mean", "recall"}


def test_multi_class_head_with_vocabulary_predictions_and_loss():
    logits = np.array([[1.0, 2.0, 0.0], [3.0, -1.0, 0.5]], np.float32)
    vocabulary = ["lo", "mid", "hi"]
    h = head.MultiClassHead(3, label_vocabulary=vocabulary)

    def build():
        spec = h.create_estimator_spec(
            features={},
            mode=ModeKeys.EVAL,
            logits=tf.constant(logits),
            labels=tf.constant([["hi"], ["lo"]]),
        )
        return spec.loss, spec.predictions

    loss, predictions = _run(build)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    assert loss == pytest.approx(-(log_softmax[0, 2] + log_softmax[1, 0]), rel=1e-6)
    np.testing.assert_allclose(predictions["probabilities"], np.exp(log_softmax), rtol=1e-6)
    assert predictions["class_ids"].ravel().tolist() == [1, 0]
    assert predictions["classes"].ravel().tolist() == [b"mid", b"lo"]
    assert predictions["all_classes"].tolist() == [[b"lo", b"mid", b"hi"]] * 2
    assert predictions["all_class_ids"].tolist() == [[0, 1, 2]] * 2


def test_binary_head_predict_mode_outputs():
    h = head.BinaryClassHead(label_vocabulary=["no", "yes"])

    def build():
        spec = h.create_estimator_spec(
            features={}, mode=ModeKeys.PREDICT, logits=tf.constant(LOGITS)
        )
        assert sorted(spec.export_outputs) == [
            "classification",
            "predict",
            "regression",
            "serving_default",
        ]
        assert spec.loss is None
        return spec.predictions

    predictions = _run(build)
    assert sorted(predictions) == [
        "all_class_ids",
        "all_classes",
        "class_ids",
        "classes",
        "logistic",
        "logits",
        "probabilities",
    ]
    assert predictions["classes"].ravel().tolist() == [b"yes", b"no", b"yes", b"no"]
    np.testing.assert_allclose(predictions["probabilities"].sum(axis=1), 1.0, rtol=1e-6)


def test_head_argument_errors():
    with pytest.raises(ValueError, match=re.escape("`n_classes` must be an int >= 2, got 1.")):
        head.binary_or_multi_class_head(1, None, None, V1.losses.Reduction.SUM)
    with pytest.raises(ValueError, match=re.escape("`loss_reduction` must be one of")):
        head.RegressionHead(loss_reduction="none")
    with pytest.raises(ValueError, match=re.escape("`label_dimension` must be an int >= 1")):
        head.RegressionHead(label_dimension=0)
    with pytest.raises(ValueError, match=re.escape("`label_vocabulary` must hold n_classes=3")):
        head.MultiClassHead(3, label_vocabulary=["a", "b"])
    with pytest.raises(ValueError, match=re.escape("`labels` must be a Tensor when training")):
        _run(
            lambda: head.RegressionHead().create_estimator_spec(
                features={}, mode=ModeKeys.EVAL, logits=tf.constant(LOGITS)
            )
        )


def test_optimizer_names_and_errors():
    with tf.Graph().as_default():
        assert isinstance(get_optimizer_instance("Ftrl", 0.2), V1.train.FtrlOptimizer)
        own = V1.train.GradientDescentOptimizer(0.1)
        assert get_optimizer_instance(own) is own
        assert get_optimizer_instance(lambda: own) is own
    with pytest.raises(ValueError, match=re.escape("`optimizer` must be one of 'Adagrad'")):
        get_optimizer_instance("Momentum", 0.1)
    with pytest.raises(ValueError, match=re.escape("`learning_rate` must be given")):
        get_optimizer_instance("SGD")


def test_default_learning_rates_are_tensorflow_2_15s():
    # TF 2.15: linear 0.2 (or min(0.2, 1/sqrt(n)) with optimizer=None), DNN 0.05,
    # wide & deep: DNN 0.001 and linear min(0.005, 1/sqrt(n)).
    assert linear._LEARNING_RATE == 0.2 and dnn._LEARNING_RATE == 0.05
    assert linear.default_linear_learning_rate(100) == pytest.approx(0.1)
    assert linear.default_linear_learning_rate(4) == 0.2
    assert dnn_linear_combined._DNN_LEARNING_RATE == 0.001
    assert linear.default_linear_learning_rate(4, dnn_linear_combined._LINEAR_LEARNING_RATE) == (
        0.005
    )


@pytest.mark.parametrize("name", ["linear_regressor", "dnn_regressor"])
def test_model_fn_checkpoint_names_are_tensorflow_2_15s(name, tmp_path):
    import sys

    sys.path.insert(0, str(GOLDEN.parent))
    import cases  # noqa: PLC0415

    columns = cases._columns(tf1)
    reg = head.RegressionHead(label_dimension=2 if name == "dnn_regressor" else 1)
    with tf.Graph().as_default():
        V1.train.get_or_create_global_step()
        features = {k: tf.constant(v) for k, v in cases._features().items()}
        labels = tf.constant(cases._labels(name))
        if name == "dnn_regressor":
            dnn.dnn_model_fn(features, labels, ModeKeys.TRAIN, reg, [4, 3], columns["dnn"])
        else:
            linear.linear_model_fn(
                features, labels, ModeKeys.TRAIN, reg, columns["linear"], "Ftrl", None, None
            )
        saver = V1.train.Saver()
        with V1.Session() as sess:
            sess.run([V1.global_variables_initializer(), V1.tables_initializer()])
            prefix = saver.save(sess, str(tmp_path / "model.ckpt"), write_meta_graph=False)
    ours = sorted(n for n, _ in tf.train.list_variables(prefix))
    golden = json.loads((GOLDEN / name / "golden.json").read_text())
    assert ours == sorted(golden["variables"])


def test_dropout_only_in_training():
    x = tf1.feature_column.numeric_column("x", shape=(3,))
    features = {"x": np.ones((2, 3), np.float32)}

    def logits(mode):
        with tf.Graph().as_default():
            V1.set_random_seed(0)
            with V1.variable_scope("dnn"):
                out = dnn.dnn_logits(
                    {"x": tf.constant(features["x"])}, mode, 1, [50], [x], None, 0.5, None
                )
            with V1.Session() as sess:
                sess.run(V1.global_variables_initializer())
                return sess.run(out), sess.run(out)

    first, second = logits(ModeKeys.EVAL)
    np.testing.assert_array_equal(first, second)
    first, second = logits(ModeKeys.TRAIN)
    assert not np.allclose(first, second)


def test_estimator_argument_errors():
    x = tf1.feature_column.numeric_column("x")
    with pytest.raises(ValueError, match=re.escape("`hidden_units` must be a non-empty list")):
        tf1.estimator.DNNClassifier([], [x])
    with pytest.raises(ValueError, match=re.escape("`feature_columns` must be a non-empty list")):
        tf1.estimator.LinearRegressor([])
    with pytest.raises(ValueError, match=re.escape("`sparse_combiner` must be one of")):
        tf1.estimator.LinearClassifier([x], sparse_combiner="max")
    with pytest.raises(ValueError, match=re.escape("`linear_feature_columns` or `dnn_feature")):
        tf1.estimator.DNNLinearCombinedRegressor()
    with pytest.raises(ValueError, match=re.escape("`features` must be a dict of Tensors")):
        linear.check_features(tf.zeros([2, 1]))


def test_namespaces():
    from estimators.tf_estimator import canned
    from tf_pipeline.tf1 import feature_column

    assert feature_column is tf1.feature_column and "feature_column" in tf1.__all__
    # TensorFlow 2.21's own feature columns work in graph mode: nothing is rebuilt.
    assert tf1.feature_column.input_layer is V1.feature_column.input_layer
    with pytest.raises(AttributeError, match="has no attribute 'no_such_column'"):
        tf1.feature_column.no_such_column  # noqa: B018
    for name in canned.__all__:
        assert getattr(tf1.estimator, name) is getattr(canned, name)
        assert issubclass(getattr(canned, name), tf1.estimator.Estimator)
        assert name in tf1.estimator.__all__

"""The canned-estimator golden cases, written as TF 1.x user code.

Each function takes ``v1``: ``tensorflow.compat.v1`` of real TF 2.15 (the
generator) or ``tf_pipeline.tf1`` (the test suite), and builds the same
estimator, input and run on either side.
"""

from __future__ import annotations

import numpy as np

N_EXAMPLES = 8
BATCH = 4
TRAIN_STEPS = 10

_X = np.array([0.5, -1.0, 1.5, 2.0, -0.5, 1.0, 0.0, -2.0], np.float32)
_X2 = np.stack([_X * 0.5 + 0.1, np.cos(_X)], axis=1).astype(np.float32)
_C = np.array([b"a", b"b", b"c", b"a", b"c", b"b", b"z", b"a"])
_I = np.array([0, 1, 2, 3, 1, 0, 3, 2], np.int64)
_W = np.array([1.0, 2.0, 0.5, 1.0, 1.5, 1.0, 0.5, 2.0], np.float32)
_Y_REG = (1.5 * _X - 0.5 * _I + (_C == b"a") + 0.3).astype(np.float32)
_Y_BIN = (_Y_REG > 1.0).astype(np.int64)
_Y_MULTI = np.array([0, 1, 2, 1, 0, 2, 1, 0], np.int64)


def _features() -> dict[str, np.ndarray]:
    return {"x": _X.copy(), "x2": _X2.copy(), "c": _C.copy(), "i": _I.copy(), "w": _W.copy()}


def _columns(v1):
    fc = v1.feature_column
    x = fc.numeric_column("x")
    x2 = fc.numeric_column("x2", shape=(2,))
    c = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"])
    i = fc.categorical_column_with_identity("i", num_buckets=4)
    xb = fc.bucketized_column(x, boundaries=[-1.0, 0.0, 1.0])
    return {
        "linear": [x, x2, xb, c, i],
        "dnn": [x, x2, fc.embedding_column(c, dimension=2), fc.indicator_column(i)],
    }


_VOCAB_BIN = ["neg", "pos"]
_VOCAB_MULTI = ["lo", "mid", "hi"]


def _labels(name: str) -> np.ndarray:
    if name == "linear_classifier":
        return np.array(_VOCAB_BIN, dtype=bytes)[_Y_BIN]
    if name == "dnn_classifier_multi":
        return np.array(_VOCAB_MULTI, dtype=bytes)[_Y_MULTI]
    if "multi" in name:
        return _Y_MULTI.copy()
    if "classifier" in name:
        return _Y_BIN.copy()
    if name == "dnn_regressor":  # label_dimension=2
        return np.stack([_Y_REG, np.sin(_X)], axis=1).astype(np.float32)
    return _Y_REG.copy()


def make(v1, name: str, model_dir: str, warm_start_from):
    """Build case ``name``'s estimator under namespace ``v1``."""
    est = v1.estimator
    cols = _columns(v1)
    config = est.RunConfig(tf_random_seed=7)
    common = {"model_dir": model_dir, "config": config, "warm_start_from": warm_start_from}
    if name == "linear_regressor":
        return est.LinearRegressor(cols["linear"], weight_column="w", **common)
    if name == "linear_classifier":
        return est.LinearClassifier(cols["linear"], label_vocabulary=_VOCAB_BIN, **common)
    if name == "linear_classifier_multi":
        return est.LinearClassifier(cols["linear"], n_classes=3, weight_column="w", **common)
    if name == "dnn_regressor":
        return est.DNNRegressor([4, 3], cols["dnn"], label_dimension=2, **common)
    if name == "dnn_classifier":
        return est.DNNClassifier([4], cols["dnn"], weight_column="w", **common)
    if name == "dnn_regressor_batch_norm":
        return est.DNNRegressor([4, 3], cols["dnn"], batch_norm=True, **common)
    if name == "dnn_classifier_multi":
        return est.DNNClassifier(
            [5, 3],
            cols["dnn"],
            n_classes=3,
            label_vocabulary=_VOCAB_MULTI,
            activation_fn=v1.nn.tanh,
            **common,
        )
    if name == "dnn_linear_combined_regressor":
        return est.DNNLinearCombinedRegressor(
            linear_feature_columns=cols["linear"],
            dnn_feature_columns=cols["dnn"],
            dnn_hidden_units=[3],
            **common,
        )
    if name == "dnn_linear_combined_classifier":
        return est.DNNLinearCombinedClassifier(
            linear_feature_columns=cols["linear"],
            dnn_feature_columns=cols["dnn"],
            dnn_hidden_units=[3],
            weight_column="w",
            **common,
        )
    raise KeyError(name)


CASES = (
    "linear_regressor",
    "linear_classifier",
    "linear_classifier_multi",
    "dnn_regressor",
    "dnn_classifier",
    "dnn_classifier_multi",
    "dnn_regressor_batch_norm",
    "dnn_linear_combined_regressor",
    "dnn_linear_combined_classifier",
)


# TF 2.15 model_dirs (checkpoints with Ftrl / Adagrad slots and batch-norm moving averages)
# that the other side trains on from.
RESUME_CASES = ("linear_classifier", "dnn_regressor_batch_norm")
RESUME_STEPS = 5


def resume(v1, name: str, checkpoint_dir: str, model_dir: str) -> dict:
    """Copy ``checkpoint_dir`` to ``model_dir``, train ``RESUME_STEPS`` more; the variables."""
    import shutil  # noqa: PLC0415

    shutil.copytree(checkpoint_dir, model_dir)
    est = make(v1, name, model_dir, warm_start_from=None)
    est.train(train_input_fn(v1, name), steps=RESUME_STEPS)
    return {n: est.get_variable_value(n) for n in est.get_variable_names()}


def train_input_fn(v1, name: str):
    return v1.estimator.inputs.numpy_input_fn(
        _features(), _labels(name), batch_size=BATCH, shuffle=False, num_epochs=None
    )


def eval_input_fn(v1, name: str):
    return v1.estimator.inputs.numpy_input_fn(
        _features(), _labels(name), batch_size=BATCH, shuffle=False, num_epochs=1
    )


def predict_input_fn(v1):
    return v1.estimator.inputs.numpy_input_fn(
        _features(), batch_size=BATCH, shuffle=False, num_epochs=1
    )


def trainable_names(estimator) -> list[str]:
    """The model's variables (no global step, no optimizer slots)."""
    skip = ("global_step", "Adagrad", "Ftrl")
    return sorted(n for n in estimator.get_variable_names() if not any(s in n for s in skip))


def serialized_examples(tf) -> list[bytes]:
    """The features as ``tf.train.Example`` protos (what a parsing receiver serves)."""
    feats = _features()
    examples = []
    for j in range(N_EXAMPLES):
        feature = {
            "x": tf.train.Feature(float_list=tf.train.FloatList(value=[feats["x"][j]])),
            "x2": tf.train.Feature(float_list=tf.train.FloatList(value=feats["x2"][j])),
            "c": tf.train.Feature(bytes_list=tf.train.BytesList(value=[feats["c"][j]])),
            "i": tf.train.Feature(int64_list=tf.train.Int64List(value=[feats["i"][j]])),
        }
        example = tf.train.Example(features=tf.train.Features(feature=feature))
        examples.append(example.SerializeToString())
    return examples


def run(v1, name: str, model_dir: str, init_dir: str, export_dir: str | None = None) -> dict:
    """Train ``TRAIN_STEPS`` from ``init_dir``, then evaluate, predict and export.

    With ``export_dir``, the model is exported with a parsing receiver, reloaded with
    ``tf.saved_model.load`` and its signatures run on :func:`serialized_examples`.
    """
    import tensorflow as tf  # noqa: PLC0415  (the TF the caller runs: 2.15 or 2.21)

    est = make(v1, name, model_dir, warm_start_from=init_dir)
    est.train(train_input_fn(v1, name), steps=TRAIN_STEPS)
    variables = {n: est.get_variable_value(n) for n in est.get_variable_names()}
    metrics = est.evaluate(eval_input_fn(v1, name))
    predictions = list(est.predict(predict_input_fn(v1)))
    result = {"variables": variables, "eval": metrics, "predictions": predictions}
    if export_dir is not None:
        cols = _columns(v1)
        spec = v1.feature_column.make_parse_example_spec(cols["linear"] + cols["dnn"])
        receiver = v1.estimator.export.build_parsing_serving_input_receiver_fn(spec)
        path = est.export_saved_model(export_dir, receiver)
        loaded = tf.saved_model.load(path.decode() if isinstance(path, bytes) else path)
        examples = tf.constant(serialized_examples(tf))
        served = {}
        for key, signature in loaded.signatures.items():
            (argument,) = signature.structured_input_signature[1]
            outputs = signature(**{argument: examples})
            served[key] = {k: v.numpy() for k, v in outputs.items()}
        result["served"] = served
    return result

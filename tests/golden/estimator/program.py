"""One tf.estimator program, run by real tf.estimator 2.15 (``generate.py``) and by ours.

Written as TF 1.x user code against the namespace ``tf`` it is given
(``tensorflow.compat.v1`` under 2.15, ``tf_pipeline.tf1`` under 2.21). It warm-starts from
a checkpoint written by TF 2.15, trains on unshuffled ``numpy_input_fn`` input, evaluates,
predicts, exports and serves; then ``train_and_evaluate`` with a ``LatestExporter``.
"""

from __future__ import annotations

import os

import numpy as np

TRAIN_STEPS = 20
CHECKPOINT_STEPS = 5
KEEP = 3
PARAMS = {"learning_rate": 0.3}


def data() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """20 rows of 3 features and a smooth target (no randomness: identical everywhere)."""
    grid = np.linspace(-1.0, 1.0, 60, dtype=np.float32).reshape(20, 3)
    x = {"x": grid}
    y = (np.sin(3 * grid[:, :1]) + grid[:, 1:2] * grid[:, 2:3]).astype(np.float32)
    return x, y


def make_model_fn(tf):
    def model_fn(features, labels, mode, params):
        hidden = tf.layers.dense(features["x"], 4, activation=tf.nn.tanh, name="hidden")
        output = tf.layers.dense(hidden, 1, name="out")
        predictions = {"y": output, "hidden_mean": tf.reduce_mean(hidden, axis=1)}
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(
                mode,
                predictions=predictions,
                export_outputs={"serving_default": tf.estimator.export.PredictOutput(predictions)},
            )
        loss = tf.losses.mean_squared_error(labels, output)
        optimizer = tf.train.AdagradOptimizer(params["learning_rate"])
        train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
        metrics = {
            "mae": tf.metrics.mean_absolute_error(labels, output),
            "rmse": tf.metrics.root_mean_squared_error(labels, output),
        }
        return tf.estimator.EstimatorSpec(
            mode, predictions=predictions, loss=loss, train_op=train_op, eval_metric_ops=metrics
        )

    return model_fn


def config(tf, **changes):
    settings = dict(
        tf_random_seed=11,
        save_checkpoints_steps=CHECKPOINT_STEPS,
        keep_checkpoint_max=KEEP,
        save_summary_steps=5,
        log_step_count_steps=10,
    )
    settings.update(changes)
    return tf.estimator.RunConfig(**settings)


def input_fns(tf):
    x, y = data()
    inputs = tf.estimator.inputs
    return {
        "train": inputs.numpy_input_fn(x, y, batch_size=8, num_epochs=None, shuffle=False),
        "eval": inputs.numpy_input_fn(x, y, batch_size=8, num_epochs=1, shuffle=False),
        "predict": inputs.numpy_input_fn(x, batch_size=8, num_epochs=1, shuffle=False),
    }


def serving_input_receiver_fn(tf):
    return tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.zeros([1, 3], tf.float32)}
    )


def write_warm_start(tf, directory: str) -> None:
    """The checkpoint the program warm-starts from: 1 step from seeded initial values."""
    estimator = tf.estimator.Estimator(
        make_model_fn(tf), directory, config(tf, tf_random_seed=3), params=PARAMS
    )
    estimator.train(input_fns(tf)["train"], steps=1)


def serve(export_dir: str, x: np.ndarray) -> dict[str, np.ndarray]:
    """Predictions of the SavedModel through both loaders (TF1 loader and TF2 load)."""
    import tensorflow

    v1 = tensorflow.compat.v1
    results = {}
    with tensorflow.Graph().as_default() as graph, v1.Session(graph=graph) as session:
        meta = v1.saved_model.loader.load(session, ["serve"], export_dir)
        signature = meta.signature_def["serving_default"]
        fetches = {key: info.name for key, info in signature.outputs.items()}
        feed = {signature.inputs["x"].name: x}
        for key, value in session.run(fetches, feed).items():
            results[f"v1/{key}"] = value
    loaded = tensorflow.saved_model.load(export_dir)
    outputs = loaded.signatures["serving_default"](x=tensorflow.constant(x))
    for key, value in outputs.items():
        results[f"v2/{key}"] = value.numpy()
    return results


def run(tf, model_dir: str, warm_start_dir: str, tae_dir: str) -> dict:
    """The program; returns what the golden file records."""
    x, _ = data()
    fns = input_fns(tf)
    estimator = tf.estimator.Estimator(
        make_model_fn(tf),
        model_dir,
        config(tf),
        params=PARAMS,
        warm_start_from=warm_start_dir,
    )
    estimator.train(fns["train"], steps=TRAIN_STEPS)
    metrics = estimator.evaluate(fns["eval"])
    named = estimator.evaluate(fns["eval"], steps=2, name="two")
    predictions = list(estimator.predict(fns["predict"]))
    batches = list(estimator.predict(fns["predict"], yield_single_examples=False))
    export_dir = estimator.export_saved_model(
        os.path.join(model_dir, "export"), serving_input_receiver_fn(tf)
    )
    # TF 2 eager serving after TF1 code in this thread: under tf_pipeline.tf1 the module-level
    # tf.zeros of the receiver put the thread in legacy graph mode (the graph-mode rule).
    getattr(tf, "leave_legacy_graph_mode", lambda: None)()
    served = serve(export_dir.decode(), x["x"])
    state = tf.train.get_checkpoint_state(model_dir)

    tae = tf.estimator.Estimator(
        make_model_fn(tf),
        tae_dir,
        config(tf, save_checkpoints_steps=10),
        params=PARAMS,
        warm_start_from=warm_start_dir,
    )
    exporter = tf.estimator.LatestExporter(
        "latest", serving_input_receiver_fn(tf), exports_to_keep=2
    )
    tae_metrics, tae_exports = tf.estimator.train_and_evaluate(
        tae,
        tf.estimator.TrainSpec(fns["train"], max_steps=TRAIN_STEPS),
        tf.estimator.EvalSpec(fns["eval"], steps=None, exporters=[exporter], throttle_secs=0),
    )
    latest = os.path.join(tae_dir, "export", "latest")
    return {
        "metrics": {k: float(v) for k, v in metrics.items()},
        "metrics_two": {k: float(v) for k, v in named.items()},
        "eval_keys": sorted(metrics),
        "variable_names": sorted(estimator.get_variable_names()),
        "kept_checkpoints": [os.path.basename(p) for p in state.all_model_checkpoint_paths],
        "eval_dirs": sorted(d for d in os.listdir(model_dir) if d.startswith("eval")),
        "predictions_y": np.stack([p["y"] for p in predictions]),
        "predictions_hidden_mean": np.array([p["hidden_mean"] for p in predictions]),
        "batch_sizes": [len(b["y"]) for b in batches],
        "served": served,
        "tae_metrics": {k: float(v) for k, v in tae_metrics.items()},
        "tae_exports": len(tae_exports),
        "tae_exports_kept": len(os.listdir(latest)),
        "tae_variables": {name: tae.get_variable_value(name) for name in tae.get_variable_names()},
    }

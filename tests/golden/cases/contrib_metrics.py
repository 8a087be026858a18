"""tf.contrib.metrics streaming metrics over several batches (tf_slim.metrics on TF 2.15)."""

import numpy as np


def reference_contrib(tf, tf_slim):
    metrics = tf_slim.metrics
    names = [
        "streaming_mean",
        "streaming_accuracy",
        "streaming_mean_squared_error",
        "streaming_root_mean_squared_error",
        "streaming_mean_absolute_error",
        "streaming_auc",
        "aggregate_metric_map",
        "aggregate_metrics",
    ]
    return {"metrics": {name: getattr(metrics, name) for name in names}}


def streaming_over_batches(tf):
    rng = np.random.RandomState(13)
    metrics = tf.contrib.metrics
    batches = 3
    predictions_all = tf.constant(rng.rand(batches, 6).astype(np.float32))
    labels_all = tf.constant(rng.rand(batches, 6).astype(np.float32))
    weights_all = tf.constant(rng.randint(0, 3, (batches, 6)).astype(np.float32))
    step = tf.Variable(
        0, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="batch_index"
    )
    predictions = tf.gather(predictions_all, step)
    labels = tf.gather(labels_all, step)
    weights = tf.gather(weights_all, step)
    values, updates = metrics.aggregate_metric_map(
        {
            "mean": metrics.streaming_mean(predictions),
            "weighted_mean": metrics.streaming_mean(predictions, weights=weights),
            "accuracy": metrics.streaming_accuracy(tf.round(predictions), tf.round(labels)),
            "mse": metrics.streaming_mean_squared_error(predictions, labels),
            "rmse": metrics.streaming_root_mean_squared_error(
                predictions, labels, weights=weights
            ),
            "mae": metrics.streaming_mean_absolute_error(predictions, labels),
            "auc": metrics.streaming_auc(predictions, labels > 0.5, num_thresholds=50),
        }
    )
    value_list, update_list = metrics.aggregate_metrics(
        metrics.streaming_mean(labels, name="labels_mean")
    )
    sequence = []
    for _ in range(batches):
        sequence.append(
            {
                **{f"update/{k}": v for k, v in updates.items()},
                "update/labels_mean": update_list[0],
            }
        )
        sequence.append(
            {**{f"value/{k}": v for k, v in values.items()}, "value/labels_mean": value_list[0]}
        )
        sequence.append({"advance": step.assign_add(1)})
    local_names = tf.constant("\n".join(sorted(v.op.name for v in tf.local_variables())))
    return {"outputs": {"local_variables": local_names}, "sequence": sequence}


CASES = {"streaming_over_batches": streaming_over_batches}

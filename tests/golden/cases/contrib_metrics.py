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
        "streaming_mean_tensor",
        "streaming_precision",
        "streaming_recall",
        "streaming_true_positives",
        "streaming_true_negatives",
        "streaming_false_positives",
        "streaming_false_negatives",
        "streaming_precision_at_thresholds",
        "streaming_recall_at_thresholds",
        "streaming_mean_relative_error",
        "streaming_percentage_less",
        "streaming_mean_iou",
        "streaming_recall_at_k",
        "streaming_covariance",
        "streaming_pearson_correlation",
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


def more_streaming_over_batches(tf):
    rng = np.random.RandomState(14)
    metrics = tf.contrib.metrics
    batches = 3
    scores_all = tf.constant(rng.rand(batches, 8).astype(np.float32))
    targets_all = tf.constant(rng.rand(batches, 8).astype(np.float32))
    weights_all = tf.constant(rng.randint(0, 3, (batches, 8)).astype(np.float32))
    logits_all = tf.constant(rng.randn(batches, 4, 5).astype(np.float32))
    classes_all = tf.constant(rng.randint(0, 5, (batches, 4)))
    step = tf.Variable(
        0, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="batch_index"
    )
    scores = tf.gather(scores_all, step)
    targets = tf.gather(targets_all, step)
    weights = tf.gather(weights_all, step)
    logits = tf.gather(logits_all, step)
    classes = tf.gather(classes_all, step)
    predicted, actual = scores > 0.5, targets > 0.5
    pairs = {
        "mean_tensor": metrics.streaming_mean_tensor(tf.reshape(scores, [2, 4]), weights=None),
        "precision": metrics.streaming_precision(predicted, actual),
        "recall": metrics.streaming_recall(predicted, actual, weights=weights),
        "tp": metrics.streaming_true_positives(predicted, actual),
        "tn": metrics.streaming_true_negatives(predicted, actual),
        "fp": metrics.streaming_false_positives(predicted, actual, weights=weights),
        "fn": metrics.streaming_false_negatives(predicted, actual),
        "precision_at": metrics.streaming_precision_at_thresholds(scores, actual, [0.3, 0.6]),
        "recall_at": metrics.streaming_recall_at_thresholds(scores, actual, [0.3, 0.6]),
        "relative": metrics.streaming_mean_relative_error(scores, targets, targets + 1.0),
        "below": metrics.streaming_percentage_less(scores, 0.4),
        "iou": metrics.streaming_mean_iou(tf.argmax(logits, 1), classes % 3, num_classes=5),
        "recall_at_k": metrics.streaming_recall_at_k(logits, classes, 2),
        "covariance": metrics.streaming_covariance(scores, targets, weights=weights),
        "pearson": metrics.streaming_pearson_correlation(scores, targets),
        "pearson_weighted": metrics.streaming_pearson_correlation(
            tf.reshape(scores, [8, 1]), targets, weights=weights, name="weighted"
        ),
    }
    values, updates = metrics.aggregate_metric_map(pairs)
    sequence = []
    for _ in range(batches):
        sequence.append({f"update/{k}": v for k, v in updates.items()})
        sequence.append({f"value/{k}": v for k, v in values.items()})
        sequence.append({"advance": step.assign_add(1)})
    local_names = tf.constant("\n".join(sorted(v.op.name for v in tf.local_variables())))
    return {"outputs": {"local_variables": local_names}, "sequence": sequence}


CASES = {
    "streaming_over_batches": streaming_over_batches,
    "more_streaming_over_batches": more_streaming_over_batches,
}

"""``tf.contrib.metrics``: the ``streaming_*`` metrics and ``aggregate_metric_map``."""

from tf_pipeline.compat.streaming_metrics import (
    aggregate_metric_map,
    aggregate_metrics,
    streaming_accuracy,
    streaming_auc,
    streaming_mean,
    streaming_mean_absolute_error,
    streaming_mean_squared_error,
    streaming_root_mean_squared_error,
)

__all__ = [
    "aggregate_metric_map",
    "aggregate_metrics",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_mean",
    "streaming_mean_absolute_error",
    "streaming_mean_squared_error",
    "streaming_root_mean_squared_error",
]

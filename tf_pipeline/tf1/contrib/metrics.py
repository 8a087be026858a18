"""``tf.contrib.metrics``: the ``streaming_*`` metrics and ``aggregate_metric_map``."""

from tf_pipeline.compat.streaming_metrics import *  # noqa: F403 - this module is that namespace
from tf_pipeline.compat.streaming_metrics import __all__  # noqa: F401

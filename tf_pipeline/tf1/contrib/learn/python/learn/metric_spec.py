"""``tensorflow.contrib.learn.python.learn.metric_spec`` (see :mod:`estimators.metric_spec`)."""

from tf_pipeline.estimators.metric_spec import MetricSpec

__all__ = ["MetricSpec"]

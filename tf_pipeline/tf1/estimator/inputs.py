"""``tf.estimator.inputs``: ``numpy_input_fn`` and ``pandas_input_fn`` (TF 1.x queues)."""

from tf_pipeline.estimators.tf_estimator.inputs import numpy_input_fn, pandas_input_fn

__all__ = ["numpy_input_fn", "pandas_input_fn"]

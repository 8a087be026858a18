"""``tf.estimator.export``: serving input receivers and export outputs (TF 2.15 names)."""

from tf_pipeline.estimators.tf_estimator import export as _export
from tf_pipeline.estimators.tf_estimator.export import *  # noqa: F403 - the same public names

__all__ = list(_export.__all__)

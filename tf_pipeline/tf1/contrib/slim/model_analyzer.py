"""``slim.model_analyzer``: ``analyze_vars`` and ``analyze_ops``."""

from tf_pipeline.compat.model_analyzer import analyze_ops, analyze_vars, tensor_description

__all__ = ["analyze_ops", "analyze_vars", "tensor_description"]

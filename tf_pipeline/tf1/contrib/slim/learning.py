"""``slim.learning``: ``create_train_op`` and its gradient helpers."""

from tf_pipeline.compat.slim_learning import (
    clip_gradient_norms,
    create_train_op,
    multiply_gradients,
)

__all__ = ["clip_gradient_norms", "create_train_op", "multiply_gradients"]

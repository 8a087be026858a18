"""``tf.contrib.slim``: slim's layers, ``arg_scope``, variables, losses, learning, analyzer.

``import tf_pipeline.tf1.contrib.slim as slim`` (or ``from tf_pipeline.tf1.contrib
import slim``, or ``tf.contrib.slim``) gives the names TF 1.x slim code uses:
``slim.conv2d``, ``slim.fully_connected``, ``slim.arg_scope``, ``slim.get_model_variables``,
``slim.losses.softmax_cross_entropy``, ``slim.learning.create_train_op``,
``slim.model_analyzer.analyze_vars``...
"""

from tf_pipeline.compat import arg_scope as _arg_scope
from tf_pipeline.compat import variables as _variables
from tf_pipeline.compat.arg_scope import *  # noqa: F403 - slim exported framework's helpers
from tf_pipeline.compat.variables import *  # noqa: F403
from tf_pipeline.tf1.contrib import metrics
from tf_pipeline.tf1.contrib.layers import *  # noqa: F403 - slim re-exported contrib.layers
from tf_pipeline.tf1.contrib.layers import __all__ as _layers_all
from tf_pipeline.tf1.contrib.slim import learning, losses, model_analyzer

__all__ = [
    *_layers_all,
    *_arg_scope.__all__,
    *_variables.__all__,
    "learning",
    "losses",
    "metrics",
    "model_analyzer",
]

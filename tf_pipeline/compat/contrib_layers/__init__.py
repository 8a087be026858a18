"""``tf.contrib.layers`` beyond ``fully_connected``: the TF 1.x layer functions on public API.

Every layer here is decorated with :func:`tf_pipeline.compat.arg_scope.add_arg_scope`,
creates its variables with ``tf.compat.v1.get_variable`` as *model variables*
(``GLOBAL_VARIABLES`` and ``MODEL_VARIABLES``) under TF1's scope names, and accepts
``scope=``, ``reuse=``, ``variables_collections=`` and ``outputs_collections=`` as
contrib did. Build them inside a ``tf.Graph``.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.arg_scope import arg_scope
>>> from tf_pipeline.compat.contrib_layers import batch_norm, conv2d, flatten, fully_connected
>>> with tf.Graph().as_default():
...     with arg_scope([conv2d, fully_connected], normalizer_fn=batch_norm):
...         net = conv2d(tf.zeros([2, 4, 4, 1]), 2, [3, 3], scope="conv")
...         net = fully_connected(flatten(net), 1, activation_fn=None, scope="out")
...     sorted(v.op.name for v in tf.compat.v1.trainable_variables())
['conv/BatchNorm/beta', 'conv/weights', 'out/BatchNorm/beta', 'out/weights']
"""

from tf_pipeline.compat.contrib_layers.convolutional import (
    conv1d,
    conv2d,
    conv2d_transpose,
    conv3d,
    convolution,
    convolution1d,
    convolution2d,
    convolution2d_transpose,
    convolution3d,
    separable_conv2d,
    separable_convolution2d,
)
from tf_pipeline.compat.contrib_layers.core import (
    avg_pool2d,
    bias_add,
    dropout,
    elu,
    embed_sequence,
    flatten,
    fully_connected,
    linear,
    max_pool2d,
    one_hot_encoding,
    relu,
    relu6,
    repeat,
    softmax,
    stack,
)
from tf_pipeline.compat.contrib_layers.normalization import batch_norm, layer_norm

__all__ = [
    "avg_pool2d",
    "batch_norm",
    "bias_add",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "convolution",
    "convolution1d",
    "convolution2d",
    "convolution3d",
    "convolution2d_transpose",
    "dropout",
    "elu",
    "embed_sequence",
    "flatten",
    "fully_connected",
    "layer_norm",
    "linear",
    "max_pool2d",
    "one_hot_encoding",
    "relu",
    "relu6",
    "repeat",
    "separable_conv2d",
    "separable_convolution2d",
    "softmax",
    "stack",
]

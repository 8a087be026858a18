"""tf.contrib.layers beyond fully_connected: convolutions, pooling, normalisation, dropout,
regularizers, initializers, embeddings, repeat/stack and arg_scope (tf_slim on TF 2.15)."""

import numpy as np

# TF 1.15's contrib/layers/python/layers/encoders.py, which tf_slim did not keep: the
# reference side runs this original source on TF 2.15 (tf_slim's model_variable).
_EMBED_SEQUENCE_TF115 = """
def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False,
                   initializer=None, regularizer=None, trainable=True, scope=None,
                   reuse=None):
  if not (reuse or (vocab_size and embed_dim)):
    raise ValueError('Must specify vocab size and embedding dimension when not '
                     'reusing. Got vocab_size=%s and embed_dim=%s' % (
                         vocab_size, embed_dim))
  with variable_scope.variable_scope(
      scope, 'EmbedSequence', [ids], reuse=reuse):
    shape = [vocab_size, embed_dim]
    if reuse and vocab_size is None or embed_dim is None:
      shape = None
    embeddings = variables.model_variable(
        'embeddings', shape=shape,
        initializer=initializer, regularizer=regularizer,
        trainable=trainable)
    if unique:
      return contrib_embedding_ops.embedding_lookup_unique(embeddings, ids)
    return embedding_ops.embedding_lookup(embeddings, ids)
"""


def _tf_slim_on_tf215():
    """Two lookups tf_slim 1.1.0 fails on TF 2.15 (reference side only, no maths changed).

    - TF 2.15's ``tensorflow/python/layers/normalization.py`` loads batch_norm's layer
      class lazily from ``tf_keras.legacy_tf_layers.normalization``; the reference venv
      has Keras 2.15, whose ``keras.src.legacy_tf_layers.normalization`` is that module.
    - ``tf_slim.layers.utils.constant_value`` (fused batch_norm, smart_cond) reads
      ``ops.Tensor`` (learning.py: ``ops.IndexedSlices``) and calls
      ``control_flow_ops.cond``, which TF 2.15 moved to ``framework.tensor``,
      ``framework.indexed_slices`` and ``ops.cond``.
    """
    import importlib
    import sys

    from tensorflow.python.framework import indexed_slices, ops, tensor
    from tensorflow.python.ops import cond, control_flow_ops

    if not hasattr(ops, "Tensor"):
        ops.Tensor = tensor.Tensor
    if not hasattr(ops, "IndexedSlices"):
        ops.IndexedSlices = indexed_slices.IndexedSlices
    if not hasattr(control_flow_ops, "cond"):
        control_flow_ops.cond = cond.cond

    name = "tf_keras.legacy_tf_layers.normalization"
    if name not in sys.modules:
        try:
            importlib.import_module(name)
        except ImportError:
            sys.modules[name] = importlib.import_module("keras.src.legacy_tf_layers.normalization")


def reference_contrib(tf, tf_slim):
    import types

    _tf_slim_on_tf215()

    namespace = {
        "variable_scope": types.SimpleNamespace(variable_scope=tf.variable_scope),
        "variables": types.SimpleNamespace(model_variable=tf_slim.model_variable),
        "embedding_ops": types.SimpleNamespace(embedding_lookup=tf.nn.embedding_lookup),
    }
    exec(_EMBED_SEQUENCE_TF115, namespace)
    names = [
        "avg_pool2d",
        "batch_norm",
        "conv2d",
        "conv2d_transpose",
        "conv1d",
        "conv3d",
        "bias_add",
        "softmax",
        "linear",
        "relu",
        "relu6",
        "elu",
        "convolution",
        "convolution2d",
        "dropout",
        "flatten",
        "fully_connected",
        "layer_norm",
        "max_pool2d",
        "one_hot_encoding",
        "repeat",
        "separable_conv2d",
        "stack",
        "l1_regularizer",
        "l2_regularizer",
        "l1_l2_regularizer",
        "sum_regularizer",
        "apply_regularization",
        "variance_scaling_initializer",
        "xavier_initializer",
    ]
    contrib_layers = {name: getattr(tf_slim, name) for name in names}
    contrib_layers["embed_sequence"] = namespace["embed_sequence"]
    return {
        "layers": contrib_layers,
        "framework": {"arg_scope": tf_slim.arg_scope, "add_arg_scope": tf_slim.add_arg_scope},
    }


def _images(rng, shape=(2, 6, 6, 3)):
    return rng.randn(*shape).astype(np.float32)


def _with_update_ops(tf, loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.GradientDescentOptimizer(0.05).minimize(loss)


def conv_pool_regularized(tf):
    rng = np.random.RandomState(1)
    layers = tf.contrib.layers
    x = tf.placeholder(tf.float32, [None, 6, 6, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    net = layers.conv2d(x, 4, [3, 3], weights_regularizer=layers.l2_regularizer(0.01))
    net = layers.max_pool2d(net, [2, 2])
    net = layers.conv2d(
        net,
        3,
        2,
        stride=2,
        padding="VALID",
        activation_fn=tf.nn.tanh,
        weights_regularizer=layers.l1_regularizer(0.02),
        biases_regularizer=layers.l1_l2_regularizer(0.01, 0.03),
    )
    up = layers.conv2d_transpose(net, 2, [3, 3], stride=2, scope="up")
    up_valid = layers.conv2d_transpose(net, 2, 2, stride=2, padding="VALID", activation_fn=None)
    pooled = layers.avg_pool2d(up, [2, 2], stride=1, padding="SAME")
    flat = layers.flatten(pooled)
    prediction = layers.fully_connected(flat, 1, activation_fn=None)
    weights = [v for v in tf.trainable_variables() if v.op.name.endswith("weights")]
    penalty = layers.apply_regularization(
        layers.sum_regularizer([layers.l1_regularizer(0.001), layers.l2_regularizer(0.002)]),
        weights,
    )
    loss = tf.reduce_mean(tf.square(prediction - y)) + tf.losses.get_regularization_loss()
    return {
        "feed": {x: _images(rng), y: rng.randn(2, 1).astype(np.float32)},
        "outputs": {
            "net": net,
            "up": up,
            "up_valid": up_valid,
            "flat": flat,
            "penalty": penalty,
            "prediction": prediction,
        },
        "loss": loss,
    }


def batch_norm_update_ops(tf):
    rng = np.random.RandomState(2)
    layers = tf.contrib.layers
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    params = {"is_training": True, "decay": 0.9, "scale": True}
    net = layers.conv2d(x, 3, [3, 3], normalizer_fn=layers.batch_norm, normalizer_params=params)
    net = layers.flatten(net)
    net = layers.fully_connected(net, 5, normalizer_fn=layers.batch_norm, normalizer_params=params)
    prediction = layers.fully_connected(net, 1, activation_fn=None)
    loss = tf.reduce_mean(tf.square(prediction - y))
    return {
        "feed": {
            x: rng.randn(4, 4, 4, 2).astype(np.float32),
            y: rng.randn(4, 1).astype(np.float32),
        },
        "outputs": {"net": net, "prediction": prediction},
        "loss": loss,
        "train_op": _with_update_ops(tf, loss),
    }


def batch_norm_in_place_and_tensor_flag(tf):
    rng = np.random.RandomState(3)
    layers = tf.contrib.layers
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    training = tf.placeholder_with_default(True, [])
    a = layers.batch_norm(
        x, decay=0.8, updates_collections=None, is_training=training, scope="in_place4"
    )
    flat = tf.reshape(x, [-1, 18])
    b = layers.batch_norm(
        flat, decay=0.8, center=False, scale=True, updates_collections=None, scope="in_place2"
    )
    c = layers.batch_norm(x, decay=0.7, is_training=training, scale=True, scope="tensor4")
    d = layers.batch_norm(flat, decay=0.7, is_training=training, scope="tensor2")
    e = layers.batch_norm(x, fused=False, decay=0.6, scope="unfused4")
    seq = tf.reshape(x, [-1, 3, 6])
    f = layers.batch_norm(seq, decay=0.6, scale=True, scope="rank3")
    g = layers.batch_norm(x, decay=0.6, fused=False, updates_collections=None, scope="moments4")
    h = layers.batch_norm(x, decay=0.9, zero_debias_moving_mean=True, scope="debiased4")
    i = layers.batch_norm(
        flat,
        decay=0.9,
        zero_debias_moving_mean=True,
        fused=False,
        batch_weights=tf.constant([1.0, 2.0, 0.5, 1.0, 1.0]),
        updates_collections=None,
        scope="weighted2",
    )
    outputs = {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h, "i": i}
    loss = sum(tf.reduce_mean(tf.square(t - 0.5)) for t in outputs.values())
    return {
        "feed": {x: rng.randn(5, 3, 3, 2).astype(np.float32) * 2 + 1},
        "outputs": outputs,
        "loss": loss,
        "train_op": _with_update_ops(tf, loss),
    }


def batch_norm_inference(tf):
    rng = np.random.RandomState(4)
    layers = tf.contrib.layers
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    init = {
        "moving_mean": tf.constant_initializer(0.3),
        "moving_variance": tf.constant_initializer(1.7),
    }
    a = layers.batch_norm(
        x, is_training=False, scale=True, param_initializers=init, activation_fn=tf.nn.relu
    )
    b = layers.batch_norm(tf.reshape(x, [-1, 18]), is_training=False, param_initializers=init)
    c = layers.batch_norm(x, is_training=False, fused=False, param_initializers=init)
    loss = tf.reduce_mean(tf.square(a)) + tf.reduce_mean(b) + tf.reduce_mean(tf.square(c))
    return {
        "feed": {x: rng.randn(3, 3, 3, 2).astype(np.float32)},
        "outputs": {"a": a, "b": b, "c": c},
        "loss": loss,
    }


def layer_norm_axes(tf):
    rng = np.random.RandomState(5)
    layers = tf.contrib.layers
    x = tf.placeholder(tf.float32, [None, 3, 4])
    a = layers.layer_norm(x)
    b = layers.layer_norm(x, begin_norm_axis=-1, begin_params_axis=-1, activation_fn=tf.nn.relu)
    c = layers.layer_norm(x, begin_norm_axis=1, begin_params_axis=1, center=False)
    loss = tf.reduce_mean(tf.square(a - 1)) + tf.reduce_mean(b) + tf.reduce_mean(c * c)
    return {
        "feed": {x: rng.randn(2, 3, 4).astype(np.float32)},
        "outputs": {"a": a, "b": b, "c": c},
        "loss": loss,
    }


def dropout_seeded(tf):
    rng = np.random.RandomState(6)
    layers = tf.contrib.layers
    x = tf.placeholder(tf.float32, [None, 10])
    training = tf.placeholder_with_default(True, [])
    hidden = layers.fully_connected(x, 8)
    dropped = layers.dropout(hidden, keep_prob=0.7, seed=3)
    off = layers.dropout(hidden, keep_prob=0.7, is_training=False, seed=4)
    flagged = layers.dropout(hidden, keep_prob=0.5, is_training=training, seed=5)
    prediction = layers.fully_connected(dropped, 1, activation_fn=None)
    loss = tf.reduce_mean(tf.square(prediction)) + tf.reduce_mean(flagged)
    return {
        "feed": {x: rng.randn(4, 10).astype(np.float32)},
        "outputs": {"dropped": dropped, "off": off, "flagged": flagged},
        "loss": loss,
    }


def embeddings_stacks_arg_scope(tf):
    rng = np.random.RandomState(7)
    layers = tf.contrib.layers
    ids = tf.placeholder(tf.int32, [None, 5])
    labels = tf.placeholder(tf.int32, [None])
    images = tf.placeholder(tf.float32, [None, 5, 5, 2])
    embedded = layers.embed_sequence(ids, vocab_size=7, embed_dim=3)
    onehot = layers.one_hot_encoding(labels, 4)
    with tf.contrib.framework.arg_scope(
        [layers.conv2d, layers.separable_conv2d], padding="VALID", activation_fn=tf.nn.elu
    ):
        with tf.contrib.framework.arg_scope([layers.conv2d], stride=1):
            net = layers.repeat(images, 2, layers.conv2d, 3, [2, 2], scope="conv")
        sep = layers.separable_conv2d(net, 4, [2, 2], depth_multiplier=2)
        depthwise = layers.separable_conv2d(net, None, [2, 2], scope="depthwise")
    with tf.contrib.framework.arg_scope([layers.fully_connected], activation_fn=tf.nn.tanh):
        stacked = layers.stack(tf.reshape(embedded, [-1, 15]), layers.fully_connected, [6, 5, 4])
        named = layers.stack(layers.flatten(sep), layers.fully_connected, [(4,), (4,)], scope="fc")
    logits = stacked + named + tf.reduce_mean(depthwise)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits))
    return {
        "feed": {
            ids: rng.randint(0, 7, (3, 5)),
            labels: rng.randint(0, 4, 3),
            images: rng.randn(3, 5, 5, 2).astype(np.float32),
        },
        "outputs": {
            "embedded": embedded,
            "onehot": onehot,
            "sep": sep,
            "depthwise": depthwise,
            "logits": logits,
        },
        "loss": loss,
    }


def initializers_seeded(tf):
    layers = tf.contrib.layers
    outputs = {}
    for i, (factor, mode, uniform) in enumerate(
        [
            (2.0, "FAN_IN", False),
            (1.0, "FAN_OUT", True),
            (1.5, "FAN_AVG", False),
            (2.0, "FAN_IN", True),
        ]
    ):
        init = layers.variance_scaling_initializer(factor, mode, uniform, seed=10 + i)
        outputs[f"vs_{mode}_{uniform}"] = init([3, 3, 4, 5])
    outputs["vs_default"] = layers.variance_scaling_initializer(seed=20)([6, 7])
    outputs["xavier_uniform"] = layers.xavier_initializer(seed=21)([6, 7])
    outputs["xavier_normal"] = layers.xavier_initializer(uniform=False, seed=22)([2, 2, 3, 4])
    w = tf.get_variable("w", [5, 4], initializer=layers.variance_scaling_initializer(seed=23))
    outputs["vector"] = layers.xavier_initializer(seed=24)([9])
    loss = tf.reduce_sum(tf.square(w))
    return {"outputs": outputs, "loss": loss, "steps": 5}


def conv1d_conv3d_bias_softmax_shorthands(tf):
    rng = np.random.RandomState(8)
    layers = tf.contrib.layers
    seq = tf.placeholder(tf.float32, [None, 7, 2])
    vol = tf.placeholder(tf.float32, [None, 3, 4, 4, 1])
    a = layers.conv1d(seq, 3, 3, stride=2, activation_fn=tf.nn.sigmoid)
    b = layers.conv1d(seq, 2, [2], padding="VALID", rate=2, scope="dilated")
    c = layers.conv3d(vol, 2, [2, 3, 3], stride=[1, 2, 2])
    d = layers.bias_add(
        tf.reshape(c, [-1, 3, 2, 4]),
        activation_fn=tf.nn.tanh,
        initializer=tf.constant_initializer(0.1),
    )
    flat = tf.concat([layers.flatten(a), layers.flatten(b), layers.flatten(d)], 1)
    hidden = layers.elu(layers.relu6(layers.relu(flat, 6), 5), 4)
    logits = layers.linear(hidden, 3)
    probabilities = layers.softmax(tf.reshape(logits, [-1, 1, 3]))
    loss = -tf.reduce_mean(tf.log(probabilities[:, :, 0]))
    return {
        "feed": {
            seq: rng.randn(2, 7, 2).astype(np.float32),
            vol: rng.randn(2, 3, 4, 4, 1).astype(np.float32),
        },
        "outputs": {
            "a": a,
            "b": b,
            "c": c,
            "d": d,
            "hidden": hidden,
            "probabilities": probabilities,
        },
        "loss": loss,
    }


CASES = {
    "conv1d_conv3d_bias_softmax_shorthands": conv1d_conv3d_bias_softmax_shorthands,
    "conv_pool_regularized": conv_pool_regularized,
    "batch_norm_update_ops": batch_norm_update_ops,
    "batch_norm_in_place_and_tensor_flag": batch_norm_in_place_and_tensor_flag,
    "batch_norm_inference": batch_norm_inference,
    "layer_norm_axes": layer_norm_axes,
    "dropout_seeded": dropout_seeded,
    "embeddings_stacks_arg_scope": embeddings_stacks_arg_scope,
    "initializers_seeded": initializers_seeded,
}

"""TF1's ``tf.layers``: every function and class, forward, gradients and 100 steps.

Real TF 2.15 runs these with ``tf.compat.v1.layers``; our suite with
``tf_pipeline.tf1.layers``. Variable names and shapes must match (the checkpoint is
restored by name). channels_first is covered for every layer kind (TF 2.15's CPU
kernels accept all of them).
"""

import numpy as np


def _rng(seed=0):
    return np.random.RandomState(seed)


def _mse(tf, prediction, target):
    return tf.reduce_mean(tf.square(prediction - target))


def _train_op(tf, loss, optimizer=None):
    """Minimize after the loss and UPDATE_OPS ran (the usual TF1 batch-norm recipe).

    Depending on ``loss`` keeps the recorded loss free of a race: without it, a forward
    op the gradients do not need (a regularizer's ``l2_loss``) may read a variable
    after the update of the same step.
    """
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies([loss, *update_ops]):
        return (optimizer or tf.train.GradientDescentOptimizer(0.05)).minimize(loss)


def dense_mlp(tf):
    rng = _rng(0)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    h = tf.layers.dense(
        x,
        6,
        activation=tf.nn.relu,
        kernel_regularizer=lambda w: 0.01 * tf.reduce_sum(tf.square(w)),
        bias_initializer=tf.constant_initializer(0.1),
        name="hidden",
    )
    h2 = tf.layers.dense(h, 5, activation=tf.tanh, activity_regularizer=tf.reduce_sum)
    prediction = tf.layers.dense(h2, 1, use_bias=False)
    # Same variables again through reuse=True on the name.
    shared = tf.layers.dense(2.0 * x, 6, activation=tf.nn.relu, name="hidden", reuse=True)
    regularization = tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
    loss = _mse(tf, prediction, y) + regularization
    return {
        "feed": {x: rng.randn(8, 4).astype(np.float32), y: rng.randn(8, 1).astype(np.float32)},
        "outputs": {"prediction": prediction, "shared": shared, "regularization": regularization},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def dense_object_api(tf):
    rng = _rng(1)
    x = tf.placeholder(tf.float32, [None, 3, 4])
    y = tf.placeholder(tf.float32, [None, 3, 2])
    layer = tf.layers.Dense(2, activation=tf.nn.sigmoid)
    first = layer(x)
    second = layer.apply(x * 0.5)
    frozen = tf.layers.Dense(2, trainable=False, name="frozen")
    third = frozen(x)
    loss = _mse(tf, first + second + third, y)
    return {
        "feed": {
            x: rng.randn(5, 3, 4).astype(np.float32),
            y: rng.randn(5, 3, 2).astype(np.float32),
        },
        "outputs": {"first": first, "second": second, "third": third, "kernel": layer.kernel},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def dense_float64_variable_scope(tf):
    rng = _rng(2)
    x = tf.placeholder(tf.float64, [None, 3])
    with tf.variable_scope("model", initializer=tf.constant_initializer(0.3)):
        a = tf.layers.dense(x, 2)
    with tf.variable_scope("model", reuse=True):
        b = tf.layers.dense(x * 2.0, 2)
    with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
        c = tf.layers.dense(x, 2, name="out")
        d = tf.layers.dense(x + 1.0, 2, name="out")
    loss = tf.reduce_sum(tf.square(a + b + c + d))
    return {
        "feed": {x: rng.randn(4, 3)},
        "outputs": {"a": a, "b": b, "c": c, "d": d},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def dropout_seeded(tf):
    rng = _rng(3)
    x = tf.placeholder(tf.float32, [None, 6])
    is_training = tf.placeholder(tf.bool, [])
    h = tf.layers.dense(x, 8, activation=tf.nn.relu)
    on = tf.layers.dropout(h, rate=0.4, training=True, seed=11)
    off = tf.layers.dropout(h, rate=0.4, training=False, seed=11)
    by_tensor = tf.layers.Dropout(0.25, seed=5)(h, training=is_training)
    shaped = tf.layers.dropout(h, 0.5, noise_shape=[None, 1], seed=3, training=True)
    prediction = tf.layers.dense(on + by_tensor + shaped, 1)
    loss = tf.reduce_mean(tf.square(prediction))
    return {
        "feed": {x: rng.randn(4, 6).astype(np.float32), is_training: True},
        "outputs": {"on": on, "off": off, "by_tensor": by_tensor, "shaped": shaped},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def conv1d_and_pooling1d(tf):
    rng = _rng(4)
    x = tf.placeholder(tf.float32, [None, 10, 3])
    a = tf.layers.conv1d(x, 4, 3, padding="causal", dilation_rate=2, activation=tf.nn.relu)
    b = tf.layers.conv1d(a, 4, 2, strides=2, padding="same")
    c = tf.layers.max_pooling1d(b, 2, 1)
    d = tf.layers.average_pooling1d(a, 3, 2, padding="same")
    first = tf.layers.Conv1D(2, 3, data_format="channels_first")(tf.transpose(x, [0, 2, 1]))
    pooled = tf.layers.MaxPooling1D(2, 2, data_format="channels_first")(first)
    averaged = tf.layers.AveragePooling1D(2, 1)(d)
    loss = (
        tf.reduce_mean(tf.square(c)) + tf.reduce_mean(tf.square(pooled)) + tf.reduce_mean(averaged)
    )
    return {
        "feed": {x: rng.randn(2, 10, 3).astype(np.float32)},
        "outputs": {"c": c, "d": d, "pooled": pooled, "averaged": averaged},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def conv2d_and_pooling2d(tf):
    rng = _rng(5)
    x = tf.placeholder(tf.float32, [None, 7, 7, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    a = tf.layers.conv2d(x, 3, 3, padding="same", activation=tf.nn.relu, name="c1")
    b = tf.layers.conv2d(a, 4, (2, 3), strides=(2, 1), use_bias=False)
    c = tf.layers.conv2d(a, 2, 2, dilation_rate=2, kernel_regularizer=tf.nn.l2_loss)
    pooled = tf.layers.max_pooling2d(b, 2, 1, padding="same")
    averaged = tf.layers.average_pooling2d(c, (2, 2), (2, 2))
    flat = tf.concat([tf.layers.flatten(pooled), tf.layers.Flatten()(averaged)], axis=1)
    prediction = tf.layers.dense(flat, 1)
    loss = _mse(tf, prediction, y) + 0.01 * tf.losses.get_regularization_loss()
    return {
        "feed": {
            x: rng.randn(3, 7, 7, 2).astype(np.float32),
            y: rng.randn(3, 1).astype(np.float32),
        },
        "outputs": {"a": a, "pooled": pooled, "averaged": averaged, "prediction": prediction},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def conv2d_channels_first(tf):
    rng = _rng(6)
    x = tf.placeholder(tf.float32, [None, 2, 6, 6])
    conv = tf.layers.Conv2D(3, 3, data_format="channels_first", activation=tf.nn.elu)
    a = conv(x)
    again = conv(x * 0.5)
    pooled = tf.layers.MaxPooling2D(2, 2, data_format="channels_first")(a)
    averaged = tf.layers.AveragePooling2D(2, 1, "same", "channels_first")(again)
    flat = tf.layers.flatten(pooled, data_format="channels_first")
    loss = tf.reduce_mean(tf.square(flat)) + tf.reduce_mean(averaged)
    return {
        "feed": {x: rng.randn(2, 2, 6, 6).astype(np.float32)},
        "outputs": {"a": a, "pooled": pooled, "averaged": averaged, "flat": flat},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def conv3d_and_pooling3d(tf):
    rng = _rng(7)
    x = tf.placeholder(tf.float32, [None, 5, 5, 5, 2])
    a = tf.layers.conv3d(x, 3, 2, activation=tf.nn.relu)
    b = tf.layers.Conv3D(2, (1, 2, 2), padding="same", strides=(1, 2, 2))(a)
    pooled = tf.layers.max_pooling3d(a, 2, 2)
    averaged = tf.layers.AveragePooling3D(2, 1, padding="same")(b)
    nchw = tf.transpose(x, [0, 4, 1, 2, 3])
    first = tf.layers.conv3d(nchw, 2, 3, data_format="channels_first")
    first_pooled = tf.layers.MaxPooling3D(2, 1, data_format="channels_first")(first)
    first_avg = tf.layers.average_pooling3d(first, 2, 1, data_format="channels_first")
    loss = (
        tf.reduce_mean(tf.square(pooled))
        + tf.reduce_mean(averaged)
        + tf.reduce_mean(tf.square(first_pooled + first_avg))
    )
    return {
        "feed": {x: rng.randn(2, 5, 5, 5, 2).astype(np.float32)},
        "outputs": {"pooled": pooled, "averaged": averaged, "first_pooled": first_pooled},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def separable_convs(tf):
    rng = _rng(8)
    x1 = tf.placeholder(tf.float32, [None, 9, 3])
    x2 = tf.placeholder(tf.float32, [None, 6, 6, 2])
    a = tf.layers.separable_conv1d(x1, 4, 3, depth_multiplier=2, activation=tf.nn.relu)
    b = tf.layers.SeparableConv1D(2, 2, strides=2, padding="same")(a)
    c = tf.layers.separable_conv2d(x2, 3, 3, padding="same", dilation_rate=2)
    d = tf.layers.SeparableConv2D(2, 2, strides=2, depth_multiplier=3, use_bias=False)(c)
    first1 = tf.layers.separable_conv1d(
        tf.transpose(x1, [0, 2, 1]), 2, 2, data_format="channels_first"
    )
    first2 = tf.layers.separable_conv2d(
        tf.transpose(x2, [0, 3, 1, 2]), 2, 3, data_format="channels_first"
    )
    loss = sum(tf.reduce_mean(tf.square(t)) for t in (b, d, first1, first2))
    return {
        "feed": {
            x1: rng.randn(2, 9, 3).astype(np.float32),
            x2: rng.randn(2, 6, 6, 2).astype(np.float32),
        },
        "outputs": {"b": b, "d": d, "first1": first1, "first2": first2},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def transposed_convs(tf):
    rng = _rng(9)
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    v = tf.placeholder(tf.float32, [None, 2, 3, 2, 2])
    a = tf.layers.conv2d_transpose(x, 3, 3, strides=2, activation=tf.nn.relu)
    b = tf.layers.Conv2DTranspose(2, 2, strides=(2, 1), padding="same")(a)
    c = tf.layers.conv2d_transpose(
        tf.transpose(x, [0, 3, 1, 2]), 2, 2, strides=2, data_format="channels_first"
    )
    d = tf.layers.conv3d_transpose(v, 2, 2, strides=2, padding="same")
    e = tf.layers.Conv3DTranspose(1, (1, 2, 2), data_format="channels_first")(
        tf.transpose(v, [0, 4, 1, 2, 3])
    )
    loss = sum(tf.reduce_mean(tf.square(t)) for t in (b, c, d, e))
    return {
        "feed": {
            x: rng.randn(2, 3, 3, 2).astype(np.float32),
            v: rng.randn(2, 2, 3, 2, 2).astype(np.float32),
        },
        "outputs": {"a": a, "b": b, "c": c, "d": d, "e": e},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def batch_norm_fused_training(tf):
    rng = _rng(10)
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    h = tf.layers.conv2d(x, 3, 2)
    h = tf.layers.batch_normalization(h, training=True, momentum=0.9)
    h = tf.nn.relu(h)
    # axis=1 on NCHW (fused, NCHW kernel), without beta/gamma.
    nchw = tf.layers.batch_normalization(
        tf.transpose(h, [0, 3, 1, 2]), axis=1, center=False, scale=False, training=True
    )
    prediction = tf.layers.dense(tf.layers.flatten(nchw), 1)
    loss = _mse(tf, prediction, y)
    return {
        "feed": {
            x: rng.randn(6, 4, 4, 2).astype(np.float32),
            y: rng.randn(6, 1).astype(np.float32),
        },
        "outputs": {"h": h, "nchw": nchw, "prediction": prediction},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def batch_norm_tensor_training(tf):
    rng = _rng(11)
    x = tf.placeholder(tf.float32, [None, 5])
    y = tf.placeholder(tf.float32, [None, 1])
    training = tf.placeholder_with_default(True, [])
    h = tf.layers.dense(x, 4)
    bn = tf.layers.BatchNormalization(momentum=0.8, epsilon=1e-2)
    normalised = bn(h, training=training)
    inference = bn(h, training=False)
    conv_in = tf.reshape(tf.tile(h, [1, 4]), [-1, 2, 2, 4])
    fused = tf.layers.batch_normalization(conv_in, training=training, name="fused_bn")
    unfused = tf.layers.batch_normalization(conv_in, training=training, fused=False, axis=1)
    prediction = tf.layers.dense(
        tf.concat([normalised, tf.layers.flatten(fused + unfused)], axis=1), 1
    )
    loss = _mse(tf, prediction, y)
    return {
        "feed": {x: rng.randn(6, 5).astype(np.float32), y: rng.randn(6, 1).astype(np.float32)},
        "outputs": {
            "normalised": normalised,
            "inference": inference,
            "fused": fused,
            "unfused": unfused,
            "updates": len(bn.updates) * tf.ones([]),
        },
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def batch_norm_inference(tf):
    rng = _rng(12)
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    mean_init = tf.constant_initializer([0.5, -0.25])
    variance_init = tf.constant_initializer([2.0, 0.5])
    fused = tf.layers.batch_normalization(
        x,
        moving_mean_initializer=mean_init,
        moving_variance_initializer=variance_init,
        gamma_initializer=tf.constant_initializer(1.5),
    )
    flat = tf.layers.batch_normalization(
        tf.reshape(x, [-1, 2]),
        training=False,
        moving_mean_initializer=mean_init,
        moving_variance_initializer=variance_init,
        beta_regularizer=tf.nn.l2_loss,
    )
    loss = tf.reduce_mean(tf.square(fused)) + tf.reduce_mean(tf.square(flat))
    loss += tf.losses.get_regularization_loss()
    return {
        "feed": {x: rng.randn(2, 3, 3, 2).astype(np.float32)},
        "outputs": {
            "fused": fused,
            "flat": flat,
            "updates": len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) * tf.ones([]),
        },
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def batch_norm_multi_axis_5d(tf):
    rng = _rng(13)
    x = tf.placeholder(tf.float32, [None, 2, 3, 2, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    five = tf.layers.batch_normalization(x, training=True)  # fused NDHWC
    axis2 = tf.layers.batch_normalization(x, axis=2, training=True)  # rank 5: not fused
    multi = tf.layers.batch_normalization(x, axis=[1, 4], training=True)
    prediction = tf.layers.dense(tf.layers.flatten(five + axis2 + multi), 1)
    loss = _mse(tf, prediction, y)
    return {
        "feed": {
            x: rng.randn(3, 2, 3, 2, 2).astype(np.float32),
            y: rng.randn(3, 1).astype(np.float32),
        },
        "outputs": {"five": five, "axis2": axis2, "multi": multi},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def batch_norm_renorm(tf):
    rng = _rng(15)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    training = tf.placeholder_with_default(True, [])
    h = tf.layers.dense(x, 3)
    plain = tf.layers.batch_normalization(h, renorm=True, renorm_momentum=0.9, training=True)
    clipped = tf.layers.BatchNormalization(
        renorm=True,
        renorm_clipping={"rmin": 0.8, "rmax": 1.25, "dmax": 0.5},
        momentum=0.9,
        center=False,
    )
    by_tensor = clipped(h, training=training)
    inference = clipped(h, training=False)
    conv = tf.layers.batch_normalization(
        tf.reshape(tf.tile(h, [1, 4]), [-1, 2, 2, 3]), renorm=True, training=True
    )
    prediction = tf.layers.dense(tf.concat([plain, by_tensor, tf.layers.flatten(conv)], axis=1), 1)
    loss = _mse(tf, prediction, y)
    return {
        "feed": {x: rng.randn(6, 4).astype(np.float32), y: rng.randn(6, 1).astype(np.float32)},
        "outputs": {"plain": plain, "by_tensor": by_tensor, "inference": inference, "conv": conv},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def batch_norm_virtual_batch_and_adjustment(tf):
    rng = _rng(16)
    x = tf.placeholder(tf.float32, [8, 3])
    y = tf.placeholder(tf.float32, [8, 1])
    training = tf.placeholder_with_default(True, [])
    h = tf.layers.dense(x, 4)
    ghost = tf.layers.batch_normalization(h, virtual_batch_size=2, training=True, momentum=0.9)
    ghost_tensor = tf.layers.BatchNormalization(virtual_batch_size=4, axis=[2])
    images = tf.reshape(tf.tile(h, [1, 3]), [8, 2, 3, 2])
    ghost_images = ghost_tensor(images, training=training)
    adjusted = tf.layers.batch_normalization(
        h,
        training=training,
        adjustment=lambda shape: (
            tf.random_uniform(shape[-1:], 0.9, 1.1, seed=4),
            tf.random_uniform(shape[-1:], -0.1, 0.1, seed=5),
        ),
    )
    flat = tf.concat([ghost, tf.layers.flatten(ghost_images), adjusted], axis=1)
    prediction = tf.layers.dense(flat, 1)
    loss = _mse(tf, prediction, y)
    return {
        "feed": {x: rng.randn(8, 3).astype(np.float32), y: rng.randn(8, 1).astype(np.float32)},
        "outputs": {"ghost": ghost, "ghost_images": ghost_images, "adjusted": adjusted},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def custom_layer_subclass(tf):
    """A user's own ``tf.layers.Layer`` subclass (build/call/add_variable/add_loss)."""

    class ScaleShift(tf.layers.Layer):
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

        def build(self, input_shape):
            size = int(input_shape[-1])
            self.scale = self.add_variable(
                "scale", [size], initializer=tf.ones_initializer(), regularizer=tf.nn.l2_loss
            )
            self.shift = self.add_weight("shift", [size])
            self.steps = self.add_weight(
                "steps", [], initializer=tf.zeros_initializer(), trainable=False
            )
            super().build(input_shape)

        def call(self, inputs):
            self.add_loss(self.rate * tf.reduce_sum(tf.abs(self.shift)))
            return inputs * self.scale + self.shift

    rng = _rng(17)
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 3])
    layer = ScaleShift(0.01)
    first = layer(x)
    second = layer(tf.layers.dense(x, 3))
    loss = _mse(tf, first + second, y) + tf.losses.get_regularization_loss()
    return {
        "feed": {x: rng.randn(5, 3).astype(np.float32), y: rng.randn(5, 3).astype(np.float32)},
        "outputs": {
            "first": first,
            "second": second,
            "layer_losses": tf.add_n(layer.losses),
            "counts": tf.constant(
                [len(layer.variables), len(layer.trainable_variables), len(layer.losses)]
            ),
        },
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def keras_style_scope(tf):
    """``tf.layers.experimental.keras_style_scope``: per-object variables, no scopes."""
    rng = _rng(18)
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 2])
    with tf.layers.experimental.keras_style_scope():
        hidden = tf.layers.Dense(4, activation=tf.nn.relu, kernel_regularizer=tf.nn.l2_loss)
        out = tf.layers.Dense(2, name="out")
        first = out(hidden(x))
        second = out(hidden(x * 0.5))
        third = tf.layers.dense(x, 2)
    loss = _mse(tf, first + second + third, y) + 0.01 * tf.losses.get_regularization_loss()
    return {
        "feed": {x: rng.randn(5, 3).astype(np.float32), y: rng.randn(5, 2).astype(np.float32)},
        "outputs": {"first": first, "second": second, "third": third},
        "loss": loss,
        "train_op": _train_op(tf, loss),
    }


def cnn_program(tf):
    """A typical TF1 CNN: conv/pool/bn/dropout/dense, Adam, UPDATE_OPS, scoped twice."""
    rng = _rng(14)
    images = tf.placeholder(tf.float32, [None, 8, 8, 1])
    labels = tf.placeholder(tf.int32, [None])
    is_training = tf.placeholder(tf.bool, [])

    def network(inputs, training):
        h = tf.layers.conv2d(inputs, 4, 3, padding="same", activation=tf.nn.relu, name="conv1")
        h = tf.layers.max_pooling2d(h, 2, 2, name="pool1")
        h = tf.layers.batch_normalization(h, training=training, name="bn1")
        h = tf.layers.conv2d(h, 6, 3, activation=tf.nn.relu, name="conv2")
        h = tf.layers.average_pooling2d(h, 2, 2, name="pool2")
        h = tf.layers.flatten(h)
        h = tf.layers.dropout(h, 0.3, training=training, seed=7)
        return tf.layers.dense(h, 3, name="logits")

    with tf.variable_scope("net"):
        logits = network(images, is_training)
    with tf.variable_scope("net", reuse=True):
        eval_logits = network(images * 0.9, False)
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    )
    train_op = _train_op(tf, loss, tf.train.AdamOptimizer(0.01))
    return {
        "feed": {
            images: rng.randn(4, 8, 8, 1).astype(np.float32),
            labels: rng.randint(0, 3, size=4).astype(np.int32),
            is_training: True,
        },
        "outputs": {"logits": logits, "eval_logits": eval_logits},
        "loss": loss,
        "train_op": train_op,
    }


CASES = {
    "dense_mlp": dense_mlp,
    "dense_object_api": dense_object_api,
    "dense_float64_variable_scope": dense_float64_variable_scope,
    "dropout_seeded": dropout_seeded,
    "conv1d_and_pooling1d": conv1d_and_pooling1d,
    "conv2d_and_pooling2d": conv2d_and_pooling2d,
    "conv2d_channels_first": conv2d_channels_first,
    "conv3d_and_pooling3d": conv3d_and_pooling3d,
    "separable_convs": separable_convs,
    "transposed_convs": transposed_convs,
    "batch_norm_fused_training": batch_norm_fused_training,
    "batch_norm_tensor_training": batch_norm_tensor_training,
    "batch_norm_inference": batch_norm_inference,
    "batch_norm_multi_axis_5d": batch_norm_multi_axis_5d,
    "batch_norm_renorm": batch_norm_renorm,
    "batch_norm_virtual_batch_and_adjustment": batch_norm_virtual_batch_and_adjustment,
    "custom_layer_subclass": custom_layer_subclass,
    "keras_style_scope": keras_style_scope,
    "cnn_program": cnn_program,
}

"""tf.contrib.slim: layers under arg_scope, variables, losses, learning.create_train_op and
model_analyzer.analyze_vars (tf_slim 1.1.0 on TF 2.15)."""

import contextlib
import io

import numpy as np


def reference_contrib(tf, tf_slim):
    from golden.cases.contrib_layers import _tf_slim_on_tf215

    _tf_slim_on_tf215()
    return {"slim": tf_slim}


def _names(tf, variables):
    # One string: a string array would come back as a NumPy object array.
    return tf.constant("\n".join(sorted(v.op.name for v in variables)))


def slim_model_train_op(tf):
    rng = np.random.RandomState(11)
    slim = tf.contrib.slim
    images = tf.placeholder(tf.float32, [None, 6, 6, 2])
    labels = tf.placeholder(tf.int32, [None])
    with slim.arg_scope(
        [slim.conv2d, slim.fully_connected],
        activation_fn=tf.nn.relu,
        weights_regularizer=slim.l2_regularizer(0.001),
    ):
        with slim.arg_scope([slim.conv2d], padding="SAME") as conv_scope:
            net = slim.repeat(images, 2, slim.conv2d, 3, [3, 3], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        with slim.arg_scope(conv_scope):
            net = slim.conv2d(
                net,
                4,
                [2, 2],
                normalizer_fn=slim.batch_norm,
                normalizer_params={"decay": 0.9},
                scope="conv2",
            )
        net = slim.flatten(net)
        net = slim.stack(net, slim.fully_connected, [8, 6], scope="fc")
        net = slim.dropout(net, 0.8, seed=7, scope="dropout")
        logits = slim.fully_connected(net, 3, activation_fn=None, scope="logits")
    onehot = slim.one_hot_encoding(labels, 3)
    slim.losses.softmax_cross_entropy(logits, onehot)
    total = slim.losses.get_total_loss()
    optimizer = tf.train.MomentumOptimizer(0.05, 0.9)
    train_op = slim.learning.create_train_op(total, optimizer, clip_gradient_norm=1.0)
    return {
        "feed": {images: rng.randn(4, 6, 6, 2).astype(np.float32), labels: rng.randint(0, 3, 4)},
        "outputs": {
            "logits": logits,
            "model_variables": _names(tf, slim.get_model_variables()),
            "fc_variables": _names(tf, slim.get_variables("fc")),
            "weights": _names(tf, slim.get_model_variables(suffix="weights")),
            "to_restore": _names(tf, slim.get_variables_to_restore(exclude=["logits", "conv2"])),
            "included": _names(tf, slim.get_variables_to_restore(include=["conv1/conv1_1"])),
            "regularization": tf.add_n(slim.losses.get_regularization_losses()),
            "trainable_conv1": _names(tf, slim.get_trainable_variables("conv1")),
            "by_name": _names(tf, slim.get_variables_by_name("weights")),
            "by_suffix": _names(tf, slim.get_variables_by_suffix("moving_mean")),
            "unique": _names(tf, [slim.get_unique_variable("logits/weights")]),
        },
        "loss": total,
        "train_op": train_op,
    }


def slim_losses_and_variables(tf):
    rng = np.random.RandomState(12)
    slim = tf.contrib.slim
    x = tf.placeholder(tf.float32, [None, 3])
    target = tf.placeholder(tf.float32, [None, 2])
    w = slim.model_variable(
        "w",
        shape=[3, 2],
        initializer=tf.truncated_normal_initializer(seed=1),
        regularizer=slim.l2_regularizer(0.05),
    )
    b = slim.variable("b", shape=[2], initializer=tf.zeros_initializer())
    plain = slim.variable("extra", shape=[2], collections=["my_collection"], trainable=False)
    prediction = tf.matmul(x, w) + b
    weights = tf.constant([[1.0], [0.0], [2.0], [0.5]])
    mse = slim.losses.mean_squared_error(prediction, target, weights=weights)
    mae = slim.losses.absolute_difference(prediction, target, weights=2.0)
    sig = slim.losses.sigmoid_cross_entropy(
        prediction, tf.cast(target > 0, tf.float32), label_smoothing=0.1
    )
    soft = slim.losses.softmax_cross_entropy(
        prediction,
        tf.one_hot([0, 1, 1, 0], 2),
        weights=tf.constant([1.0, 0.0, 1.0, 1.0]),
        label_smoothing=0.2,
    )
    probabilities = tf.sigmoid(prediction)
    log = slim.losses.log_loss(
        probabilities, tf.cast(target > 0, tf.float32), weights=tf.constant([1.0, 2.0, 0.0, 1.0])
    )
    hinge = slim.losses.hinge_loss(prediction, tf.cast(target > 0, tf.float32))
    slim.losses.add_loss(tf.reduce_mean(hinge))
    unit = tf.nn.l2_normalize(prediction, 1)
    cosine = slim.losses.cosine_distance(unit, tf.nn.l2_normalize(target, 1), dim=1)
    total = slim.losses.get_total_loss()
    without = slim.losses.get_total_loss(add_regularization_losses=False, name="no_reg")
    return {
        "feed": {
            x: rng.randn(4, 3).astype(np.float32),
            target: rng.randn(4, 2).astype(np.float32),
        },
        "outputs": {
            "mse": mse,
            "log": log,
            "hinge": hinge,
            "cosine": cosine,
            "mae": mae,
            "sig": sig,
            "soft": soft,
            "without": without,
            "losses": tf.stack(slim.losses.get_losses()),
            "model_variables": _names(tf, slim.get_model_variables()),
            "mine": _names(tf, tf.get_collection("my_collection")),
            "plain_shape": tf.shape(plain),
        },
        "loss": total,
    }


def model_analyzer_text(tf):
    slim = tf.contrib.slim
    x = tf.placeholder(tf.float32, [None, 5, 5, 3])
    # Resource variables on both sides: TF1's reference variables printed `float32_ref`.
    with tf.variable_scope("net", use_resource=True):
        net = slim.conv2d(x, 4, [3, 3], normalizer_fn=slim.batch_norm, scope="conv")
        net = slim.fully_connected(slim.flatten(net), 2, scope="fc")
        slim.model_variable("counts", shape=[3, 2], dtype=tf.float64)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        sizes = slim.model_analyzer.analyze_vars(slim.get_model_variables(), print_info=True)
        trainable = slim.model_analyzer.analyze_vars(tf.trainable_variables())
    return {
        "feed": {x: np.zeros((1, 5, 5, 3), np.float32)},
        "outputs": {
            "text": tf.constant(printed.getvalue()),
            "sizes": tf.constant(list(sizes) + list(trainable), tf.int64),
            "net": net,
        },
    }


CASES = {
    "slim_model_train_op": slim_model_train_op,
    "slim_losses_and_variables": slim_losses_and_variables,
    "model_analyzer_text": model_analyzer_text,
}

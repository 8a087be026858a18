"""tf.feature_column (TF1): the dense input layer and the linear model over every column kind."""

import numpy as np

_C = np.array([[b"a"], [b"b"], [b"c"], [b"z"], [b"a"], [b"b"]])
_I = np.array([[0], [1], [2], [3], [1], [0]], np.int64)


def _inputs(tf):
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 2])
    c = tf.placeholder(tf.string, [None, 1])
    i = tf.placeholder(tf.int64, [None, 1])
    h = tf.placeholder(tf.string, [None, 1])
    y = tf.placeholder(tf.float32, [None, 2])
    feed = {
        x: rng.randn(6, 2).astype(np.float32),
        c: _C,
        i: _I,
        h: _C[::-1].copy(),
        y: rng.randn(6, 2).astype(np.float32),
    }
    return {"x": x, "c": c, "i": i, "h": h}, y, feed


def _columns(tf):
    fc = tf.feature_column
    x = fc.numeric_column("x", shape=(2,))
    c = fc.categorical_column_with_vocabulary_list("c", ["a", "b", "c"], num_oov_buckets=1)
    i = fc.categorical_column_with_identity("i", num_buckets=4)
    h = fc.categorical_column_with_hash_bucket("h", hash_bucket_size=5)
    b = fc.bucketized_column(x, boundaries=[-0.5, 0.5])
    crossed = fc.crossed_column([c, i], hash_bucket_size=7)
    return x, c, i, h, b, crossed


def input_layer_all_columns(tf):
    features, y, feed = _inputs(tf)
    fc = tf.feature_column
    x, c, i, h, b, crossed = _columns(tf)
    columns = [
        x,
        b,
        fc.embedding_column(c, dimension=3, combiner="sqrtn"),
        fc.indicator_column(i),
        fc.indicator_column(h),
        fc.embedding_column(crossed, dimension=2),
    ]
    net = fc.input_layer(features, columns)
    prediction = tf.layers.dense(net, 2, name="out")
    loss = tf.reduce_mean(tf.square(prediction - y))
    return {"feed": feed, "outputs": {"net": net, "prediction": prediction}, "loss": loss}


def linear_model_all_columns(tf):
    features, y, feed = _inputs(tf)
    fc = tf.feature_column
    x, c, i, h, b, crossed = _columns(tf)
    logits = fc.linear_model(features, [x, b, c, i, h, crossed], units=2)
    loss = tf.reduce_mean(tf.square(logits - y))
    train_op = tf.train.FtrlOptimizer(0.1).minimize(loss)
    return {"feed": feed, "outputs": {"logits": logits}, "loss": loss, "train_op": train_op}


CASES = {
    "input_layer_all_columns": input_layer_all_columns,
    "linear_model_all_columns": linear_model_all_columns,
}

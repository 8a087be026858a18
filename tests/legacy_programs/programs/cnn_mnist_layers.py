"""
Know more, visit my Python tutorial page: https://morvanzhou.github.io/tutorials/
My Youtube Channel: https://www.youtube.com/user/MorvanZhou

Dependencies:
tensorflow: 1.1.0
matplotlib
numpy
"""
import tensorflow as tf
import numpy as np

tf.set_random_seed(1)
np.random.seed(1)

BATCH_SIZE = 50
LR = 0.001              # learning rate

# [corpus] synthetic stand-in for the MNIST download: 28x28 images in [0, 1] with one-hot
# labels, digit k brightening rows 2k..2k+7 over uniform noise; same attributes as input_data's.
class _SyntheticSplit(object):
    def __init__(self, n, rng):
        digits = rng.randint(0, 10, n)
        images = rng.uniform(0., .3, (n, 28, 28)).astype(np.float32)
        for i, k in enumerate(digits):
            images[i, 2 * k:2 * k + 8, :] += .7
        self.images = images.reshape(n, 28 * 28)
        self.labels = np.eye(10, dtype=np.float32)[digits]
        self._next = 0

    def next_batch(self, batch_size):
        rows = np.arange(self._next, self._next + batch_size) % len(self.images)
        self._next = (self._next + batch_size) % len(self.images)
        return self.images[rows], self.labels[rows]


class _SyntheticMnist(object):
    def __init__(self, seed=0):
        rng = np.random.RandomState(seed)
        self.train = _SyntheticSplit(1000, rng)
        self.test = _SyntheticSplit(200, rng)

mnist = _SyntheticMnist()  # [corpus] not input_data.read_data_sets('./mnist', one_hot=True)
test_x = mnist.test.images[:200]  # [corpus] 200 test images, not 2000
test_y = mnist.test.labels[:200]

# plot one example
print(mnist.train.images.shape)     # (55000, 28 * 28)
print(mnist.train.labels.shape)   # (55000, 10)

tf_x = tf.placeholder(tf.float32, [None, 28*28]) / 255.
image = tf.reshape(tf_x, [-1, 28, 28, 1])              # (batch, height, width, channel)
tf_y = tf.placeholder(tf.int32, [None, 10])            # input y

# CNN
conv1 = tf.layers.conv2d(   # shape (28, 28, 1)
    inputs=image,
    filters=16,
    kernel_size=5,
    strides=1,
    padding='same',
    activation=tf.nn.relu
)           # -> (28, 28, 16)
pool1 = tf.layers.max_pooling2d(
    conv1,
    pool_size=2,
    strides=2,
)           # -> (14, 14, 16)
conv2 = tf.layers.conv2d(pool1, 32, 5, 1, 'same', activation=tf.nn.relu)    # -> (14, 14, 32)
pool2 = tf.layers.max_pooling2d(conv2, 2, 2)    # -> (7, 7, 32)
flat = tf.reshape(pool2, [-1, 7*7*32])          # -> (7*7*32, )
output = tf.layers.dense(flat, 10)              # output layer

loss = tf.losses.softmax_cross_entropy(onehot_labels=tf_y, logits=output)           # compute cost
train_op = tf.train.AdamOptimizer(LR).minimize(loss)

accuracy = tf.metrics.accuracy(          # return (acc, update_op), and create 2 local variables
    labels=tf.argmax(tf_y, axis=1), predictions=tf.argmax(output, axis=1),)[1]

sess = tf.Session()
init_op = tf.group(tf.global_variables_initializer(), tf.local_variables_initializer()) # the local var is for accuracy_op
sess.run(init_op)     # initialize var in graph

# [corpus] the t-SNE plot of the last layer (matplotlib, sklearn) is removed
for step in range(40):  # [corpus] 40 steps, not 600
    b_x, b_y = mnist.train.next_batch(BATCH_SIZE)
    _, loss_ = sess.run([train_op, loss], {tf_x: b_x, tf_y: b_y})
    if step % 5 == 0:  # [corpus] every 5 steps, not 50
        accuracy_, flat_representation = sess.run([accuracy, flat], {tf_x: test_x, tf_y: test_y})
        print('Step:', step, '| train loss: %s' % loss_, '| test accuracy: %s' % accuracy_)  # [corpus] full precision

# print 10 predictions from test data
test_output = sess.run(output, {tf_x: test_x[:10]})
pred_y = np.argmax(test_output, 1)
print(pred_y, 'prediction number')
print(np.argmax(test_y[:10], 1), 'real number')
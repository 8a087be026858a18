# Ported from tensorflow-estimator 2.15 (inputs/queues/feeding_functions.py and
# feeding_queue_runner.py), Copyright 2016 The TensorFlow Authors, Apache License 2.0.
# Changes: public TF API only (tf.compat.v1), no six, no generator/padding feeding.
"""Queue feeding of numpy arrays and pandas DataFrames, as TF 1.x's input functions did.

A ``FIFOQueue`` (``RandomShuffleQueue`` when shuffling) is filled by a queue runner whose
threads feed batches of rows through placeholders; ``num_epochs`` ends the data with
``OutOfRangeError`` after the last row of the last epoch.
"""

import collections
import random
import threading

import numpy as np
import tensorflow as tf

from tf_pipeline.tf_output import QUEUE_RUNNERS, silenced_tf_warnings

try:
    import pandas as pd

    HAS_PANDAS = True
except ImportError:
    HAS_PANDAS = False


class _FeedingQueueRunner(tf.compat.v1.train.queue_runner.QueueRunner):
    """A queue runner that allows the feeding of values such as numpy arrays."""

    def __init__(
        self,
        queue=None,
        enqueue_ops=None,
        close_op=None,
        cancel_op=None,
        feed_fns=None,
        queue_closed_exception_types=None,
    ):
        """Initialize the queue runner.

        For further documentation, see `queue_runner.py`. Note that
        `FeedingQueueRunner` does not support construction from protobuffer nor
        serialization to protobuffer.

        Args:
          queue: A `Queue`.
          enqueue_ops: List of enqueue ops to run in threads later.
          close_op: Op to close the queue. Pending enqueue ops are preserved.
          cancel_op: Op to close the queue and cancel pending enqueue ops.
          feed_fns: a list of functions that return a dictionary mapping fed
            `Tensor`s to values. Must be the same length as `enqueue_ops`.
          queue_closed_exception_types: Optional tuple of Exception types that
            indicate that the queue has been closed when raised during an enqueue
            operation.  Defaults to `(tf.errors.OutOfRangeError,
            tf.errors.CancelledError)`.

        Raises:
          ValueError: `feed_fns` is not `None` and has different length than
            `enqueue_ops`.
        """
        if queue_closed_exception_types is None:
            queue_closed_exception_types = (tf.errors.OutOfRangeError, tf.errors.CancelledError)
        # numpy_input_fn/pandas_input_fn are queue-based in TF1 (and so here); TF 2
        # deprecates queue runners, a notice about our implementation, not the user's call.
        with silenced_tf_warnings(deprecated=QUEUE_RUNNERS):
            super(_FeedingQueueRunner, self).__init__(
                queue,
                enqueue_ops,
                close_op,
                cancel_op,
                queue_closed_exception_types=queue_closed_exception_types,
            )
        if feed_fns is None:
            self._feed_fns = [None for _ in enqueue_ops]
        else:
            if len(feed_fns) != len(enqueue_ops):
                raise ValueError(
                    "If feed_fns is not None, it must have the same length as enqueue_ops."
                )
            self._feed_fns = feed_fns

    # pylint: disable=broad-except
    def _run(self, sess, enqueue_op, feed_fn, coord=None):
        """Execute the enqueue op in a loop, close the queue in case of error.

        Args:
          sess: A `Session`.
          enqueue_op: The `Operation` to run.
          feed_fn: the feed function to pass to `sess.run`.
          coord: Optional `Coordinator` object for reporting errors and checking for
            stop conditions.
        """
        # TODO(jamieas): Reduce code duplication with `QueueRunner`.
        if coord:
            coord.register_thread(threading.current_thread())
        decremented = False
        try:
            while True:
                if coord and coord.should_stop():
                    break
                try:
                    feed_dict = None if feed_fn is None else feed_fn()
                    sess.run(enqueue_op, feed_dict=feed_dict)
                except (tf.errors.OutOfRangeError, tf.errors.CancelledError):
                    # This exception indicates that a queue was closed.
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception as e:
                                # Intentionally ignore errors from close_op.
                                tf.compat.v1.logging.vlog(1, "Ignored exception: %s", str(e))
                        return
        except Exception as e:
            # This catches all other exceptions.
            if coord:
                coord.request_stop(e)
            else:
                tf.compat.v1.logging.error("Exception in QueueRunner: %s", str(e))
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            # Make sure we account for all terminations: normal or errors.
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """Create threads to run the enqueue ops for the given session.

        This method requires a session in which the graph was launched.  It creates
        a list of threads, optionally starting them.  There is one thread for each
        op passed in `enqueue_ops`.

        The `coord` argument is an optional coordinator, that the threads will use
        to terminate together and report exceptions.  If a coordinator is given,
        this method starts an additional thread to close the queue when the
        coordinator requests a stop.

        If previously created threads for the given session are still running, no
        new threads will be created.

        Args:
          sess: A `Session`.
          coord: Optional `Coordinator` object for reporting errors and checking
            stop conditions.
          daemon: Boolean.  If `True` make the threads daemon threads.
          start: Boolean.  If `True` starts the threads.  If `False` the caller must
            call the `start()` method of the returned threads.

        Returns:
          A list of threads.
        """
        with self._lock:
            try:
                if self._runs_per_session[sess] > 0:
                    # Already started: no new threads to return.
                    return []
            except KeyError:
                # We haven't seen this session yet.
                pass
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []

        ret_threads = [
            threading.Thread(target=self._run, args=(sess, op, feed_fn, coord))
            for op, feed_fn in zip(self._enqueue_ops, self._feed_fns, strict=True)
        ]
        if coord:
            ret_threads.append(
                threading.Thread(target=self._close_on_stop, args=(sess, self._cancel_op, coord))
            )
        for t in ret_threads:
            if daemon:
                t.daemon = True
            if start:
                t.start()
        return ret_threads

    def _init_from_proto(self, queue_runner_def):
        raise NotImplementedError(
            "{} does not support initialization from proto.".format(type(self).__name__)
        )

    def to_proto(self):
        raise NotImplementedError(
            "{} does not support serialization to proto.".format(type(self).__name__)
        )


def _get_integer_indices_for_next_batch(
    batch_indices_start, batch_size, epoch_end, array_length, current_epoch, total_epochs
):
    """Returns the integer indices for next batch.

    If total epochs is not None and current epoch is the final epoch, the end
    index of the next batch should not exceed the `epoch_end` (i.e., the final
    batch might not have size `batch_size` to avoid overshooting the last epoch).

    Args:
      batch_indices_start: Integer, the index to start next batch.
      batch_size: Integer, size of batches to return.
      epoch_end: Integer, the end index of the epoch. The epoch could start from a
        random position, so `epoch_end` provides the end index for that.
      array_length: Integer, the length of the array.
      current_epoch: Integer, the epoch number has been emitted.
      total_epochs: Integer or `None`, the total number of epochs to emit. If
        `None` will run forever.

    Returns:
      A tuple of a list with integer indices for next batch and `current_epoch`
      value after the next batch.

    Raises:
      OutOfRangeError if `current_epoch` is not less than `total_epochs`.

    """
    if total_epochs is not None and current_epoch >= total_epochs:
        raise tf.errors.OutOfRangeError(None, None, "Already emitted %s epochs." % current_epoch)

    batch_indices_end = batch_indices_start + batch_size
    batch_indices = [j % array_length for j in range(batch_indices_start, batch_indices_end)]
    epoch_end_indices = [i for i, x in enumerate(batch_indices) if x == epoch_end]
    current_epoch += len(epoch_end_indices)

    if total_epochs is None or current_epoch < total_epochs:
        return (batch_indices, current_epoch)

    # Now we might have emitted more data for expected epochs. Need to trim.
    final_epoch_end_inclusive = epoch_end_indices[-(current_epoch - total_epochs + 1)]
    batch_indices = batch_indices[: final_epoch_end_inclusive + 1]

    return (batch_indices, total_epochs)


class _ArrayFeedFn(object):
    """Creates feed dictionaries from numpy arrays."""

    def __init__(
        self, placeholders, array, batch_size, random_start=False, seed=None, num_epochs=None
    ):
        if len(placeholders) != 2:
            raise ValueError(
                "_array_feed_fn expects 2 placeholders; got {}.".format(len(placeholders))
            )
        self._placeholders = placeholders
        self._array = array
        self._max = len(array)
        self._batch_size = batch_size
        self._num_epochs = num_epochs
        self._epoch = 0
        random.seed(seed)
        self._trav = random.randrange(self._max) if random_start else 0
        self._epoch_end = (self._trav - 1) % self._max

    def __call__(self):
        integer_indexes, self._epoch = _get_integer_indices_for_next_batch(
            batch_indices_start=self._trav,
            batch_size=self._batch_size,
            epoch_end=self._epoch_end,
            array_length=self._max,
            current_epoch=self._epoch,
            total_epochs=self._num_epochs,
        )

        self._trav = (integer_indexes[-1] + 1) % self._max
        return {
            self._placeholders[0]: integer_indexes,
            self._placeholders[1]: self._array[integer_indexes],
        }


class _OrderedDictNumpyFeedFn(object):
    """Creates feed dictionaries from `OrderedDict`s of numpy arrays."""

    def __init__(
        self,
        placeholders,
        ordered_dict_of_arrays,
        batch_size,
        random_start=False,
        seed=None,
        num_epochs=None,
    ):
        if len(placeholders) != len(ordered_dict_of_arrays) + 1:
            raise ValueError(
                "Expected {} placeholders; got {}.".format(
                    len(ordered_dict_of_arrays), len(placeholders)
                )
            )
        self._index_placeholder = placeholders[0]
        self._col_placeholders = placeholders[1:]
        self._ordered_dict_of_arrays = ordered_dict_of_arrays
        self._max = len(next(iter(ordered_dict_of_arrays.values())))
        for _, v in ordered_dict_of_arrays.items():
            if len(v) != self._max:
                raise ValueError("Array lengths must match.")
        self._batch_size = batch_size
        self._num_epochs = num_epochs
        self._epoch = 0
        random.seed(seed)
        self._trav = random.randrange(self._max) if random_start else 0
        self._epoch_end = (self._trav - 1) % self._max

    def __call__(self):
        integer_indexes, self._epoch = _get_integer_indices_for_next_batch(
            batch_indices_start=self._trav,
            batch_size=self._batch_size,
            epoch_end=self._epoch_end,
            array_length=self._max,
            current_epoch=self._epoch,
            total_epochs=self._num_epochs,
        )

        self._trav = (integer_indexes[-1] + 1) % self._max
        feed_dict = {self._index_placeholder: integer_indexes}
        cols = [column[integer_indexes] for column in self._ordered_dict_of_arrays.values()]
        feed_dict.update(dict(zip(self._col_placeholders, cols, strict=True)))
        return feed_dict


class _PandasFeedFn(object):
    """Creates feed dictionaries from pandas `DataFrames`."""

    def __init__(
        self, placeholders, dataframe, batch_size, random_start=False, seed=None, num_epochs=None
    ):
        if len(placeholders) != len(dataframe.columns) + 1:
            raise ValueError(
                "Expected {} placeholders; got {}.".format(
                    len(dataframe.columns) + 1, len(placeholders)
                )
            )
        self._index_placeholder = placeholders[0]
        self._col_placeholders = placeholders[1:]
        self._dataframe = dataframe
        self._max = len(dataframe)
        self._batch_size = batch_size
        self._num_epochs = num_epochs
        self._epoch = 0
        random.seed(seed)
        self._trav = random.randrange(self._max) if random_start else 0
        self._epoch_end = (self._trav - 1) % self._max

    def __call__(self):
        integer_indexes, self._epoch = _get_integer_indices_for_next_batch(
            batch_indices_start=self._trav,
            batch_size=self._batch_size,
            epoch_end=self._epoch_end,
            array_length=self._max,
            current_epoch=self._epoch,
            total_epochs=self._num_epochs,
        )

        self._trav = (integer_indexes[-1] + 1) % self._max
        result = self._dataframe.iloc[integer_indexes]
        cols = [result[col].values for col in result.columns]
        feed_dict = dict(zip(self._col_placeholders, cols, strict=True))
        feed_dict[self._index_placeholder] = result.index.values
        return feed_dict


def _enqueue_data(
    data,
    capacity,
    shuffle=False,
    min_after_dequeue=None,
    num_threads=1,
    seed=None,
    name="enqueue_input",
    enqueue_size=1,
    num_epochs=None,
    pad_value=None,
):
    """Creates a queue filled from a numpy array or pandas `DataFrame`.

      Returns a queue filled with the rows of the given (`OrderedDict` of) array
      or `DataFrame`. In the case of a pandas `DataFrame`, the first enqueued
      `Tensor` corresponds to the index of the `DataFrame`. For (`OrderedDict` of)
      numpy arrays, the first enqueued `Tensor` contains the row number.

    Args:
      data: a numpy `ndarray`, `OrderedDict` of numpy arrays, or a generator
        yielding `dict`s of numpy arrays or pandas `DataFrame` that will be read
        into the queue.
      capacity: the capacity of the queue.
      shuffle: whether or not to shuffle the rows of the array.
      min_after_dequeue: minimum number of elements that can remain in the queue
        after a dequeue operation. Only used when `shuffle` is true. If not set,
        defaults to `capacity` / 4.
      num_threads: number of threads used for reading and enqueueing.
      seed: used to seed shuffling and reader starting points.
      name: a scope name identifying the data.
      enqueue_size: the number of rows to enqueue per step.
      num_epochs: limit enqueuing to a specified number of epochs, if provided.
      pad_value: default value for dynamic padding of data samples, if provided.

    Returns:
      A queue filled with the rows of the given (`OrderedDict` of) array or
        `DataFrame`.

    Raises:
      TypeError: `data` is not a Pandas `DataFrame`, an `OrderedDict` of numpy
        arrays, a numpy `ndarray`, or a generator producing these.
      NotImplementedError: padding and shuffling data at the same time.
      NotImplementedError: padding usage with non generator data type.
    """
    with tf.compat.v1.name_scope(name):
        if isinstance(data, np.ndarray):
            types = [tf.dtypes.int64, tf.dtypes.as_dtype(data.dtype)]
            queue_shapes = [(), data.shape[1:]]
            get_feed_fn = _ArrayFeedFn
        elif isinstance(data, collections.OrderedDict):
            types = [tf.dtypes.int64] + [tf.dtypes.as_dtype(col.dtype) for col in data.values()]
            queue_shapes = [()] + [col.shape[1:] for col in data.values()]
            get_feed_fn = _OrderedDictNumpyFeedFn
        elif HAS_PANDAS and isinstance(data, pd.DataFrame):
            types = [tf.dtypes.as_dtype(dt) for dt in [data.index.dtype] + list(data.dtypes)]
            queue_shapes = [() for _ in types]
            get_feed_fn = _PandasFeedFn
        else:
            raise TypeError(
                "data must be either a numpy array or pandas DataFrame if pandas is "
                "installed; got {}".format(type(data).__name__)
            )

        if pad_value is not None:
            raise NotImplementedError("padding is only available with generator usage")

        # TODO(jamieas): TensorBoard warnings for all warnings below once available.

        if num_threads > 1 and num_epochs is not None:
            tf.compat.v1.logging.warn(
                "enqueue_data was called with num_epochs and num_threads > 1. "
                "num_epochs is applied per thread, so this will produce more "
                "epochs than you probably intend. "
                "If you want to limit epochs, use one thread."
            )

        if shuffle and num_threads > 1 and num_epochs is not None:
            tf.compat.v1.logging.warn(
                "enqueue_data was called with shuffle=True, num_threads > 1, and "
                "num_epochs. This will create multiple threads, all reading the "
                "array/dataframe in order adding to the same shuffling queue; the "
                "results will likely not be sufficiently shuffled."
            )

        if not shuffle and num_threads > 1:
            tf.compat.v1.logging.warn(
                "enqueue_data was called with shuffle=False and num_threads > 1. "
                "This will create multiple threads, all reading the "
                "array/dataframe in order. If you want examples read in order, use"
                " one thread; if you want multiple threads, enable shuffling."
            )

        if shuffle:
            min_after_dequeue = int(
                capacity / 4 if min_after_dequeue is None else min_after_dequeue
            )
            queue = tf.queue.RandomShuffleQueue(
                capacity, min_after_dequeue, dtypes=types, shapes=queue_shapes, seed=seed
            )
        else:
            min_after_dequeue = 0  # just for the summary text
            queue = tf.queue.FIFOQueue(capacity, dtypes=types, shapes=queue_shapes)

        enqueue_ops = []
        feed_fns = []

        for i in range(num_threads):
            # Note the placeholders have no shapes, so they will accept any
            # enqueue_size.  enqueue_many below will break them up.
            placeholders = [tf.compat.v1.placeholder(t) for t in types]

            enqueue_ops.append(queue.enqueue_many(placeholders))
            seed_i = None if seed is None else (i + 1) * seed

            feed_fns.append(
                get_feed_fn(
                    placeholders,
                    data,
                    enqueue_size,
                    random_start=shuffle,
                    seed=seed_i,
                    num_epochs=num_epochs,
                )
            )

        runner = _FeedingQueueRunner(queue=queue, enqueue_ops=enqueue_ops, feed_fns=feed_fns)
        with silenced_tf_warnings(deprecated=QUEUE_RUNNERS):
            tf.compat.v1.train.queue_runner.add_queue_runner(runner)

        full = tf.cast(tf.math.maximum(0, queue.size() - min_after_dequeue), tf.dtypes.float32) * (
            1.0 / (capacity - min_after_dequeue)
        )
        # Note that name contains a '/' at the end so we intentionally do not place
        # a '/' after %s below.
        summary_name = "queue/%sfraction_over_%d_of_%d_full" % (
            queue.name,
            min_after_dequeue,
            capacity - min_after_dequeue,
        )
        tf.compat.v1.summary.scalar(summary_name, full)
        return queue

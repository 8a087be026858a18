"""``tf.contrib.learn`` as TF 1.x programs use it: monitors, MetricSpec, models,
Experiment/learn_runner, the module paths, and queue input in every Estimator mode.

References are closed-form numpy (least-squares gradient steps, metric formulas) and TF
1.x's rules written out here (ValidationMonitor's early-stopping rule, Experiment's
schedules); the models also have golden files from TF 2.15 (cases/contrib_learn_models.py).
"""

from __future__ import annotations

import logging
import re
import threading

import numpy as np
import pytest
import tensorflow as tf

import tf_pipeline.tf1 as tf1
from estimators.queue_input import InputTimeoutError

learn = tf1.contrib.learn

W_TRAIN = np.array([2.0, -1.0], dtype=np.float32)
LEARNING_RATE = 0.1


def regression_data(n=10, seed=0, w=W_TRAIN):
    x = np.random.RandomState(seed).randn(n, 2).astype(np.float32)
    return x, (x @ w + 0.5).astype(np.float32)


def model_fn(features, labels, mode):
    """A TF1 model_fn on contrib.learn.models, as user code wrote it."""
    x = features["x"] if isinstance(features, dict) else features
    predictions, loss = tf1.contrib.learn.models.linear_regression_zero_init(x, labels)
    train_op = tf1.train.GradientDescentOptimizer(LEARNING_RATE).minimize(
        loss, global_step=tf1.train.get_global_step()
    )
    return learn.ModelFnOps(
        mode,
        predictions={"scores": predictions, "double": 2.0 * predictions},
        loss=loss,
        train_op=train_op,
    )


def make_estimator(model_dir, **config):
    config.setdefault("tf_random_seed", 0)
    return learn.Estimator(model_fn, model_dir=str(model_dir), config=learn.RunConfig(**config))


def weights_of(model_dir):
    checkpoint = tf.train.latest_checkpoint(str(model_dir))
    w = tf.train.load_variable(checkpoint, "linear_regression/weights")[:, 0]
    b = tf.train.load_variable(checkpoint, "linear_regression/bias")[0]
    return w, b


def numpy_gradient_descent(x, y, steps, lr=LEARNING_RATE):
    """Least-squares gradient steps on mean((x w + b - y)^2) from zero, in float64."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        residual = x @ w + b - y
        w, b = w - lr * 2 * x.T @ residual / len(y), b - lr * 2 * residual.mean()
    return w, b


def constant_input(x, y, weights=None):
    def input_fn():
        features = {"x": tf1.constant(x)}
        if weights is not None:
            features["w"] = tf1.constant(weights)
        return features, tf1.constant(y)

    return input_fn


# -- module paths ---------------------------------------------------------------------


def test_module_paths_real_programs_import():
    # The import lines found in public TF 1.x programs, with only the prefix changed.
    from tf_pipeline.tf1.contrib.learn import ModeKeys, learn_runner
    from tf_pipeline.tf1.contrib.learn.python.learn import learn_runner as runner_module
    from tf_pipeline.tf1.contrib.learn.python.learn import metric_spec
    from tf_pipeline.tf1.contrib.learn.python.learn import monitors as monitor_lib
    from tf_pipeline.tf1.contrib.learn.python.learn.datasets import base
    from tf_pipeline.tf1.contrib.learn.python.learn.estimators import estimator, run_config
    from tf_pipeline.tf1.contrib.learn.python.learn.estimators import model_fn as model_fn_lib
    from tf_pipeline.tf1.contrib.learn.python.learn.estimators.model_fn import ModelFnOps
    from tf_pipeline.tf1.contrib.learn.python.learn.utils import input_fn_utils

    assert learn_runner is runner_module and learn_runner.run is learn.learn_runner.run
    assert metric_spec.MetricSpec is learn.MetricSpec
    assert monitor_lib.ValidationMonitor is learn.monitors.ValidationMonitor
    assert estimator.Estimator is learn.Estimator
    assert model_fn_lib.ModelFnOps is ModelFnOps is learn.ModelFnOps
    assert model_fn_lib.ModeKeys is ModeKeys is learn.ModeKeys
    assert run_config.RunConfig is learn.RunConfig
    assert input_fn_utils.InputFnOps is learn.utils.input_fn_utils.InputFnOps
    assert base.load_csv_with_header is learn.datasets.base.load_csv_with_header
    assert (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.INFER) == ("train", "eval", "infer")
    assert learn.PredictionKey.SCORES == "scores" and learn.PredictionKey.GENERIC == "output"


def test_input_fn_utils_parsing_serving_input_fn():
    spec = {"x": tf.io.FixedLenFeature([2], tf.float32)}
    example = tf.train.Example(
        features=tf.train.Features(
            feature={"x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.5, -2.0]))}
        )
    ).SerializeToString()
    with tf1.Graph().as_default() as graph:
        ops = learn.utils.input_fn_utils.build_parsing_serving_input_fn(spec)()
        assert ops.labels is None and ops.default_inputs["examples"].name.startswith(
            "input_example_tensor"
        )
        with tf1.Session(graph=graph) as session:
            parsed = session.run(ops.features, {ops.default_inputs["examples"]: [example]})
    np.testing.assert_array_equal(parsed["x"], [[1.5, -2.0]])


def test_load_csv_with_header(tmp_path):
    path = tmp_path / "iris_like.csv"
    path.write_text("3,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n6.2,2.9,1\n")
    dataset = learn.datasets.base.load_csv_with_header(str(path), np.int32, np.float32)
    np.testing.assert_array_equal(dataset.target, [0, 1, 1])
    np.testing.assert_allclose(dataset.data, [[5.1, 3.5], [4.9, 3.0], [6.2, 2.9]])
    assert dataset.data.dtype == np.float32
    no_header = tmp_path / "plain.csv"
    no_header.write_text("1,2,0\n3,4,1\n")
    plain = learn.datasets.base.load_csv_without_header(str(no_header), np.int32, np.float32)
    np.testing.assert_array_equal(plain.target, [0, 1])


# -- models ---------------------------------------------------------------------------


def test_linear_regression_trains_as_least_squares_gradient_steps(tmp_path):
    x, y = regression_data()
    est = make_estimator(tmp_path)
    est.fit(x=x, y=y, steps=25)  # batch_size=None: every step sees all rows
    w, b = weights_of(tmp_path)
    expected_w, expected_b = numpy_gradient_descent(x, y, steps=25)
    np.testing.assert_allclose(w, expected_w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b, expected_b, rtol=1e-5, atol=1e-5)


def test_linear_regression_names_loss_collection_and_squeeze():
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [None, 3])
        y = tf1.placeholder(tf1.float32, [None])
        predictions, loss = learn.models.linear_regression(x, y)
        names = sorted(v.op.name for v in tf1.global_variables())
        assert names == ["linear_regression/bias", "linear_regression/weights"]
        assert predictions.shape.as_list() == [None]
        assert tf1.get_collection(tf1.GraphKeys.LOSSES) == [loss]


# -- MetricSpec -----------------------------------------------------------------------


def test_metric_spec_values_match_closed_form(tmp_path):
    x, y = regression_data()
    weights = np.random.RandomState(3).rand(len(y)).astype(np.float32)
    est = make_estimator(tmp_path)
    est.fit(input_fn=constant_input(x, y, weights), steps=5)

    def bare_mean_of_predictions(predictions, labels):  # TF1's deprecated bare-function form
        del labels
        return tf1.metrics.mean(predictions["scores"])

    metrics = {
        "mae": learn.MetricSpec(tf1.metrics.mean_absolute_error, prediction_key="scores"),
        "rmse_double": learn.MetricSpec(
            tf1.metrics.root_mean_squared_error, prediction_key="double"
        ),
        "weighted_mse": learn.MetricSpec(
            tf1.metrics.mean_squared_error, prediction_key="scores", weight_key="w"
        ),
    }
    results = est.evaluate(input_fn=constant_input(x, y, weights), metrics=metrics)
    w, b = weights_of(tmp_path)
    scores = x @ w + b
    np.testing.assert_allclose(results["mae"], np.abs(y - scores).mean(), rtol=1e-5)
    np.testing.assert_allclose(
        results["rmse_double"], np.sqrt(((y - 2 * scores) ** 2).mean()), rtol=1e-5
    )
    np.testing.assert_allclose(
        results["weighted_mse"], (weights * (y - scores) ** 2).sum() / weights.sum(), rtol=1e-5
    )
    np.testing.assert_allclose(results["loss"], ((y - scores) ** 2).mean(), rtol=1e-5)
    assert results["global_step"] == 5

    # A bare function needs a tensor of predictions; with a dict, TF1 asked for a MetricSpec.
    with pytest.raises(ValueError, match=re.escape("must be a MetricSpec with a prediction_key")):
        est.evaluate(input_fn=constant_input(x, y), metrics={"m": bare_mean_of_predictions})


def test_metric_spec_argument_adaptation():
    calls = []

    def positional(predictions, labels, weights=None):  # the streaming_* order
        calls.append(("positional", predictions, labels, weights))

    def labels_first(labels, predictions):
        calls.append(("labels_first", predictions, labels))

    def predictions_only(values):  # neither named: predictions alone
        calls.append(("predictions_only", values))

    learn.MetricSpec(positional).create_metric_ops({"w": "W"}, "L", "P")
    learn.MetricSpec(positional, weight_key="w").create_metric_ops({"w": "W"}, "L", "P")
    learn.MetricSpec(labels_first).create_metric_ops({}, "L", "P")
    learn.MetricSpec(predictions_only).create_metric_ops({}, "L", {"only": "P"})
    assert calls == [
        ("positional", "P", "L", None),
        ("positional", "P", "L", "W"),
        ("labels_first", "P", "L"),
        ("predictions_only", "P"),
    ]
    with pytest.raises(ValueError, match="`prediction_key` must be given"):
        learn.MetricSpec(positional).create_metric_ops({}, "L", {"a": 1, "b": 2})


# -- monitors -------------------------------------------------------------------------


def tf1_early_stopping_stop_step(history, rounds, minimize=True):
    """TF 1.x's rule over [(step, value)]: first step with step - best_step >= rounds."""
    best_value, best_step = None, None
    for step, value in history:
        if best_value is None or (value < best_value if minimize else value > best_value):
            best_value, best_step = value, step
        if step - best_step >= rounds:
            return step, best_step, best_value
    return None, best_step, best_value


@pytest.mark.slow
def test_validation_monitor_stops_at_tf1_early_stopping_step(tmp_path):
    # Training pulls the weights towards W_TRAIN; the validation target is half of it, so
    # the validation loss falls, bottoms out and rises: early stopping must trigger.
    x, y = regression_data(seed=0)
    x_val, y_val = regression_data(seed=1, w=W_TRAIN / 2)
    x, x_val = 0.4 * x, 0.4 * x_val  # slower descent: several evaluations on the way down
    est = make_estimator(tmp_path, save_checkpoints_steps=2)
    monitor = learn.monitors.ValidationMonitor(
        x=x_val,
        y=y_val,
        every_n_steps=2,
        early_stopping_rounds=6,
        check_interval_secs=None,
    )
    history = []
    evaluate = est.evaluate

    def recording_evaluate(**kwargs):
        result = evaluate(**kwargs)
        history.append((monitor._latest_path_step, result["loss"]))
        return result

    est.evaluate = recording_evaluate
    est.fit(x=x, y=y, steps=200, monitors=[monitor])

    stop_step, best_step, best_value = tf1_early_stopping_stop_step(history, rounds=6)
    assert stop_step is not None and stop_step < 200
    assert best_step >= 10  # the metric improved for a while before it stopped improving
    assert [step for step, _ in history] == list(range(2, stop_step + 1, 2))
    assert monitor.early_stopped
    assert (monitor.best_step, monitor.best_value) == (best_step, best_value)
    est.evaluate = evaluate
    # Training stopped right after the step whose evaluation triggered the stop.
    assert evaluate(x=x_val, y=y_val)["global_step"] == stop_step


def test_stop_at_step_and_capture_variable(tmp_path):
    x, y = regression_data()
    est = make_estimator(tmp_path)
    capture = learn.monitors.CaptureVariable("linear_regression/bias:0", every_n=2)
    est.fit(x=x, y=y, steps=100, monitors=[learn.monitors.StopAtStep(num_steps=5), capture])
    assert est.evaluate(x=x, y=y)["global_step"] == 5
    # EveryN: the first step, then every 2nd step after the last active one.
    assert sorted(capture.values) == [1, 3, 5]
    for step, value in capture.values.items():
        # The read runs beside the update in one session.run (as in TF1): either side of it.
        candidates = [numpy_gradient_descent(x, y, steps=s)[1] for s in (step - 1, step)]
        assert min(abs(value[0] - c) for c in candidates) < 1e-5, (step, value, candidates)


def test_print_tensor_and_logging_trainable_log_every_n(tmp_path, caplog):
    x, y = regression_data()
    est = make_estimator(tmp_path)
    monitors = [
        learn.monitors.PrintTensor({"bias": "linear_regression/bias:0"}, every_n=3),
        learn.monitors.LoggingTrainable(scope="linear_regression", every_n=3),
    ]
    with caplog.at_level(logging.INFO, logger="estimators"):
        est.fit(x=x, y=y, steps=4, monitors=monitors)
    printed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Step ")]
    trainable = [r.getMessage() for r in caplog.records if "Logging Trainable" in r.getMessage()]
    # Steps 1 (first_n) and 4 (>= 1 + 3).
    assert [m.split(":")[0] for m in printed] == ["Step 1", "Step 4"]
    assert all("bias = [" in m for m in printed)
    assert len(trainable) == 2 and "linear_regression/weights:0 = [[" in trainable[0]


def test_monitors_must_be_monitors_or_hooks(tmp_path):
    x, y = regression_data()
    with pytest.raises(TypeError, match="`monitors` must hold SessionRunHooks or"):
        make_estimator(tmp_path).fit(x=x, y=y, steps=1, monitors=[object()])


# -- Experiment and learn_runner ------------------------------------------------------


def experiment_fn_factory(x, y, **experiment_kwargs):
    def experiment_fn(run_config, hparams):
        assert hparams == {"lr": LEARNING_RATE}
        estimator = learn.Estimator(model_fn, config=run_config)
        return learn.Experiment(
            estimator,
            train_input_fn=constant_input(x, y),
            eval_input_fn=constant_input(x, y),
            **experiment_kwargs,
        )

    return experiment_fn


@pytest.mark.slow
def test_learn_runner_train_and_evaluate_locally(tmp_path):
    x, y = regression_data()
    config = learn.RunConfig(model_dir=str(tmp_path), tf_random_seed=0, save_checkpoints_steps=4)
    experiment_fn = experiment_fn_factory(
        x, y, train_steps=8, eval_steps=1, min_eval_frequency=4, check_interval_secs=None
    )
    result, exports = learn.learn_runner.run(
        experiment_fn, run_config=config, hparams={"lr": LEARNING_RATE}
    )
    assert exports == [] and result["global_step"] == 8
    w, b = weights_of(tmp_path)
    expected_w, expected_b = numpy_gradient_descent(x, y, steps=8)
    np.testing.assert_allclose(w, expected_w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(result["loss"], ((x @ w + b - y) ** 2).mean(), rtol=1e-5)


@pytest.mark.slow
def test_experiment_schedules(tmp_path):
    x, y = regression_data()

    def experiment_fn(output_dir):
        estimator = learn.Estimator(model_fn, model_dir=output_dir)
        return learn.Experiment(
            estimator,
            constant_input(x, y),
            constant_input(x, y),
            train_steps=10,
            train_steps_per_iteration=4,
            eval_delay_secs=0,
        )

    run = learn.learn_runner.run
    assert run(experiment_fn, output_dir=str(tmp_path), schedule="train") is not None
    assert run(experiment_fn, output_dir=str(tmp_path), schedule="evaluate")["global_step"] == 10
    # TF1's loop: chunks of 4 until the evaluated global step reaches train_steps (10):
    # 10 -> 14 (the first check sees no evaluation yet).
    result, _ = run(experiment_fn, output_dir=str(tmp_path), schedule="continuous_train_and_eval")
    assert result["global_step"] == 14
    with pytest.raises(ValueError, match=re.escape("`schedule` must be one of")):
        run(experiment_fn, output_dir=str(tmp_path), schedule="run_std_server")
    with pytest.raises(ValueError, match="Give `output_dir` or `run_config`"):
        run(experiment_fn)


# -- queue input in every mode --------------------------------------------------------


def queue_input(x, y, batch_size, num_epochs):
    """``slice_input_producer`` + ``tf.train.batch``, in order, as TF1 input_fns did."""

    def input_fn():
        features, labels = tf1.train.slice_input_producer(
            [tf1.constant(x), tf1.constant(y)], num_epochs=num_epochs, shuffle=False
        )
        return tf1.train.batch(
            [features, labels],
            batch_size=batch_size,
            num_threads=1,
            allow_smaller_final_batch=num_epochs is not None,
        )

    return input_fn


@pytest.mark.slow
def test_queue_input_in_fit_evaluate_and_predict(tmp_path):
    x, y = regression_data(n=10)
    est = make_estimator(tmp_path)
    est.fit(input_fn=queue_input(x, y, batch_size=4, num_epochs=None), steps=6)
    w, b = weights_of(tmp_path)
    scores = x @ w + b

    # One epoch in order: batches of 4, 4, 2; TF1's loss is the mean of the batch losses.
    threads = threading.active_count()
    results = est.evaluate(input_fn=queue_input(x, y, batch_size=4, num_epochs=1))
    assert threading.active_count() == threads  # the runner threads were stopped and joined
    batch_losses = [((scores[i : i + 4] - y[i : i + 4]) ** 2).mean() for i in (0, 4, 8)]
    np.testing.assert_allclose(results["loss"], np.mean(batch_losses), rtol=1e-5)
    assert results["global_step"] == 6
    # With steps, from a queue that repeats forever: the runners must not block evaluate.
    steps = est.evaluate(input_fn=queue_input(x, y, batch_size=5, num_epochs=None), steps=3)
    first, second = (((scores[i : i + 5] - y[i : i + 5]) ** 2).mean() for i in (0, 5))
    np.testing.assert_allclose(steps["loss"], (first + second + first) / 3, rtol=1e-5)

    predictions = est.predict(input_fn=queue_input(x, y, batch_size=4, num_epochs=1))
    scores_out = np.array([row["scores"] for row in predictions])
    np.testing.assert_allclose(scores_out, scores, rtol=1e-5, atol=1e-6)


def test_tf1_argument_order_and_evaluate_feed_fn(tmp_path):
    x, y = regression_data()
    est = make_estimator(tmp_path)
    est.fit(x, y, None, 3)  # TF1's positional order: x, y, input_fn, steps
    w, b = weights_of(tmp_path)
    assert est.evaluate(x, y)["global_step"] == 3

    def input_fn():
        return tf1.placeholder(tf1.float32, [None, 2], "x"), tf1.placeholder(tf1.float32, [None])

    batches = iter([(x[:6], y[:6]), (x[6:], y[6:])])

    def feed_fn():  # TF1 stopped evaluating when it raised StopIteration
        features, labels = next(batches)
        return {"x:0": features, "Placeholder:0": labels}

    results = est.evaluate(input_fn=input_fn, feed_fn=feed_fn)
    losses = [((x[s] @ w + b - y[s]) ** 2).mean() for s in (slice(0, 6), slice(6, None))]
    np.testing.assert_allclose(results["loss"], np.mean(losses), rtol=1e-5)


def never_filled_input():
    """A queue nobody fills (its QueueRunner was never added): the classic TF1 hang."""
    queue = tf1.FIFOQueue(8, [tf1.float32, tf1.float32], shapes=[[2], []])
    return queue.dequeue_many(4)


def test_input_that_never_produces_times_out(tmp_path):
    x, y = regression_data()
    est = make_estimator(tmp_path, input_timeout_secs=0.5)
    est.fit(x=x, y=y, steps=1)
    message = re.escape("`input_fn` 'never_filled_input' produced no batch within 0.5 s")
    with pytest.raises(InputTimeoutError, match=message):
        est.evaluate(input_fn=never_filled_input)
    with pytest.raises(InputTimeoutError, match=message):
        list(est.predict(input_fn=never_filled_input))
    with pytest.raises(InputTimeoutError, match=message):
        est.fit(input_fn=never_filled_input, steps=1)
    assert issubclass(InputTimeoutError, TimeoutError)


def test_run_config_takes_tf1_arguments(tmp_path):
    # As real programs built it (save_checkpoints_secs with gpu_memory_fraction, model_dir).
    config = learn.RunConfig(save_checkpoints_secs=30, gpu_memory_fraction=0.5, num_cores=2)
    assert config.tf_config.gpu_options.per_process_gpu_memory_fraction == 0.5
    assert config.tf_config.intra_op_parallelism_threads == 2
    assert config.is_chief and config.environment == "local"
    with pytest.raises(ValueError, match=re.escape("`model_dir` must match `config.model_dir`")):
        learn.Estimator(
            model_fn,
            model_dir=str(tmp_path / "a"),
            config=learn.RunConfig(model_dir=str(tmp_path / "b")),
        )


def test_input_timeout_secs_is_checked():
    with pytest.raises(ValueError, match=re.escape("`input_timeout_secs` must be a number > 0")):
        learn.RunConfig(input_timeout_secs=0)

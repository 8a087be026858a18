"""Quiet output: no TensorFlow start-up lines in run.py, no warnings our own code causes.

TensorFlow prints each deprecation notice once per process, so the fits run in a fresh
subprocess (an earlier test in this process may already have used up the notice); it
records every Python warning and every WARNING of the ``tensorflow`` and project
loggers, and this test reads them back.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tf_pipeline.parallel import WORKER_ENV, worker_env
from tf_pipeline.tf_output import (
    QUIET_LOG_LEVEL,
    RETRACING,
    _filter_cpp_lines,
    cpp_records_dropped,
    silenced_tf_warnings,
)

ROOT = Path(__file__).resolve().parents[1]
PROJECT = (str(ROOT / "tf_pipeline") + os.sep, str(ROOT / "estimators") + os.sep)

# What TF 2.21 wrote to stderr on `import tensorflow` on a CPU machine (run_base.log).
STARTUP = b"""\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1795627483.350999   10373 port.cc:153] oneDNN custom operations are on.
I0000 00:00:1795627483.351982   10373 cudart_stub.cc:31] Could not find cuda drivers.
I0000 00:00:1795627644.443044   13814 cpu_feature_guard.cc:227] This TensorFlow binary
To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow.
E0000 00:00:1795627485.932481   10373 cuda_platform.cc:52] failed call to cuInit: ...
a line of some other library
"""


# -- the helpers ------------------------------------------------------------------------
def test_cpp_start_up_lines_below_the_level_are_dropped_and_the_rest_kept():
    kept = _filter_cpp_lines(STARTUP, 2).decode()
    assert kept == (
        "E0000 00:00:1795627485.932481   10373 cuda_platform.cc:52] failed call to cuInit: ...\n"
        "a line of some other library\n"
    )
    assert _filter_cpp_lines(STARTUP, 3) == b""  # the last line continues the E record
    everything = _filter_cpp_lines(STARTUP, 0).decode()
    assert "oneDNN" in everything and "To enable the following" in everything


def test_overlapping_captures_of_stderr_pass_it_on_once_without_either_ones_records(capfd):
    """Two threads inside at once share one capture of file descriptor 2; it is passed
    on, in order, when the last leaves, without the records either block drops."""
    info = re.compile(rb"^I\d{4} ")
    inside, leave = threading.Event(), threading.Event()

    def other_thread():
        with cpp_records_dropped(lambda line: b"port.cc" in line):
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_thread)
    thread.start()
    inside.wait(10)
    with cpp_records_dropped(lambda line: bool(info.match(line)) and b"port.cc" not in line):
        os.write(2, STARTUP)
    assert capfd.readouterr().err == ""  # held while the other thread is inside
    leave.set()
    thread.join()
    assert capfd.readouterr().err == (
        "E0000 00:00:1795627485.932481   10373 cuda_platform.cc:52] failed call to cuInit: ...\n"
        "a line of some other library\n"
    )


def test_a_block_that_raises_passes_everything_on(capfd):
    with pytest.raises(ImportError), cpp_records_dropped(lambda line: True):
        os.write(2, STARTUP)
        raise ImportError("no module")
    assert capfd.readouterr().err == STARTUP.decode()


def test_silenced_tf_warnings_drops_only_the_named_notices_of_this_thread(caplog):
    logger = logging.getLogger("tensorflow")
    notice = "From x.py:3: dynamic_rnn (from tensorflow.python.ops.rnn) is deprecated and ..."
    argument = "From x.py:4: calling Zeros.__init__ (from a.b) with dtype is deprecated ..."
    retracing = "6 out of the last 6 calls to <f> triggered tf.function retracing. Tracing..."
    other = "From x.py:5: static_rnn (from tensorflow.python.ops.rnn) is deprecated and ..."
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        with silenced_tf_warnings(
            deprecated=("dynamic_rnn", "Zeros.__init__"), patterns=(RETRACING,)
        ):
            for message in (notice, argument, retracing, other):
                logger.warning(message)
            thread = threading.Thread(target=lambda: logger.warning(notice))
            thread.start()
            thread.join()
        logger.warning(notice)  # the filter is gone after the block
    assert [record.getMessage() for record in caplog.records] == [other, notice, notice]
    assert not logger.filters


def test_silenced_tf_warnings_needs_a_message():
    with pytest.raises(ValueError, match="`deprecated` or `patterns` must name a message"):
        with silenced_tf_warnings():
            pass


def test_worker_env_is_quiet_unless_the_user_chose_a_level(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    assert worker_env() == WORKER_ENV
    assert WORKER_ENV["TF_CPP_MIN_LOG_LEVEL"] == QUIET_LOG_LEVEL
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    assert worker_env()["TF_CPP_MIN_LOG_LEVEL"] == "0"
    assert WORKER_ENV["TF_CPP_MIN_LOG_LEVEL"] == QUIET_LOG_LEVEL  # not changed


# -- our fits warn about nothing -------------------------------------------------------
FITS = r"""
import json, logging, sys, tempfile, traceback, warnings
import numpy as np

records, caught = [], []


class Recorder(logging.Handler):
    def emit(self, record):
        records.append({"logger": record.name, "message": record.getMessage()[:400]})


recorder = Recorder(level=logging.WARNING)
for name in ("tensorflow", "tf_pipeline", "estimators", "py.warnings"):
    logging.getLogger(name).addHandler(recorder)


def record_warning(message, category, filename, lineno, file=None, line=None):
    stack = [f"{f.filename}:{f.lineno}" for f in traceback.extract_stack()[:-1]]
    caught.append({"category": category.__name__, "message": str(message)[:400],
                   "filename": filename, "stack": stack})


warnings.showwarning = record_warning
warnings.simplefilter("always")
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import tf_pipeline.tf1 as tf1
from tf_pipeline.estimators import (
    Estimator, KerasLSTMRegressor, RunConfig, SKCompat, TF1LSTMRegressor,
)
from tf_pipeline.models import lstm_model

rng = np.random.RandomState(0)
X = rng.rand(32, 12).astype(np.float32)
y = X.mean(axis=1)
X3 = X.reshape(32, 1, 12)
for loop in ("auto", "session", "xla"):  # TF1LSTMRegressor's default (1000 steps) is xla
    config = RunConfig(train_loop=loop, tf_random_seed=0)
    est = SKCompat(Estimator(lstm_model, model_dir=tempfile.mkdtemp(), config=config))
    est.fit(X3, y, batch_size=8, steps=3)
    est.predict(X3)
TF1LSTMRegressor(4, steps=3, random_state=0).fit(X, y).forecast(X[-1], 2)
for stateful in (False, True):
    model = KerasLSTMRegressor(4, steps=3, batch_size=8, stateful=stateful, random_state=0)
    model.fit(X, y).forecast(X[-1], 2)
grid = GridSearchCV(
    KerasLSTMRegressor(steps=3, batch_size=8, random_state=0),
    {"hidden_size": [2, 3]},
    cv=TimeSeriesSplit(2),
)
grid.fit(X, y)
# contrib.rnn pieces that call deprecated TF functions inside (graph built, not run).
with tf1.Graph().as_default():
    inputs = tf1.placeholder(tf1.float32, [None, 4, 3])
    cells = [tf1.contrib.rnn.LayerNormBasicLSTMCell(2, dropout_keep_prob=0.9) for _ in "ab"]
    tf1.contrib.rnn.stack_bidirectional_dynamic_rnn(
        cells[:1], cells[1:], inputs, dtype=tf1.float32
    )
# The user's own TF1 calls (numeric_column here) may warn, as in TF 1.x: only the
# notices whose "From <file>" is this script are theirs.
column = tf1.feature_column.numeric_column("x", shape=[12])
dnn = tf1.estimator.DNNRegressor([3], [column], model_dir=tempfile.mkdtemp())
dnn.train(tf1.estimator.inputs.numpy_input_fn({"x": X}, y, batch_size=8, shuffle=False), steps=3)
json.dump({"records": records, "warnings": caught}, sys.stdout)
"""


def _ours(path: str) -> bool:
    return path.startswith(PROJECT)


@pytest.mark.slow
def test_fits_of_every_path_emit_no_warning_of_our_making():
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", FITS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    problems = []
    for warning in seen["warnings"]:
        # Ours if raised in our file or on the way through it (a library's warning
        # about how our code called it).
        if _ours(warning["filename"]) or any(_ours(frame) for frame in warning["stack"]):
            where = warning["filename"]
            problems.append(f"{warning['category']} at {where}: {warning['message']}")
    for record in seen["records"]:
        message = record["message"]
        origin = re.match(r"From (.+?):\d+: ", message)
        if "is deprecated" in message and not (origin and origin.group(1) == "<string>"):
            problems.append(f"deprecation notice: {message}")  # ours or TF's on our behalf
        elif re.search(RETRACING, message):
            problems.append(f"retracing warning: {message}")
        elif record["logger"].split(".")[0] in ("tf_pipeline", "estimators"):
            problems.append(f"{record['logger']}: {message}")
    assert problems == [], "\n".join(problems)
    user_notices = [r for r in seen["records"] if r["message"].startswith("From <string>:")]
    assert any("numeric_column" in r["message"] for r in user_notices)  # theirs still shows


# -- run.py -----------------------------------------------------------------------------
# A C++ log line: severity, date, time, thread id, then "file.cc:line] message".
CPP_LINE = re.compile(r"^[IWEF]\d{4} \S+\s+\d+ (\S+:\d+\] .*)$", re.MULTILINE)
BAR = re.compile(r"\d+%\|")  # a tqdm bar


@pytest.mark.slow
def test_tensorflow_logs_after_a_quiet_import_reach_stderr():
    # The quiet import redirects file descriptor 2 only: a logging handler TensorFlow
    # makes while importing must keep a stream that stays open (it once got a temporary
    # stderr, closed after the import, and every later TF warning became "Logging error").
    code = (
        "from tf_pipeline.tf_output import import_tensorflow_quietly\n"
        "import_tensorflow_quietly()\n"
        "import tensorflow as tf\n"
        "tf.get_logger().warning('after the quiet import')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "after the quiet import" in result.stderr
    assert "Logging error" not in result.stderr
    assert not CPP_LINE.search(result.stderr), result.stderr


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_run_py_is_quiet_by_default_and_verbose_shows_tensorflow_start_up(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = str(ROOT)
    # What TensorFlow itself writes on import here (nothing on some machines).
    plain = _run(["-c", "import tensorflow"], env)
    startup = CPP_LINE.findall(plain.stderr)
    args = ["run.py", "--quick", "--models", "seasonal_naive", "holt_winters"]

    quiet = _run([*args, "--out", str(tmp_path / "quiet")], env)
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "seasonal naive" in quiet.stdout
    for text in ("I0000", "absl::InitializeLog", "oneDNN", "cuInit", "cudart_stub"):
        assert text not in quiet.stderr, quiet.stderr
    assert CPP_LINE.findall(quiet.stderr) == []
    assert not BAR.search(quiet.stderr)  # stderr is a pipe, not a terminal: no bars

    verbose = _run([*args, "--verbose", "--out", str(tmp_path / "verbose")], env)
    assert verbose.returncode == 0, verbose.stderr[-3000:]
    shown = CPP_LINE.findall(verbose.stderr)
    assert all(line in shown for line in startup), (startup, verbose.stderr)
    if any("oneDNN" in line for line in startup):
        assert "oneDNN custom operations are on" in verbose.stderr


DASK = r"""
from distributed import Client
from tf_pipeline.parallel import start_local_cluster


def task():
    import tensorflow as tf

    return float(tf.constant(2.0) * 3)


if __name__ == "__main__":
    with start_local_cluster(1) as cluster, Client(cluster) as client:
        print(client.submit(task).result())
"""


@pytest.mark.slow
def test_dask_workers_start_tensorflow_quietly(tmp_path):
    pytest.importorskip("distributed")
    script = tmp_path / "dask_quiet.py"  # a file: workers unpickle `task` from __main__
    script.write_text(DASK)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = str(ROOT)
    result = _run([str(script)], env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "6.0"
    assert CPP_LINE.findall(result.stderr) == [], result.stderr
    assert "absl::InitializeLog" not in result.stderr

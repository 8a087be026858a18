"""The disk cache of compiled XLA programs (tf_pipeline.xla_cache).

The end-to-end test runs the seed program's model_fn in three fresh processes: with an
empty cache (it compiles and writes the program), again (it must load, not recompile:
the file is not rewritten) and with the cache off; the three fits must train to the same
losses bit for bit, and the loading process must print none of TensorFlow's load notices
even with ``TF_CPP_MIN_LOG_LEVEL=0``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tf_pipeline import tf_output, xla_cache
from tf_pipeline.xla_cache import (
    CACHE_ENV,
    cache_directory,
    configure,
    drop_load_notices,
    prune,
    quiet_loads,
)

ROOT = Path(__file__).resolve().parents[1]
FLAG = "--tf_xla_persistent_cache_directory"


@pytest.mark.parametrize("value", ["off", "0", "False", " no "])
def test_the_cache_is_off_when_the_variable_says_so(monkeypatch, value):
    monkeypatch.setenv(CACHE_ENV, value)
    monkeypatch.delenv("_TF_PIPELINE_XLA_CACHE_FLAG", raising=False)
    assert cache_directory() is None
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
    assert configure() is None
    assert os.environ["TF_XLA_FLAGS"] == "--tf_xla_auto_jit=0"


def test_the_folder_is_per_tensorflow_version_and_cpu(monkeypatch, tmp_path):
    import tensorflow as tf

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    folder = cache_directory()
    assert folder.parent == tmp_path
    assert folder.name.startswith(f"tf{tf.__version__}-") and len(folder.name) > 16
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_directory() == tmp_path / "xdg" / "tf_pipeline" / "xla" / folder.name


def test_configure_adds_the_flag_once_and_keeps_the_users_flags(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.delenv("_TF_PIPELINE_XLA_CACHE_FLAG", raising=False)
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
    folder = configure()
    assert os.environ["TF_XLA_FLAGS"] == f"--tf_xla_auto_jit=0 {FLAG}={folder}"
    assert configure() == folder  # again (a child process): the same, once
    assert os.environ["TF_XLA_FLAGS"].count(FLAG) == 1
    monkeypatch.delenv("_TF_PIPELINE_XLA_CACHE_FLAG")
    monkeypatch.setenv("TF_XLA_FLAGS", f"{FLAG}=/somewhere/else")
    assert configure() is None  # the user's own folder wins
    assert os.environ["TF_XLA_FLAGS"] == f"{FLAG}=/somewhere/else"


def test_a_child_process_decides_afresh_on_the_flag_its_parent_added(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "parent"))
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
    monkeypatch.delenv("_TF_PIPELINE_XLA_CACHE_FLAG", raising=False)
    configure()  # the parent; a child starts with this environment
    monkeypatch.setenv(CACHE_ENV, "off")
    assert configure() is None
    assert os.environ["TF_XLA_FLAGS"] == "--tf_xla_auto_jit=0"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "child"))
    assert configure().parent == tmp_path / "child"
    assert os.environ["TF_XLA_FLAGS"].split()[1] == f"{FLAG}={cache_directory()}"


def test_an_unwritable_folder_leaves_the_cache_off(monkeypatch, tmp_path):
    """TensorFlow fails every XLA compilation whose program it cannot write."""
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))  # below a file: never a folder
    monkeypatch.delenv("TF_XLA_FLAGS", raising=False)
    monkeypatch.delenv("_TF_PIPELINE_XLA_CACHE_FLAG", raising=False)
    assert configure() is None
    assert "TF_XLA_FLAGS" not in os.environ


def test_prune_removes_the_oldest_programs_first(tmp_path):
    for age, name in enumerate(["newest", "middle", "oldest"]):
        path = tmp_path / name
        path.write_bytes(b"x" * 100)
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    removed = prune(tmp_path, max_bytes=150)
    assert [p.name for p in removed] == ["oldest", "middle"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newest"]
    assert prune(tmp_path / "missing", max_bytes=0) == []


NOTICES = (
    b"I0000 00:00:1.0 1 port.cc:153] an info line\n"
    b"E0000 00:00:1.1 2 text_format.cc:378] Error parsing text-format "
    b"tensorflow.XlaSerializedCacheEntry: 2:1: Expected identifier, got: 5\n"
    b"E0000 00:00:1.2 2 cpu_aot_loader.cc:220] Loading XLA:CPU AOT result. Target machine "
    b"feature +prefer-no-scatter is not  supported on the host machine.\n"
    b"a continuation line of that record\n"
    b"E0000 00:00:1.3 2 other.cc:1] a real error\n"
    b"its continuation\n"
)


def test_only_the_load_notices_are_dropped():
    assert drop_load_notices(NOTICES) == (
        b"I0000 00:00:1.0 1 port.cc:153] an info line\n"
        b"E0000 00:00:1.3 2 other.cc:1] a real error\n"
        b"its continuation\n"
    )


def test_quiet_loads_passes_every_other_line_on(monkeypatch, capfd):
    monkeypatch.setenv("TF_XLA_FLAGS", f"{FLAG}=/tmp/x")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    with quiet_loads(), quiet_loads():  # nested (two compiling threads): one capture
        os.write(2, NOTICES)
    assert tf_output._capture is None  # file descriptor 2 restored
    err = capfd.readouterr().err
    assert "XlaSerializedCacheEntry" not in err and "AOT result" not in err
    assert "a real error\nits continuation\n" in err and "an info line" in err


FIT = """
import json, os, sys
import numpy as np
from benchmarks.bench_train import airpassengers_training_windows
from benchmarks.user_models import seed_program_model
from estimators import Estimator, RunConfig
X, y = airpassengers_training_windows()
for path in sys.argv[1:]:  # damage files after the import's check
    with open(path, "r+b") as program:
        program.truncate(os.path.getsize(path) // 2)
est = Estimator(seed_program_model, config=RunConfig(tf_random_seed=0, train_loop="xla"))
est.fit(x=X, y=y, batch_size=32, steps=300)
print(json.dumps([float(v) for v in est.last_fit_losses]))
"""


def _run_fit(cache: str, *damage: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="0", PYTHONPATH=str(ROOT))
    env[CACHE_ENV] = cache
    env.pop("TF_XLA_FLAGS", None)
    return subprocess.run(
        [sys.executable, "-c", FIT, *map(str, damage)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def _fit_in_new_process(cache: str) -> tuple[list[float], str]:
    done = _run_fit(cache)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def _truncate(path: Path) -> None:
    with open(path, "r+b") as program:
        program.truncate(path.stat().st_size // 2)


@pytest.mark.slow
def test_a_new_process_loads_the_program_and_trains_to_the_same_numbers(tmp_path):
    first, _ = _fit_in_new_process(str(tmp_path))
    (folder,) = tmp_path.iterdir()
    programs = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert len(programs) == 1  # the training loop's program
    again, stderr = _fit_in_new_process(str(tmp_path))
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == programs  # loaded
    assert "XlaSerializedCacheEntry" not in stderr and "AOT result" not in stderr
    off, _ = _fit_in_new_process("off")
    assert len(first) == 300
    assert again == first and off == first  # bit for bit


@pytest.mark.slow
def test_a_file_cut_short_is_removed_on_import_and_the_program_compiled_anew(tmp_path):
    first, _ = _fit_in_new_process(str(tmp_path))
    ((folder,),) = [list(tmp_path.iterdir())]
    (program,) = folder.iterdir()
    size = program.stat().st_size
    _truncate(program)
    again, _ = _fit_in_new_process(str(tmp_path))
    assert again == first  # trained every step, to the same numbers
    assert program.stat().st_size == size  # written again, whole


@pytest.mark.slow
def test_a_file_damaged_after_the_import_fails_the_fit_loudly_not_as_an_empty_fit(tmp_path):
    """TensorFlow reads a cut-short program as OutOfRangeError, which MonitoredSession
    takes for the end of the input: the fit would return having trained nothing."""
    _fit_in_new_process(str(tmp_path))
    ((folder,),) = [list(tmp_path.iterdir())]
    (program,) = folder.iterdir()
    done = _run_fit(str(tmp_path), program)
    assert done.returncode != 0
    assert "LoopRunError: The in-graph training loop failed: OutOfRangeError" in done.stderr
    assert "unreadable compiled programs removed from the XLA cache" in done.stderr
    assert not program.exists()
    _fit_in_new_process(str(tmp_path))  # the next fit compiles it anew
    assert program.exists()


def test_only_whole_messages_pass_the_check(tmp_path):
    whole = tmp_path / "whole"
    # field 1: varint 150; field 2: 3 bytes; field 3: fixed64; field 4: fixed32
    whole.write_bytes(b"\x08\x96\x01" + b"\x12\x03abc" + b"\x19" + bytes(8) + b"\x25" + bytes(4))
    assert xla_cache._is_whole_message(whole)
    for cut in (1, 4, 7, 12, 16):
        part = tmp_path / f"cut{cut}"
        part.write_bytes(whole.read_bytes()[:cut])
        assert not xla_cache._is_whole_message(part), cut
    (tmp_path / "empty").write_bytes(b"")
    assert not xla_cache._is_whole_message(tmp_path / "empty")
    removed = xla_cache.drop_unreadable_programs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["whole"]
    assert len(removed) == 6
